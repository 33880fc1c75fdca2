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
/// Reads the feature and label columns of an IDataView with one cursor straight into contiguous arrays, then into
/// tensors; no managed object is made per row. Rows with NaN, infinite or missing values fail the read (saying how
/// many there are) unless the options ask to drop them.
/// </summary>
internal static class TrainingDataReader
{
    /// <summary>Reads features and labels; with no label column (autoencoders) the label is the features themselves.</summary>
    public static TrainingSet Read(IDataView data, string role, string featureColumnName, FeatureEncoder encoder, string? labelColumnName,
        TaskInfo task, bool dropNonFinite, IChannel channel, CancellationToken cancellation)
    {
        int featureSize = encoder.Width;
        var featureColumn = data.Schema[featureColumnName];
        var labelColumn = labelColumnName is null ? (DataViewSchema.Column?)null : data.Schema[labelColumnName];
        int labelWidth = labelColumn is null ? 0 : task.VectorLabel ? task.OutputSize : 1;
        long? knownRows = data.GetRowCount();
        int capacity = (int)Math.Clamp(knownRows ?? 1024, 1, int.MaxValue / Math.Max(featureSize, 1));
        var features = new float[(long)capacity * featureSize];
        var labels = new float[(long)capacity * labelWidth];

        int rows = 0;
        long badFeatureRows = 0, badLabelRows = 0, seen = 0;
        var readLabel = labelColumn is { } column ? LabelReader(task, column) : _ => _ => true;
        using (var cursor = data.GetRowCursor(labelColumn is { } c ? new[] { featureColumn, c } : new[] { featureColumn }))
        {
            var readFeatures = encoder.CreateReader(cursor, featureColumn);
            var labelGetter = readLabel(cursor);
            while (cursor.MoveNext())
            {
                if ((++seen & 1023) == 0)
                    cancellation.ThrowIfCancellationRequested();
                if (rows == capacity)
                {
                    capacity = (int)Math.Min((long)capacity * 2, int.MaxValue / Math.Max(featureSize, 1));
                    Array.Resize(ref features, capacity * featureSize);
                    Array.Resize(ref labels, capacity * labelWidth);
                }
                bool featuresOk = readFeatures(features.AsSpan(rows * featureSize, featureSize));
                bool labelOk = labelGetter(labels.AsSpan(rows * labelWidth, labelWidth));
                if (!featuresOk)
                    badFeatureRows++;
                if (!labelOk)
                    badLabelRows++;
                if (featuresOk && labelOk)
                    rows++;
            }
        }
        cancellation.ThrowIfCancellationRequested();

        if (badFeatureRows + badLabelRows > 0)
        {
            string counts = $"{badFeatureRows} of {seen} {role} rows have NaN or infinite values in feature column '{featureColumnName}'" +
                (labelColumnName is null ? "" : $" and {badLabelRows} have a NaN, infinite or missing value in label column '{labelColumnName}'");
            if (!dropNonFinite)
                throw new ArgumentException(counts + ". Replace them (mlContext.Transforms.ReplaceMissingValues), filter them " +
                    $"(mlContext.Data.FilterRowsByMissingValues), or set {nameof(DeepNetworkOptions)}.{nameof(DeepNetworkOptions.DropRowsWithNonFiniteValues)} = true.", "input");
            channel.Warning(counts + "; those rows were dropped.");
        }
        if (rows == 0)
            throw new ArgumentException($"The {role} data has no usable rows ({seen} read); a network needs at least one row to {(role == "training" ? "learn from" : "validate on")}.", "input");

        return ToTensors(features, labels, rows, featureSize, task, labelColumnName, role);
    }

    private static TrainingSet ToTensors(float[] features, float[] labels, int rows, int featureSize, TaskInfo task, string? labelColumnName, string role)
    {
        using var scope = NewDisposeScope();
        var featureTensor = tensor(features, stackalloc long[] { rows, featureSize });
        Tensor labelTensor;
        switch (labelColumnName is null ? null : (DeepNetworkTask?)task.Task)
        {
            case null:
                labelTensor = featureTensor.alias();
                break;
            case DeepNetworkTask.MulticlassClassification:
                labelTensor = tensor(labels, stackalloc long[] { rows }).to_type(ScalarType.Int64);
                if (role == "training")
                    CheckClassCount(labelTensor.unique().Item1.shape[0], labelColumnName!);
                break;
            case DeepNetworkTask.BinaryClassification:
                labelTensor = tensor(labels, stackalloc long[] { rows });
                if (role == "training")
                    CheckClassCount(labelTensor.unique().Item1.shape[0], labelColumnName!);
                break;
            default:
                labelTensor = task.VectorLabel
                    ? tensor(labels, stackalloc long[] { rows, task.OutputSize })
                    : tensor(labels, stackalloc long[] { rows });
                break;
        }
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
