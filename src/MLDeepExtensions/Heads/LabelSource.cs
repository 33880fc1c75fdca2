using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>Writes the current row's label as floats and says whether it is usable (finite, not a missing key).</summary>
internal delegate bool LabelReader(Span<float> destination);

/// <summary>
/// How a supervised head's label column is read for training: as <see cref="Width"/> floats per row, then as the
/// tensor its loss takes — 0-based class indices (Int64) for multiclass, 0/1 (Float32) for binary, targets [rows] or
/// [rows, size] (Float32) for regression.
/// </summary>
internal sealed class LabelSource(TaskInfo task, string columnName)
{
    public string ColumnName => columnName;

    /// <summary>Floats per row.</summary>
    public int Width => task.VectorLabel ? task.OutputSize : 1;

    /// <summary>A reader of the label in the current row of <paramref name="cursor"/>.</summary>
    public LabelReader CreateReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (task.Task)
        {
            case DeepNetworkTask.MulticlassClassification:
                var keyGetter = cursor.GetGetter<uint>(column);
                uint key = 0;
                return destination =>
                {
                    keyGetter(ref key);
                    destination[0] = key - 1f;
                    return key != 0;
                };
            case DeepNetworkTask.BinaryClassification:
                var boolGetter = cursor.GetGetter<bool>(column);
                bool flag = false;
                return destination =>
                {
                    boolGetter(ref flag);
                    destination[0] = flag ? 1f : 0f;
                    return true;
                };
            default:
                if (task.VectorLabel)
                {
                    var vectorGetter = cursor.GetGetter<VBuffer<float>>(column);
                    var vector = default(VBuffer<float>);
                    return destination =>
                    {
                        vectorGetter(ref vector);
                        SchemaChecks.CopyExact(vector, destination, "label", column.Name, cursor.Position);
                        return FeatureEncoder.AllFinite(destination);
                    };
                }
                var getter = cursor.GetGetter<float>(column);
                float value = 0;
                return destination =>
                {
                    getter(ref value);
                    destination[0] = value;
                    return float.IsFinite(value);
                };
        }
    }

    /// <summary>The labels of <paramref name="rows"/> rows as the tensor the loss takes.</summary>
    public Tensor ToTensor(float[] values, int rows) => task.Task switch
    {
        DeepNetworkTask.MulticlassClassification => tensor(values, stackalloc long[] { rows }).to_type(ScalarType.Int64),
        _ when task.VectorLabel => tensor(values, stackalloc long[] { rows, task.OutputSize }),
        _ => tensor(values, stackalloc long[] { rows }),
    };

    /// <summary>Whether the labels are classes (a classifier needs two of them in its training data).</summary>
    public bool IsClassification => task.Task is DeepNetworkTask.MulticlassClassification or DeepNetworkTask.BinaryClassification;

    /// <summary>Throws when a classifier's training labels hold fewer than two classes.</summary>
    public void CheckTrainingLabels(Tensor labels)
    {
        if (!IsClassification)
            return;
        using var scope = NewDisposeScope();
        if (labels.unique().Item1.shape[0] < 2)
            throw OneClassError();
    }

    public ArgumentException OneClassError()
        => new($"Label column '{columnName}' has only one class in the training data; a classifier needs rows of at least two classes.");
}
