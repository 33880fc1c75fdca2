using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Onnx;
using MLDeepExtensions.Persistence;
using MLDeepExtensions.Training;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// Learning from a label, as the estimators of <see cref="DeepNetworkOptions"/> do: what the three tasks share (the
/// label column, the output column names, the model-file fields, the class names). Each task is a head of its own:
/// <see cref="MulticlassHead"/>, <see cref="BinaryHead"/>, <see cref="RegressionHead"/>; they share the registered name
/// "supervised" and tell themselves apart by the task field.
/// </summary>
/// <remarks>
/// Model-file fields, version 1: label column name; Score, Probability and PredictedLabel column names; task; output
/// size; vector-label flag; class-names flag, then the class names as ML.NET's BinarySaver writes a type and value.
/// </remarks>
internal abstract class SupervisedHead : NetworkHead
{
    internal const string RegisteredName = "supervised";
    private const int CurrentVersion = 1;

    private protected OutputColumnNames Names { get; }

    /// <param name="task">The task, sizes and class names.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="names">The output column names.</param>
    /// <param name="training">What only a fit uses (class and example weights, imported class order); a loaded head has none.</param>
    /// <param name="label">The label as the task reads it.</param>
    private protected SupervisedHead(TaskInfo task, string labelColumnName, OutputColumnNames names, SupervisedTraining training, LabelSource label)
    {
        Task = task;
        LabelColumnName = labelColumnName;
        Names = names;
        Training = training;
        Columns = Describe(task.Task, task.VectorLabel, names, task.OutputSize);
        Label = label;
    }

    /// <summary>The head for <paramref name="task"/>.</summary>
    public static SupervisedHead Create(TaskInfo task, string labelColumnName, OutputColumnNames names, SupervisedTraining training) => task.Task switch
    {
        DeepNetworkTask.MulticlassClassification => new MulticlassHead(task, labelColumnName, names, training),
        DeepNetworkTask.BinaryClassification => new BinaryHead(task, labelColumnName, names, training),
        _ => new RegressionHead(task, labelColumnName, names, training),
    };

    private protected SupervisedTraining Training { get; }

    public override string Name => RegisteredName;

    public override int Version => CurrentVersion;

    public TaskInfo Task { get; }

    public string LabelColumnName { get; }

    public override IReadOnlyList<OutputColumn> Columns { get; }

    public override LabelSource Label { get; }

    public override IEnumerable<(string Name, string Value)> FingerprintEntries()
    {
        yield return ("ClassWeights", Training.ClassWeights is { } weights
            ? string.Join(", ", weights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
            : "none");
        if (Training.ExampleWeightColumnName is { } column)
            yield return ("ExampleWeightColumnName", column);
        // Only when set, so that checkpoints written before the option existed still match their fit.
        if (Training.LabelSmoothing > 0)
            yield return ("LabelSmoothing", Training.LabelSmoothing.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    public override DataViewSchema.Annotations? LabelKeyValues => Task.KeyValues;

    /// <summary>The output columns of a task; <paramref name="size"/> is the classes or the label size (0 while unknown).</summary>
    private static OutputColumn[] Describe(DeepNetworkTask task, bool vectorLabel, OutputColumnNames names, int size)
    {
        const string score = AnnotationUtils.Const.ScoreValueKind.Score, predicted = AnnotationUtils.Const.ScoreValueKind.PredictedLabel;
        switch (task)
        {
            case DeepNetworkTask.MulticlassClassification:
                const string multiclass = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification;
                return
                [
                    new(names.Score, OutputKind.Vector, size, multiclass, score, ClassNames.TrainingLabelValues),
                    new(names.PredictedLabel, OutputKind.Key, size, multiclass, predicted, ClassNames.KeyValues),
                ];
            case DeepNetworkTask.BinaryClassification:
                const string binary = AnnotationUtils.Const.ScoreColumnKind.BinaryClassification;
                return
                [
                    new(names.Score, OutputKind.Single, 1, binary, score),
                    new(names.Probability, OutputKind.Single, 1, binary, AnnotationUtils.Const.ScoreValueKind.Probability),
                    new(names.PredictedLabel, OutputKind.Boolean, 1, binary, predicted),
                ];
            default:
                return vectorLabel
                    ? [new(names.Score, OutputKind.Vector, size, AnnotationUtils.Const.ScoreColumnKind.MultiOutputRegression, score)]
                    : [new(names.Score, OutputKind.Single, 1, AnnotationUtils.Const.ScoreColumnKind.Regression, score)];
        }
    }

    public override int NetworkOutputSize(int inputSize) => Task.OutputSize;

    public override string ChecksummedFields()
        => FormattableString.Invariant($"{LabelColumnName}|{Names.Score}|{Names.Probability}|{Names.PredictedLabel}|{(int)Task.Task}|{Task.OutputSize}|{Task.VectorLabel}|") +
           (Task.KeyValues is { } keyValues ? KeyValuesCodec.Describe(keyValues) : "-");

    /// <summary>The task in words, e.g. "multiclass classification".</summary>
    private protected abstract string TaskName { get; }

    public override string Describe()
    {
        string task = TaskName;
        string classes = Task.KeyValues is { } keyValues ? ", classes " + KeyValuesCodec.Describe(keyValues) : "";
        return FormattableString.Invariant($"{task}, {Task.OutputSize} outputs{classes}");
    }

    public override void CheckArchitecture(NetworkArchitecture architecture)
    {
        if (architecture is AutoencoderArchitecture)
            throw ModelFileErrors.Corrupt("a supervised network holds an autoencoder.");
    }

    public override void CheckImportedWeights(string weightsPath, IChannel channel)
    {
        if (Training.ImportedClasses is not null)
            throw new ArgumentException($"{"InitialWeightsClasses"} is set, but the task is {Task.Task}; a class order applies to multiclass classification only.",
                "InitialWeightsClasses");
    }

    /// <summary>
    /// Throws when ClassWeights is set for a task without classes, or with another count than <paramref name="classes"/>,
    /// and when LabelSmoothing is set for a task without classes.
    /// </summary>
    private protected void CheckClassWeights(int? classes)
    {
        if (Training.LabelSmoothing > 0 && classes is null)
            throw new ArgumentException($"{"LabelSmoothing"} is {Training.LabelSmoothing.ToString(System.Globalization.CultureInfo.InvariantCulture)}, but the task is {Task.Task}; " +
                "label smoothing softens class targets and applies to classification only. Leave it at 0.", "LabelSmoothing");
        if (Training.ClassWeights is not { } weights)
            return;
        if (classes is not int expected)
            throw new ArgumentException($"{"ClassWeights"} is set, but the task is {Task.Task}; class weights apply to classification only.");
        if (weights.Count != expected)
            throw new ArgumentException(FormattableString.Invariant($"{"ClassWeights"} has {weights.Count} entries but the label has {expected} classes; ") +
                "give one weight per class in key order ([false, true] for binary).");
    }

    private protected override void WriteFields(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(LabelColumnName);
        ctx.SaveNonEmptyString(Names.Score);
        ctx.SaveNonEmptyString(Names.Probability);
        ctx.SaveNonEmptyString(Names.PredictedLabel);
        ctx.Writer.Write((int)Task.Task);
        ctx.Writer.Write(Task.OutputSize);
        ctx.Writer.Write(Task.VectorLabel);
        ctx.Writer.Write(Task.KeyValues is not null);
        if (Task.KeyValues is not null)
            KeyValuesCodec.Write(ctx, Task.KeyValues);
    }

    /// <summary>Reads the fields <see cref="WriteFields"/> writes.</summary>
    internal static SupervisedHead ReadFields(IHostEnvironment env, ModelLoadContext ctx, int version)
    {
        if (version > CurrentVersion)
            throw Newer(RegisteredName, version, CurrentVersion);
        string label = ctx.LoadNonEmptyString();
        var names = new OutputColumnNames(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
        var task = (DeepNetworkTask)ctx.Reader.ReadInt32();
        int outputSize = ctx.Reader.ReadInt32();
        bool vectorLabel = ctx.Reader.ReadBoolean();
        return Loaded(env, ctx, label, names, task, outputSize, vectorLabel);
    }

    /// <summary>Checks the task values read from a model file, reads the class names that follow them, and builds the head.</summary>
    internal static SupervisedHead Loaded(IHostEnvironment env, ModelLoadContext ctx, string label, OutputColumnNames names, DeepNetworkTask task,
        int outputSize, bool vectorLabel)
    {
        if (!Enum.IsDefined(task) || task == DeepNetworkTask.Auto || outputSize < 1)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"task {(int)task}, output size {outputSize}."));
        var keyValues = ctx.Reader.ReadBoolean() ? KeyValuesCodec.Read(env, ctx) : null;
        return Create(TaskInfo.Create(task, outputSize, vectorLabel, keyValues), label, names, SupervisedTraining.None);
    }

    /// <summary>The supervised head a label column, a requested task, output column names and training settings ask for.</summary>
    internal sealed class Spec(string labelColumnName, DeepNetworkTask requestedTask, OutputColumnNames names, SupervisedTraining training) : HeadSpec
    {
        private readonly OutputColumnNames _names = names;

        public override IEnumerable<SchemaShape.Column> OutputShape(SchemaShape inputSchema)
        {
            var label = SchemaChecks.FindLabelColumn(inputSchema, labelColumnName);
            var task = TaskInfo.Resolve(requestedTask, label);
            LabelSource.CheckWeightColumn(inputSchema, training.ExampleWeightColumnName);
            foreach (var column in Describe(task, label.Kind == SchemaShape.Column.VectorKind.Vector, _names, size: 0))
                yield return column.ToShape(label);
        }

        public override NetworkHead Resolve(DataViewSchema trainingSchema, NetworkArchitecture architecture, int inputSize)
            => Create(TaskInfo.Resolve(requestedTask, SchemaChecks.FindLabelColumn(trainingSchema, labelColumnName)),
                labelColumnName, _names, training);

        public override void CheckValidationData(DataViewSchema validationSchema, NetworkHead head)
        {
            LabelSource.CheckWeightColumn(SchemaShape.Create(validationSchema), training.ExampleWeightColumnName);
            var task = ((SupervisedHead)head).Task;
            var validationTask = TaskInfo.Resolve(task.Task, SchemaChecks.FindLabelColumn(validationSchema, labelColumnName));
            if (validationTask.OutputSize != task.OutputSize)
                throw SchemaChecks.Mismatch("label", labelColumnName, FormattableString.Invariant($"the training label's size ({task.OutputSize})"),
                    FormattableString.Invariant($"{validationTask.OutputSize} in the validation data"), "Prepare the validation data with the same pipeline as the training data.");
        }
    }
}

/// <summary>
/// What only a supervised fit uses: class weights, the class order of imported weights, the example-weight column,
/// whether a regression learns its label standardized, and a classifier's label smoothing.
/// </summary>
internal sealed record SupervisedTraining(IReadOnlyList<float>? ClassWeights, IReadOnlyList<string>? ImportedClasses, string? ExampleWeightColumnName,
    bool StandardizeLabel = false, float LabelSmoothing = 0)
{
    /// <summary>A loaded head's: nothing.</summary>
    public static SupervisedTraining None { get; } = new(null, null, null);
}
