using System;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Heads;
using static System.FormattableString;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>
/// Reads the feature and label columns of an IDataView with one cursor straight into one contiguous array, which the
/// feature tensor then shares (no copy); no managed object is made per row. When the view cannot tell its row count, a
/// first cursor with no active column counts the rows, so that the array is allocated once at its final size: the
/// data is held once, never twice while an array grows. Rows with NaN, infinite or missing values
/// fail the read (saying how many there are) unless the options ask to drop them.
/// </summary>
internal static class TrainingDataReader
{
    /// <summary>Reads features and labels; with no label (autoencoders) the label is the features themselves.</summary>
    /// <remarks><paramref name="rowCount"/>: the rows, when a caller has counted them already (null: the view's count, else a counting pass).</remarks>
    public static TrainingSet Read(IDataView data, string role, string featureColumnName, FeatureEncoder encoder, LabelSource? label,
        bool dropNonFinite, IChannel channel, CancellationToken cancellation, long? rowCount = null)
    {
        int width = encoder.InputSize;
        var featureColumn = data.Schema[featureColumnName];
        int labelWidth = label?.RowWidth ?? 0;
        long maxRows = Array.MaxLength / Math.Max(width, 1);
        int capacity = (int)Math.Clamp(rowCount ?? data.GetRowCount() ?? CountRows(data, cancellation), 1, maxRows);
        var features = new float[(long)capacity * width];
        var labels = new float[(long)capacity * labelWidth];
        var usable = new bool[capacity];
        int rows = 0, badFeatureRows = 0, badLabelRows = 0;
        var inputs = encoder.InputColumns(data.Schema, featureColumn);
        using (var cursor = data.GetRowCursor(label is null ? inputs : inputs.Concat(label.Columns(data.Schema))))
        {
            var readFeatures = encoder.CreateReader(cursor, featureColumn);
            LabelReader readLabel = label is null ? _ => true : label.CreateReader(cursor);
            while (cursor.MoveNext())
            {
                if ((rows & 1023) == 1023)
                    cancellation.ThrowIfCancellationRequested();
                if (rows == capacity)
                {
                    capacity = (int)Math.Min((long)capacity * 2, maxRows);
                    if (rows == capacity)
                        throw new ArgumentException(Invariant($"The {role} data has more rows than fit in one array of {width}-wide rows."));
                    Array.Resize(ref features, capacity * width);
                    Array.Resize(ref labels, capacity * labelWidth);
                    Array.Resize(ref usable, capacity);
                }
                var row = features.AsSpan(rows * width, width);
                readFeatures(row);
                bool featuresOk = FeatureEncoder.AllFinite(row);
                bool labelOk = readLabel(labels.AsSpan(rows * labelWidth, labelWidth));
                badFeatureRows += featuresOk ? 0 : 1;
                badLabelRows += labelOk ? 0 : 1;
                usable[rows++] = featuresOk && labelOk;
            }
        }
        cancellation.ThrowIfCancellationRequested();
        if (rows == 0)
            throw new ArgumentException($"The {role} data has no usable rows (0 read); a network needs at least one row to {(role == "training" ? "learn from" : "validate on")}.");

        if (badFeatureRows + badLabelRows > 0)
        {
            string counts = Invariant($"{badFeatureRows} of {rows} {role} rows have NaN or infinite values in feature column '{featureColumnName}'") +
                (label is null ? "" : Invariant($" and {badLabelRows} have a NaN, infinite or missing value in label column '{label.ColumnName}'") +
                (label?.WeightColumnName is { } weightColumn ? $" or weight column '{weightColumn}'" : ""));
            if (!dropNonFinite)
                throw new ArgumentException(counts + ". " + NonFiniteAdvice);
            int kept = Compact(features, labels, usable, rows, width, labelWidth);
            if (kept == 0)
                throw new ArgumentException(counts + $"; no usable {role} row is left.");
            channel.Warning(counts + "; those rows were dropped.");
            rows = kept;
        }
        return ToTensors(features, labels, rows, width, labelWidth, label, role);
    }

    /// <summary>What to do about rows with NaN, infinite or missing values (the in-memory and the streamed reader say the same).</summary>
    internal const string NonFiniteAdvice = "Replace them (mlContext.Transforms.ReplaceMissingValues), filter them (mlContext.Data.FilterRowsByMissingValues), " +
        "or set " + "DropRowsWithNonFiniteValues" + " = true.";

    /// <summary>Moves the usable rows to the front, in order; returns how many there are.</summary>
    private static int Compact(float[] features, float[] labels, bool[] usable, int rows, int width, int labelWidth)
    {
        int kept = 0;
        for (int i = 0; i < rows; i++)
        {
            if (!usable[i])
                continue;
            if (kept != i)
            {
                features.AsSpan(i * width, width).CopyTo(features.AsSpan(kept * width, width));
                labels.AsSpan(i * labelWidth, labelWidth).CopyTo(labels.AsSpan(kept * labelWidth, labelWidth));
            }
            kept++;
        }
        return kept;
    }

    private static TrainingSet ToTensors(float[] features, float[] labels, int rows, int width, int labelWidth, LabelSource? label, string role)
    {
        using var scope = NewDisposeScope();
        // The tensor shares the array's memory (pinned while the tensor lives): the 'read' is the only copy of the data.
        var featureTensor = frombuffer(features, ScalarType.Float32, count: (long)rows * width).view(rows, width);
        var labelTensor = label is null ? featureTensor.alias() : label.ToTensor(labels.AsSpan(0, rows * labelWidth).ToArray(), rows);
        if (role == "training")
            label?.CheckTrainingLabels(labelTensor);
        return new TrainingSet(featureTensor.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope());
    }

    /// <summary>The rows of <paramref name="data"/>: its own count, or one pass of a cursor with no active column.</summary>
    public static long CountRows(IDataView data, CancellationToken cancellation)
    {
        if (data.GetRowCount() is long known)
            return known;
        long rows = 0;
        using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext())
        {
            if ((++rows & 0xFFFF) == 0)
                cancellation.ThrowIfCancellationRequested();
        }
        return rows;
    }

    /// <summary>The longest vector in a vector column (variable-length sequences), read with one cursor.</summary>
    public static int MaxVectorLength(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor(new[] { column });
        int longest = 0;
        if (column.Type is VectorDataViewType { ItemType: KeyDataViewType })
        {
            var getter = cursor.GetGetter<VBuffer<uint>>(column);
            var value = default(VBuffer<uint>);
            while (cursor.MoveNext())
            {
                getter(ref value);
                longest = Math.Max(longest, value.Length);
            }
        }
        else
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var value = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getter(ref value);
                longest = Math.Max(longest, value.Length);
            }
        }
        return longest;
    }
}
