using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Estimators;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>
/// Reads the feature and label columns of an IDataView with one cursor straight into a tensor (when the row count is
/// known; else into a growing array); no managed object is made per row. Rows with NaN, infinite or missing values
/// fail the read (saying how many there are) unless the options ask to drop them.
/// </summary>
internal static class TrainingDataReader
{
    /// <summary>Reads features and labels; with no label column (autoencoders) the label is the features themselves.</summary>
    public static TrainingSet Read(IDataView data, string role, string featureColumnName, FeatureEncoder encoder, string? labelColumnName,
        TaskInfo task, bool dropNonFinite, IChannel channel, CancellationToken cancellation)
    {
        int width = encoder.Width;
        var featureColumn = data.Schema[featureColumnName];
        var labelColumn = labelColumnName is null ? (DataViewSchema.Column?)null : data.Schema[labelColumnName];
        int labelWidth = labelColumn is null ? 0 : task.VectorLabel ? task.OutputSize : 1;
        long maxRows = int.MaxValue / Math.Max(width, 1);

        // Rows go straight into the feature tensor's memory when the count is known (one buffer, no copy);
        // otherwise into an array that grows, copied into a tensor at the end.
        long? knownRows = data.GetRowCount();
        Tensor? featureTensor = knownRows is long known && known > 0 && known <= maxRows / sizeof(float) ? empty(known, width) : null;
        float[]? featureArray = featureTensor is null ? new float[1024 * width] : null;
        int capacity = featureTensor is null ? 1024 : (int)knownRows!.Value;
        var labels = new float[(long)capacity * labelWidth];
        var labelOk = new bool[capacity];
        int rows = 0;
        try
        {
            Span<float> all = featureTensor is null ? featureArray : MemoryMarshal.Cast<byte, float>(featureTensor.bytes);
            var readLabel = labelColumn is { } column ? LabelReader(task, column) : _ => _ => true;
            using (var cursor = data.GetRowCursor(labelColumn is { } c ? new[] { featureColumn, c } : new[] { featureColumn }))
            {
                var readFeatures = encoder.CreateReader(cursor, featureColumn);
                var labelGetter = readLabel(cursor);
                while (cursor.MoveNext())
                {
                    if ((rows & 1023) == 1023)
                        cancellation.ThrowIfCancellationRequested();
                    if (rows == capacity)
                    {
                        capacity = (int)Math.Min((long)capacity * 2, maxRows);
                        if (rows == capacity)
                            throw new ArgumentException($"The {role} data has more rows than fit in one tensor of {width}-wide rows.", "input");
                        var grown = new float[(long)capacity * width];
                        all.CopyTo(grown);
                        featureArray = grown;
                        all = grown;
                        featureTensor?.Dispose();
                        featureTensor = null;
                        Array.Resize(ref labels, capacity * labelWidth);
                        Array.Resize(ref labelOk, capacity);
                    }
                    readFeatures(all.Slice(rows * width, width));
                    labelOk[rows] = labelGetter(labels.AsSpan(rows * labelWidth, labelWidth));
                    rows++;
                }
            }
            cancellation.ThrowIfCancellationRequested();
            if (rows == 0)
                throw new ArgumentException($"The {role} data has no usable rows (0 read); a network needs at least one row to {(role == "training" ? "learn from" : "validate on")}.", "input");
            using var features = featureTensor is null
                ? tensor(featureArray!, stackalloc long[] { rows, width })
                : featureTensor.narrow(0, 0, rows);
            return ToTensors(features, labels, labelWidth, labelOk, rows, task, featureColumnName, labelColumnName, role, dropNonFinite, channel);
        }
        finally
        {
            featureTensor?.Dispose();
        }
    }

    /// <summary>Checks every row in one vectorized pass, drops or reports the unusable ones, and builds the label tensor.</summary>
    private static TrainingSet ToTensors(Tensor features, float[] labels, int labelWidth, bool[] labelOk, int rows, TaskInfo task, string featureColumnName,
        string? labelColumnName, string role, bool dropNonFinite, IChannel channel)
    {
        using var scope = NewDisposeScope();
        var featureOk = isfinite(features).all(1);
        long badFeatureRows = rows - featureOk.sum().item<long>();
        long badLabelRows = labelOk.Take(rows).Count(ok => !ok);
        var labelValues = labels.AsSpan(0, rows * labelWidth).ToArray();
        Tensor labelTensor = labelColumnName is null ? features.alias() : task.Task switch
        {
            DeepNetworkTask.MulticlassClassification => tensor(labelValues, stackalloc long[] { rows }).to_type(ScalarType.Int64),
            _ when task.VectorLabel => tensor(labelValues, stackalloc long[] { rows, task.OutputSize }),
            _ => tensor(labelValues, stackalloc long[] { rows }),
        };

        if (badFeatureRows + badLabelRows > 0)
        {
            string counts = $"{badFeatureRows} of {rows} {role} rows have NaN or infinite values in feature column '{featureColumnName}'" +
                (labelColumnName is null ? "" : $" and {badLabelRows} have a NaN, infinite or missing value in label column '{labelColumnName}'");
            if (!dropNonFinite)
                throw new ArgumentException(counts + ". Replace them (mlContext.Transforms.ReplaceMissingValues), filter them " +
                    $"(mlContext.Data.FilterRowsByMissingValues), or set {nameof(NetworkTrainingOptions.DropRowsWithNonFiniteValues)} = true.", "input");
            var usable = featureOk.logical_and(tensor(labelOk.AsSpan(0, rows).ToArray()));
            var keep = usable.nonzero().squeeze(1);
            if (keep.shape[0] == 0)
                throw new ArgumentException(counts + $"; no usable {role} row is left.", "input");
            channel.Warning(counts + "; those rows were dropped.");
            features = features.index_select(0, keep);
            labelTensor = labelColumnName is null ? features.alias() : labelTensor.index_select(0, keep);
        }
        else
        {
            features = features.alias();
        }

        if (role == "training" && labelColumnName is not null && task.Task is DeepNetworkTask.MulticlassClassification or DeepNetworkTask.BinaryClassification)
            CheckClassCount(labelTensor.unique().Item1.shape[0], labelColumnName);
        return new TrainingSet(features.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope());
    }

    private static void CheckClassCount(long classes, string labelColumnName)
    {
        if (classes < 2)
            throw new ArgumentException($"Label column '{labelColumnName}' has only one class in the training data; a classifier needs rows of at least two classes.", "input");
    }

    private delegate bool LabelGetter(Span<float> destination);

    /// <summary>A factory of per-cursor label readers that write the label as floats and say whether it is usable.</summary>
    private static Func<DataViewRowCursor, LabelGetter> LabelReader(TaskInfo task, DataViewSchema.Column column)
    {
        switch (task.Task)
        {
            case DeepNetworkTask.MulticlassClassification:
                return cursor =>
                {
                    var getter = cursor.GetGetter<uint>(column);
                    uint key = 0;
                    return destination =>
                    {
                        getter(ref key);
                        destination[0] = key - 1f;
                        return key != 0;
                    };
                };
            case DeepNetworkTask.BinaryClassification:
                return cursor =>
                {
                    var getter = cursor.GetGetter<bool>(column);
                    bool value = false;
                    return destination =>
                    {
                        getter(ref value);
                        destination[0] = value ? 1f : 0f;
                        return true;
                    };
                };
            default:
                if (task.VectorLabel)
                {
                    return cursor =>
                    {
                        var getter = cursor.GetGetter<VBuffer<float>>(column);
                        var value = default(VBuffer<float>);
                        return destination =>
                        {
                            getter(ref value);
                            value.CopyTo(destination);
                            return FeatureEncoder.AllFinite(destination);
                        };
                    };
                }
                return cursor =>
                {
                    var getter = cursor.GetGetter<float>(column);
                    float value = 0;
                    return destination =>
                    {
                        getter(ref value);
                        destination[0] = value;
                        return float.IsFinite(value);
                    };
                };
        }
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
