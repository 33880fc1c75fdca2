using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;

namespace MLDeepExtensions.Heads;

/// <summary>
/// The task a network solves, resolved from the label column, with the sizes and label annotations that decide
/// its output layer and output columns.
/// </summary>
internal sealed class TaskInfo
{
    private TaskInfo(DeepNetworkTask task, int outputSize, bool vectorLabel, DataViewSchema.Annotations? keyValues)
    {
        Task = task;
        OutputSize = outputSize;
        VectorLabel = vectorLabel;
        KeyValues = keyValues;
    }

    public DeepNetworkTask Task { get; }

    /// <summary>Width of the network's last layer: classes (multiclass), 1 (binary), label size (regression).</summary>
    public int OutputSize { get; }

    /// <summary>True for multi-output regression, whose label and score are vectors.</summary>
    public bool VectorLabel { get; }

    /// <summary>The label's KeyValues annotation (multiclass only, when the label had one).</summary>
    public DataViewSchema.Annotations? KeyValues { get; }

    public static TaskInfo Create(DeepNetworkTask task, int outputSize, bool vectorLabel, DataViewSchema.Annotations? keyValues)
        => new(task, outputSize, vectorLabel, keyValues);

    /// <summary>Resolves the task from a schema-shape label column (no sizes are known yet).</summary>
    public static DeepNetworkTask Resolve(DeepNetworkTask requested, SchemaShape.Column label)
    {
        bool isKey = label.IsKey && label.Kind == SchemaShape.Column.VectorKind.Scalar;
        bool isBool = label.ItemType == BooleanDataViewType.Instance && label.Kind == SchemaShape.Column.VectorKind.Scalar;
        bool isSingle = label.ItemType == NumberDataViewType.Single && !label.IsKey && label.Kind != SchemaShape.Column.VectorKind.VariableVector;
        return Resolve(requested, label.Name, isKey, isBool, isSingle, label.GetTypeString());
    }

    /// <summary>Resolves the task from a real label column and reads its sizes and key values.</summary>
    public static TaskInfo Resolve(DeepNetworkTask requested, DataViewSchema.Column label)
    {
        var type = label.Type;
        bool isKey = type is KeyDataViewType;
        bool isBool = type == BooleanDataViewType.Instance;
        bool isSingle = type == NumberDataViewType.Single
            || type is VectorDataViewType { IsKnownSize: true } v && v.ItemType == NumberDataViewType.Single;
        var task = Resolve(requested, label.Name, isKey, isBool, isSingle, type.ToString()!);
        switch (task)
        {
            case DeepNetworkTask.MulticlassClassification:
                var key = (KeyDataViewType)type;
                if (key.RawType != typeof(uint))
                    throw SchemaChecks.Mismatch("label", label.Name, "Key<UInt32>", type.ToString()!, "Use mlContext.Transforms.Conversion.MapValueToKey.");
                if (key.Count < 2 || key.Count > int.MaxValue)
                    throw SchemaChecks.Mismatch("label", label.Name, "a key type with 2 or more values", type.ToString()!, "A classifier needs at least two classes.");
                DataViewSchema.Annotations? keyValues = null;
                if (label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not null)
                {
                    var builder = new DataViewSchema.Annotations.Builder();
                    builder.Add(label.Annotations, kind => kind == AnnotationUtils.Kinds.KeyValues);
                    keyValues = builder.ToAnnotations();
                }
                return new TaskInfo(task, (int)key.Count, vectorLabel: false, keyValues);
            case DeepNetworkTask.BinaryClassification:
                return new TaskInfo(task, 1, vectorLabel: false, null);
            default:
                return type is VectorDataViewType vector
                    ? new TaskInfo(task, vector.Size, vectorLabel: true, null)
                    : new TaskInfo(task, 1, vectorLabel: false, null);
        }
    }

    private static DeepNetworkTask Resolve(DeepNetworkTask requested, string name, bool isKey, bool isBool, bool isSingle, string actual)
    {
        switch (requested)
        {
            case DeepNetworkTask.Auto:
                if (isKey) return DeepNetworkTask.MulticlassClassification;
                if (isBool) return DeepNetworkTask.BinaryClassification;
                if (isSingle) return DeepNetworkTask.Regression;
                throw SchemaChecks.Mismatch("label", name, "Key, Boolean, Single or a known-size vector of Single", actual,
                    "Map text labels to keys with mlContext.Transforms.Conversion.MapValueToKey, or convert numbers to Single.");
            case DeepNetworkTask.MulticlassClassification when !isKey:
                throw SchemaChecks.Mismatch("label", name, "Key (multiclass classification)", actual,
                    "Map the label to a key with mlContext.Transforms.Conversion.MapValueToKey.");
            case DeepNetworkTask.BinaryClassification when !isBool:
                throw SchemaChecks.Mismatch("label", name, "Boolean (binary classification)", actual,
                    "Convert the label to Boolean, e.g. with mlContext.Transforms.CustomMapping or a Boolean column in the input class.");
            case DeepNetworkTask.Regression when !isSingle:
                throw SchemaChecks.Mismatch("label", name, "Single or a known-size vector of Single (regression)", actual,
                    "Convert the label with mlContext.Transforms.Conversion.ConvertType(..., DataKind.Single).");
            default:
                return requested;
        }
    }
}

/// <summary>The names of the output columns.</summary>
internal readonly record struct OutputColumnNames(string Score, string Probability, string PredictedLabel);
