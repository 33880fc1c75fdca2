using System;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Estimators;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>
/// Reads the feature and label columns of an IDataView with one cursor straight into one contiguous array, which the
/// feature tensor then shares (no copy); no managed object is made per row. Rows with NaN, infinite or missing values
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
        long maxRows = Array.MaxLength / Math.Max(width, 1);
        int capacity = (int)Math.Clamp(data.GetRowCount() ?? 1024, 1, maxRows);
        var features = new float[(long)capacity * width];
        var labels = new float[(long)capacity * labelWidth];
        var usable = new bool[capacity];
        int rows = 0, badFeatureRows = 0, badLabelRows = 0;
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
                        throw new ArgumentException($"The {role} data has more rows than fit in one array of {width}-wide rows.", "input");
                    Array.Resize(ref features, capacity * width);
                    Array.Resize(ref labels, capacity * labelWidth);
                    Array.Resize(ref usable, capacity);
                }
                var row = features.AsSpan(rows * width, width);
                readFeatures(row);
                bool featuresOk = FeatureEncoder.AllFinite(row);
                bool labelOk = labelGetter(labels.AsSpan(rows * labelWidth, labelWidth));
                badFeatureRows += featuresOk ? 0 : 1;
                badLabelRows += labelOk ? 0 : 1;
                usable[rows++] = featuresOk && labelOk;
            }
        }
        cancellation.ThrowIfCancellationRequested();
        if (rows == 0)
            throw new ArgumentException($"The {role} data has no usable rows (0 read); a network needs at least one row to {(role == "training" ? "learn from" : "validate on")}.", "input");

        if (badFeatureRows + badLabelRows > 0)
        {
            string counts = $"{badFeatureRows} of {rows} {role} rows have NaN or infinite values in feature column '{featureColumnName}'" +
                (labelColumnName is null ? "" : $" and {badLabelRows} have a NaN, infinite or missing value in label column '{labelColumnName}'");
            if (!dropNonFinite)
                throw new ArgumentException(counts + ". Replace them (mlContext.Transforms.ReplaceMissingValues), filter them " +
                    $"(mlContext.Data.FilterRowsByMissingValues), or set {nameof(NetworkTrainingOptions.DropRowsWithNonFiniteValues)} = true.", "input");
            int kept = Compact(features, labels, usable, rows, width, labelWidth);
            if (kept == 0)
                throw new ArgumentException(counts + $"; no usable {role} row is left.", "input");
            channel.Warning(counts + "; those rows were dropped.");
            rows = kept;
        }
        return ToTensors(features, labels, rows, width, labelWidth, task, labelColumnName, role);
    }

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

    private static TrainingSet ToTensors(float[] features, float[] labels, int rows, int width, int labelWidth, TaskInfo task, string? labelColumnName, string role)
    {
        using var scope = NewDisposeScope();
        // The tensor shares the array's memory (pinned while the tensor lives): the 'read' is the only copy of the data.
        var featureTensor = frombuffer(features, ScalarType.Float32, count: (long)rows * width).view(rows, width);
        var labelValues = labels.AsSpan(0, rows * labelWidth).ToArray();
        Tensor labelTensor = labelColumnName is null ? featureTensor.alias() : task.Task switch
        {
            DeepNetworkTask.MulticlassClassification => tensor(labelValues, stackalloc long[] { rows }).to_type(ScalarType.Int64),
            _ when task.VectorLabel => tensor(labelValues, stackalloc long[] { rows, task.OutputSize }),
            _ => tensor(labelValues, stackalloc long[] { rows }),
        };
        if (role == "training" && labelColumnName is not null && task.Task is DeepNetworkTask.MulticlassClassification or DeepNetworkTask.BinaryClassification)
            CheckClassCount(labelTensor.unique().Item1.shape[0], labelColumnName);
        return new TrainingSet(featureTensor.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope());
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
