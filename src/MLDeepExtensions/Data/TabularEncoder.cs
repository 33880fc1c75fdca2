using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Onnx;

namespace MLDeepExtensions.Data;

/// <summary>
/// A known-size Single vector and key-typed categorical columns, written as one row: the vector's values, then each
/// categorical column's key as a float (0 for the missing key; exact up to 2^24 keys). The MLP splits the row again.
/// </summary>
internal sealed class TabularEncoder(int numericWidth, IReadOnlyList<CategoricalInput> categorical) : FeatureEncoder
{
    public override int InputSize => numericWidth + categorical.Count;

    public override DataViewType ColumnType => new VectorDataViewType(NumberDataViewType.Single, numericWidth);

    public override IReadOnlyList<string> CategoricalColumns { get; } = categorical.Select(c => c.Name).ToArray();

    public override void CheckColumn(DataViewSchema.Column column) => SchemaChecks.CheckDenseFeatureColumn(column, numericWidth);

    public override void CheckCategoricalColumns(DataViewSchema schema)
    {
        foreach (var input in categorical)
            input.Find(schema);
    }

    public override RowEncoder CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var keys = categorical.Select(input => row.GetGetter<uint>(input.Find(row.Schema))).ToArray();
        var value = default(VBuffer<float>);
        return destination =>
        {
            getter(ref value);
            SchemaChecks.CopyExact(value, destination[..numericWidth], "feature", column.Name, row.Position);
            for (int i = 0; i < keys.Length; i++)
            {
                uint key = 0;
                keys[i](ref key);
                destination[numericWidth + i] = key;
            }
        };
    }

    /// <summary>The numeric columns, then each key column cast to float as a [batch, 1] column.</summary>
    public override string ExportOnnx(OnnxGraph graph, string column)
    {
        var parts = new List<string> { graph.Op("Flatten", column, ("axis", 1L)) };
        foreach (var input in categorical)
            parts.Add(graph.Reshape(graph.Cast(graph.Column(input.Name), OnnxGraph.Types.Float), -1, 1));
        return graph.Concat(1, [.. parts]);
    }
}
