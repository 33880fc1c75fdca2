using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Data;

/// <summary>
/// Variable-length Single vectors holding <c>features</c> values per step: encoded as [steps, values…, zeros] with
/// at most <c>maxSteps</c> steps (a longer sequence keeps its last ones). An empty sequence, or a length that is not a
/// whole number of steps, is an error naming the column and row.
/// </summary>
internal sealed class VariableSequenceEncoder(int features, int maxSteps) : FeatureEncoder
{
    public override int Width => 1 + features * maxSteps;

    public override DataViewType ColumnType => new VectorDataViewType(NumberDataViewType.Single);

    public override void CheckColumn(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw SchemaChecks.Mismatch("feature", column.Name, "a vector of Single (a sequence)", column.Type.ToString()!,
                "Apply the same feature pipeline that was used for training.");
    }

    public override RowEncoder CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var value = default(VBuffer<float>);
        var dense = Array.Empty<float>();
        return destination =>
        {
            getter(ref value);
            if (value.Length == 0 || value.Length % features != 0)
                throw SequenceErrors.BadLength(column.Name, row.Position, value.Length, features);
            if (dense.Length < value.Length)
                dense = new float[value.Length];
            value.CopyTo(dense.AsSpan(0, value.Length));
            int steps = Math.Min(value.Length / features, maxSteps);
            var kept = dense.AsSpan(value.Length - steps * features, steps * features);
            destination.Clear();
            destination[0] = steps;
            kept.CopyTo(destination[1..]);
        };
    }
}

/// <summary>
/// Variable-length vectors of keys (tokens 1…V of a key type with V values): encoded as [steps, token ids…, zeros]
/// with at most <c>maxSteps</c> tokens (a longer sequence keeps its last ones). A missing key (0, e.g. a word not seen
/// by MapValueToKey) becomes the "unknown" token V + 1. An empty sequence is an error naming the column and row.
/// </summary>
internal sealed class TokenSequenceEncoder(SequenceInput input) : FeatureEncoder
{
    private readonly int vocabulary = input.Vocabulary;
    private readonly int maxSteps = input.Steps;

    public override int Width => input.Width;

    public override DataViewType ColumnType => new VectorDataViewType(new KeyDataViewType(typeof(uint), vocabulary));

    public override void CheckColumn(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType { ItemType: KeyDataViewType key } || key.RawType != typeof(uint))
            throw SchemaChecks.Mismatch("feature", column.Name, $"a vector of keys (tokens) with {vocabulary} values", column.Type.ToString()!,
                "Map tokens with the same MapValueToKey that was used for training.");
        if (key.Count != (ulong)vocabulary)
            throw SchemaChecks.Mismatch("feature", column.Name, $"tokens of a key type with {vocabulary} values (the training vocabulary)",
                $"keys with {key.Count} values", "Use the MapValueToKey fitted on the training data, so token keys mean the same words.");
    }

    public override RowEncoder CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<uint>>(column);
        var value = default(VBuffer<uint>);
        var dense = Array.Empty<uint>();
        uint unknown = (uint)input.UnknownToken;
        return destination =>
        {
            getter(ref value);
            if (value.Length == 0)
                throw SequenceErrors.BadLength(column.Name, row.Position, 0, 1);
            if (dense.Length < value.Length)
                dense = new uint[value.Length];
            value.CopyTo(dense.AsSpan(0, value.Length));
            int steps = Math.Min(value.Length, maxSteps);
            destination.Clear();
            destination[0] = steps;
            for (int i = 0; i < steps; i++)
            {
                uint token = dense[value.Length - steps + i];
                if (token > vocabulary)
                    throw new ArgumentOutOfRangeException(null, $"Feature column '{column.Name}' has token key {token} at row {row.Position}, outside the vocabulary of {vocabulary} the network was trained with.");
                destination[1 + i] = token == 0 ? unknown : token;
            }
        };
    }
}

internal static class SequenceErrors
{
    public static ArgumentException BadLength(string column, long position, int length, int features)
        => length == 0
            ? new ArgumentException($"Feature column '{column}' holds an empty sequence at row {position}; a recurrent network needs at least one step. Filter such rows out first.")
            : new ArgumentException($"Feature column '{column}' holds {length} values at row {position}, which is not a whole number of steps of {features} features. Check {nameof(RnnArchitecture)}.{nameof(RnnArchitecture.FeaturesPerStep)}.");
}
