using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>A key label read as its 0-based class index (Int64 targets [rows]).</summary>
internal sealed class ClassLabel(string columnName, string? weightColumnName) : LabelSource(columnName, weightColumnName)
{
    public override int Width => 1;

    public override bool IsClassification => true;

    private protected override LabelReader CreateLabelReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<uint>(column);
        uint key = 0;
        return destination =>
        {
            getter(ref key);
            destination[0] = key - 1f;
            return key != 0;
        };
    }

    private protected override Tensor Targets(float[] values, int rows) => tensor(values, stackalloc long[] { rows }).to_type(ScalarType.Int64);

    private protected override Tensor TargetsFrom(Tensor floats) => floats.squeeze(1).to_type(ScalarType.Int64);
}

/// <summary>A Boolean label read as 0 or 1 (Float32 targets [rows]).</summary>
internal sealed class BooleanLabel(string columnName, string? weightColumnName) : LabelSource(columnName, weightColumnName)
{
    public override int Width => 1;

    public override bool IsClassification => true;

    private protected override LabelReader CreateLabelReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<bool>(column);
        bool flag = false;
        return destination =>
        {
            getter(ref flag);
            destination[0] = flag ? 1f : 0f;
            return true;
        };
    }

    private protected override Tensor Targets(float[] values, int rows) => tensor(values, stackalloc long[] { rows });

    private protected override Tensor TargetsFrom(Tensor floats) => floats.squeeze(1);
}

/// <summary>
/// A Single label (targets [rows]) or a known-size vector of <paramref name="size"/> Singles (targets [rows, size]),
/// usable when finite.
/// </summary>
internal sealed class NumericLabel(string columnName, string? weightColumnName, int size, bool vector) : LabelSource(columnName, weightColumnName)
{
    public override int Width => vector ? size : 1;

    private protected override LabelReader CreateLabelReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (vector)
        {
            var vectorGetter = cursor.GetGetter<VBuffer<float>>(column);
            var value = default(VBuffer<float>);
            return destination =>
            {
                vectorGetter(ref value);
                SchemaChecks.CopyExact(value, destination, "label", column.Name, cursor.Position);
                return FeatureEncoder.AllFinite(destination);
            };
        }
        var getter = cursor.GetGetter<float>(column);
        float single = 0;
        return destination =>
        {
            getter(ref single);
            destination[0] = single;
            return float.IsFinite(single);
        };
    }

    private protected override Tensor Targets(float[] values, int rows)
        => vector ? tensor(values, stackalloc long[] { rows, size }) : tensor(values, stackalloc long[] { rows });

    private protected override Tensor TargetsFrom(Tensor floats) => vector ? floats : floats.squeeze(1);
}
