using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Onnx;

namespace MLDeepExtensions.Data;

/// <summary>
/// A known-size Single vector, further known-size Single vector columns (a forecaster's covariates) and key-typed
/// categorical columns, written as one row: the vector's values, each further column's values, then each categorical
/// column's key as a float (0 for the missing key; exact up to 2^24 keys). The network splits the row again.
/// </summary>
/// <param name="numericWidth">The feature vector's size.</param>
/// <param name="categorical">The key columns, after every numeric value.</param>
/// <param name="numeric">The further vector columns, in order, after the feature vector; none by default.</param>
internal sealed class TabularEncoder(int numericWidth, IReadOnlyList<CategoricalInput> categorical, IReadOnlyList<NumericInput>? numeric = null) : FeatureEncoder
{
    private readonly NumericInput[] _numeric = numeric?.ToArray() ?? [];

    private int NumericEnd => numericWidth + _numeric.Sum(c => c.Size);

    public override int InputSize => NumericEnd + categorical.Count;

    public override DataViewType ColumnType => new VectorDataViewType(NumberDataViewType.Single, numericWidth);

    public override IReadOnlyList<string> OtherInputColumns { get; } = [.. numeric?.Select(c => c.Name) ?? [], .. categorical.Select(c => c.Name)];

    public override void CheckColumn(DataViewSchema.Column column) => SchemaChecks.CheckDenseFeatureColumn(column, numericWidth);

    public override void CheckOtherInputColumns(DataViewSchema schema)
    {
        foreach (var input in _numeric)
            input.Find(schema);
        foreach (var input in categorical)
            input.Find(schema);
    }

    public override RowEncoder CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var vectors = _numeric.Select(input => (input, Getter: row.GetGetter<VBuffer<float>>(input.Find(row.Schema)))).ToArray();
        var keys = categorical.Select(input => row.GetGetter<uint>(input.Find(row.Schema))).ToArray();
        var value = default(VBuffer<float>);
        int end = NumericEnd;
        return destination =>
        {
            getter(ref value);
            SchemaChecks.CopyExact(value, destination[..numericWidth], "feature", column.Name, row.Position);
            int offset = numericWidth;
            foreach (var (input, vector) in vectors)
            {
                vector(ref value);
                SchemaChecks.CopyExact(value, destination.Slice(offset, input.Size), "covariate", input.Name, row.Position);
                offset += input.Size;
            }
            for (int i = 0; i < keys.Length; i++)
            {
                uint key = 0;
                keys[i](ref key);
                destination[end + i] = key;
            }
        };
    }

    /// <summary>The numeric columns, then each key column cast to float as a [batch, 1] column.</summary>
    public override string ExportOnnx(OnnxGraph graph, string column)
    {
        var parts = new List<string> { graph.Op("Flatten", column, ("axis", 1L)) };
        foreach (var input in _numeric)
            parts.Add(graph.Op("Flatten", graph.Column(input.Name), ("axis", 1L)));
        foreach (var input in categorical)
            parts.Add(graph.Reshape(graph.Cast(graph.Column(input.Name), OnnxGraph.Types.Float), -1, 1));
        return graph.Concat(1, [.. parts]);
    }
}

/// <summary>A known-size Single vector column read after the feature vector (a forecaster's covariates): its name, steps and values per step.</summary>
internal sealed record NumericInput(string Name, int Steps, int Width)
{
    /// <summary>The fix for a covariate column that is missing or not a window of values.</summary>
    internal const string WindowsFix = "Build the windows with mlContext.Data.CreateForecastingWindows and ForecastingWindowOptions' covariate columns.";

    /// <summary>Values per row.</summary>
    public int Size => Steps * Width;

    /// <summary>The column in <paramref name="schema"/>, or a schema mismatch naming it when it is missing or of another size.</summary>
    public DataViewSchema.Column Find(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(Name) ?? throw SchemaChecks.MissingColumn("covariate", Name);
        if (column.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single || vector.Size != Size)
            throw SchemaChecks.Mismatch("covariate", Name, System.FormattableString.Invariant($"a vector of {Size} Single values ({Steps} steps × {Width}, as in training)"),
                column.Type.ToString()!, "Build the windows with mlContext.Data.CreateForecastingWindows and the same covariate columns as for training.");
        return column;
    }
}
