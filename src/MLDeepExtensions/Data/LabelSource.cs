using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>Writes the current row's label (and weight) as floats and says whether it is usable (finite, not a missing key).</summary>
internal delegate bool LabelReader(Span<float> destination);

/// <summary>
/// How a head's label column is read for training: <see cref="Width"/> floats per row (then the example weight, when the
/// fit has a weight column), and the tensor its loss takes. Each head brings its own kind of label; the readers of the
/// data (in memory and streamed) only move floats.
/// </summary>
/// <param name="columnName">The label column.</param>
/// <param name="weightColumnName">The example-weight column (Single, finite, ≥ 0), or null for unweighted rows.</param>
internal abstract class LabelSource(string columnName, string? weightColumnName)
{
    public string ColumnName => columnName;

    /// <summary>The example-weight column, or null.</summary>
    public string? WeightColumnName => weightColumnName;

    /// <summary>Floats of the label itself per row.</summary>
    public abstract int Width { get; }

    /// <summary>Floats per row as the readers store them: the label, then the weight when there is one.</summary>
    public int RowWidth => Width + (weightColumnName is null ? 0 : 1);

    /// <summary>Whether the labels are classes (a classifier needs two of them in its training data).</summary>
    public virtual bool IsClassification => false;

    /// <summary>The columns a cursor must make active for the label (and weight).</summary>
    public IEnumerable<DataViewSchema.Column> Columns(DataViewSchema schema)
    {
        yield return schema[columnName];
        if (weightColumnName is not null)
            yield return schema[weightColumnName];
    }

    /// <summary>A reader of the label (and weight) in the current row of <paramref name="cursor"/>, <see cref="RowWidth"/> floats.</summary>
    public LabelReader CreateReader(DataViewRowCursor cursor)
    {
        var label = CreateLabelReader(cursor, cursor.Schema[columnName]);
        if (weightColumnName is null)
            return label;
        var weightGetter = cursor.GetGetter<float>(cursor.Schema[weightColumnName]);
        int width = Width;
        float weight = 0;
        return destination =>
        {
            bool usable = label(destination[..width]);
            weightGetter(ref weight);
            if (weight < 0)
                throw new ArgumentException(FormattableString.Invariant($"Example weight column '{weightColumnName}' has {weight} in row {cursor.Position}; weights must be ≥ 0."));
            destination[width] = weight;
            return usable && float.IsFinite(weight);
        };
    }

    /// <summary>The rows' labels as the tensor the loss takes: the head's own layout, or [rows, Width + 1] floats with the weight last.</summary>
    public Tensor ToTensor(float[] values, int rows)
        => weightColumnName is null ? Targets(values, rows) : tensor(values, stackalloc long[] { rows, RowWidth });

    /// <summary>A batch's label tensor as the head's targets and the example weights [rows] (null when unweighted).</summary>
    public (Tensor Targets, Tensor? Weights) Split(Tensor labels)
        => weightColumnName is null ? (labels, null) : (TargetsFrom(labels.narrow(1, 0, Width)), labels.select(1, Width));

    /// <summary>Throws when a classifier's training labels hold fewer than two classes.</summary>
    public void CheckTrainingLabels(Tensor labels)
    {
        if (!IsClassification)
            return;
        using var scope = NewDisposeScope();
        if (Split(labels).Targets.unique().Item1.shape[0] < 2)
            throw OneClassError();
    }

    public ArgumentException OneClassError()
        => new($"Label column '{columnName}' has only one class in the training data; a classifier needs rows of at least two classes.");

    /// <summary>Checks the weight column's type in <paramref name="schema"/> (the label's is the head's concern).</summary>
    public static void CheckWeightColumn(SchemaShape schema, string? weightColumnName)
    {
        if (weightColumnName is null)
            return;
        if (!schema.TryFindColumn(weightColumnName, out var column))
            throw new ArgumentOutOfRangeException("ExampleWeightColumnName", $"Could not find example weight column '{weightColumnName}'.");
        if (column.ItemType != NumberDataViewType.Single || column.Kind != SchemaShape.Column.VectorKind.Scalar || column.IsKey)
            throw SchemaChecks.Mismatch("example weight", weightColumnName, "Single", column.GetTypeString(),
                "Convert it with mlContext.Transforms.Conversion.ConvertType(..., DataKind.Single).");
    }

    /// <summary>A reader of the label alone, <see cref="Width"/> floats.</summary>
    private protected abstract LabelReader CreateLabelReader(DataViewRowCursor cursor, DataViewSchema.Column column);

    /// <summary>The rows' labels (<see cref="Width"/> floats each) in the head's layout.</summary>
    private protected abstract Tensor Targets(float[] values, int rows);

    /// <summary>A batch's labels [rows, Width] (floats) in the head's layout.</summary>
    private protected abstract Tensor TargetsFrom(Tensor floats);
}
