using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Onnx;

namespace MLDeepExtensions.Data;

/// <summary>Writes the current row's features into a fixed-width span (non-finite values are checked by the caller).</summary>
internal delegate void RowEncoder(Span<float> destination);

/// <summary>
/// How a feature column becomes one fixed-width row of floats, the form every network, the training reader and the
/// scorers share. Dense vectors are copied as they are; sequences are written as [length, values…, zero padding].
/// </summary>
internal abstract class FeatureEncoder
{
    /// <summary>Floats per encoded row: the network's input width.</summary>
    public abstract int InputSize { get; }

    /// <summary>The type of feature column this encoder reads.</summary>
    public abstract DataViewType ColumnType { get; }

    /// <summary>Throws a schema mismatch naming the column when it cannot feed this encoder.</summary>
    public abstract void CheckColumn(DataViewSchema.Column column);

    /// <summary>A reader of the column's value (and of <see cref="OtherInputColumns"/>) in the current row of <paramref name="row"/>.</summary>
    public abstract RowEncoder CreateReader(DataViewRow row, DataViewSchema.Column column);

    /// <summary>The input columns read beside the feature column (an MLP's categorical columns, a forecaster's covariates and series key); none by default.</summary>
    public virtual IReadOnlyList<string> OtherInputColumns => [];

    /// <summary>Throws a schema mismatch naming the column when one of <see cref="OtherInputColumns"/> is missing or of another type.</summary>
    public virtual void CheckOtherInputColumns(DataViewSchema schema)
    {
    }

    /// <summary>The columns of <paramref name="schema"/> a cursor must make active: the feature column and <see cref="OtherInputColumns"/>.</summary>
    public IEnumerable<DataViewSchema.Column> InputColumns(DataViewSchema schema, DataViewSchema.Column featureColumn)
        => new[] { featureColumn }.Concat(OtherInputColumns.Select(name => schema[name]));

    /// <summary>The encoded rows [batch, <see cref="InputSize"/>] in an ONNX graph, from the column's variable <paramref name="column"/>.</summary>
    public abstract string ExportOnnx(OnnxGraph graph, string column);

    /// <summary>
    /// True when no value is NaN or infinite. Every feature of every training row passes here, so it tests a vector of
    /// exponents at a time: a float is not finite exactly when its eight exponent bits are all set.
    /// </summary>
    internal static bool AllFinite(ReadOnlySpan<float> values)
    {
        const int ExponentBits = 0x7F80_0000;
        var bits = MemoryMarshal.Cast<float, int>(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated && bits.Length >= Vector<int>.Count)
        {
            var mask = new Vector<int>(ExponentBits);
            var notFinite = Vector<int>.Zero;
            for (; i <= bits.Length - Vector<int>.Count; i += Vector<int>.Count)
                notFinite |= Vector.Equals(new Vector<int>(bits.Slice(i, Vector<int>.Count)) & mask, mask);
            if (notFinite != Vector<int>.Zero)
                return false;
        }
        for (; i < bits.Length; i++)
        {
            if ((bits[i] & ExponentBits) == ExponentBits)
                return false;
        }
        return true;
    }
}

/// <summary>A known-size vector of Single, copied as it is (MLP, CNN, autoencoder, fixed-length sequences).</summary>
internal sealed class DenseEncoder(int size) : FeatureEncoder
{
    public override int InputSize => size;

    public override DataViewType ColumnType => new VectorDataViewType(NumberDataViewType.Single, size);

    public override void CheckColumn(DataViewSchema.Column column)
        => SchemaChecks.CheckDenseFeatureColumn(column, size);

    public override RowEncoder CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var value = default(VBuffer<float>);
        return destination =>
        {
            getter(ref value);
            SchemaChecks.CopyExact(value, destination, "feature", column.Name, row.Position);
        };
    }

    /// <summary>The column as rows: ML.NET gives a vector with dimensions (an image's C×H×W) more than one axis.</summary>
    public override string ExportOnnx(OnnxGraph graph, string column) => graph.Op("Flatten", column, ("axis", 1L));
}
