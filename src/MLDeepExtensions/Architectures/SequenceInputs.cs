using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using static System.FormattableString;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The three forms a sequence network's feature column can take, shared by <see cref="RnnArchitecture"/> and
/// <see cref="TransformerArchitecture"/>: a known-size Single vector read as steps × features, a variable-length
/// Single vector of a number of features per step, or a variable-length vector of keys (tokens).
/// </summary>
internal static class SequenceInputs
{
    /// <summary>Throws a schema mismatch naming the column when it is not a vector of Single or of keys.</summary>
    public static void CheckFeatureShape(SchemaShape inputSchema, string featureColumnName)
    {
        if (!inputSchema.TryFindColumn(featureColumnName, out var column))
            throw SchemaChecks.MissingColumn("feature", featureColumnName);
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar || !(column.ItemType == NumberDataViewType.Single || column.IsKey))
            throw Mismatch(featureColumnName, column.GetTypeString());
    }

    /// <summary>
    /// The input form of <paramref name="featureColumn"/>: tokens embedded to <paramref name="tokenFeatures"/> values, a
    /// variable-length sequence of <paramref name="featuresPerStep"/> values per step, or a fixed one shaped by
    /// <paramref name="inputShape"/> (else the column's 2-D dimensions, else featuresPerStep per step). Without
    /// <paramref name="maxSteps"/>, variable forms keep the longest sequence <paramref name="measureMaxSteps"/> finds.
    /// </summary>
    public static SequenceInput Resolve(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps, SequenceShape? inputShape, int featuresPerStep,
        int? maxSteps, int tokenFeatures, string owner)
    {
        string name = featureColumn.Name;
        return featureColumn.Type switch
        {
            VectorDataViewType { ItemType: KeyDataViewType key } when key.Count is > 0 and < int.MaxValue - 2 && key.RawType == typeof(uint)
                => SequenceInput.Tokens((int)key.Count, maxSteps ?? Math.Max(1, measureMaxSteps()), tokenFeatures),
            VectorDataViewType { IsKnownSize: true } v when v.ItemType == NumberDataViewType.Single => Fixed(v, name, inputShape, featuresPerStep, owner),
            VectorDataViewType { IsKnownSize: false } v when v.ItemType == NumberDataViewType.Single
                => SequenceInput.Variable(featuresPerStep, maxSteps ?? Math.Max(1, (measureMaxSteps() + featuresPerStep - 1) / featuresPerStep)),
            _ => throw Mismatch(name, featureColumn.Type.ToString()!),
        };
    }

    private static SequenceInput Fixed(VectorDataViewType type, string name, SequenceShape? inputShape, int featuresPerStep, string owner)
    {
        var shape = inputShape
            ?? (type.Dimensions.Length == 2 ? new SequenceShape(type.Dimensions[0], type.Dimensions[1]) : new SequenceShape(type.Size / featuresPerStep, featuresPerStep));
        if ((long)shape.Steps * shape.Features != type.Size || shape.Steps < 1)
            throw SchemaChecks.Mismatch("feature", name, Invariant($"a vector of {(long)shape.Steps * shape.Features} values for sequences of {shape} (steps × features)"),
                Invariant($"a vector of {type.Size}"), $"Set {owner}.InputShape to the (steps, features) the column holds.");
        return SequenceInput.Fixed(shape.Steps, shape.Features);
    }

    private static ArgumentOutOfRangeException Mismatch(string name, string actual)
        => SchemaChecks.Mismatch("feature", name, "a vector of Single (fixed or variable length) or a vector of keys (tokens)", actual,
            "Concatenate the steps into one Single vector, or map tokens to keys with TokenizeIntoWords → MapValueToKey.");

    /// <summary>The values a fit measured for the sequence length (a continued fit keeps them); null for fixed sequences.</summary>
    public static int? MeasuredLength(SequenceInput? input) => input switch
    {
        { Kind: SequenceInputKind.Variable } => input.Steps * input.Features,
        { Kind: SequenceInputKind.Tokens } => input.Steps,
        _ => null,
    };

    /// <summary>Zeros of full length: a variable-length or token row starts with its step count.</summary>
    public static float[] PlaceholderRow(SequenceInput input, int inputSize)
    {
        var row = new float[inputSize];
        if (input.Kind != SequenceInputKind.Fixed)
            row[0] = input.Steps;
        return row;
    }

    /// <summary>The encoder of the form's rows.</summary>
    public static FeatureEncoder CreateEncoder(SequenceInput input, int inputSize) => input.Kind switch
    {
        SequenceInputKind.Fixed => new DenseEncoder(inputSize),
        SequenceInputKind.Variable => new VariableSequenceEncoder(input.Features, input.Steps),
        _ => new TokenSequenceEncoder(input),
    };
}
