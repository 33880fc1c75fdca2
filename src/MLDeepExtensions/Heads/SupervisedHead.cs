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
/// Learning from a label: multiclass classification (Score = class probabilities, PredictedLabel = key), binary
/// classification (Score = logit, Probability, PredictedLabel = Boolean) or regression (Score, a Single or a vector).
/// </summary>
/// <remarks>
/// Model-file fields, version 1: label column name; Score, Probability and PredictedLabel column names; task; output
/// size; vector-label flag; class-names flag, then the class names as ML.NET's BinarySaver writes a type and value.
/// </remarks>
internal sealed class SupervisedHead : NetworkHead
{
    internal const string RegisteredName = "supervised";
    private const int CurrentVersion = 1;

    private readonly OutputColumnNames _names;
    private readonly IReadOnlyList<float>? _classWeights;
    private readonly IReadOnlyList<string>? _importedClasses;

    /// <param name="task">The task, sizes and class names.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="names">The output column names.</param>
    /// <param name="classWeights">Loss weight per class (ClassWeights), or null.</param>
    /// <param name="importedClasses">The class order of imported weights (InitialWeightsClasses), or null.</param>
    public SupervisedHead(TaskInfo task, string labelColumnName, OutputColumnNames names, IReadOnlyList<float>? classWeights, IReadOnlyList<string>? importedClasses = null)
    {
        Task = task;
        LabelColumnName = labelColumnName;
        _names = names;
        _classWeights = classWeights;
        _importedClasses = importedClasses;
        Columns = Describe(task.Task, task.VectorLabel, names, task.OutputSize);
        Label = new LabelSource(task, labelColumnName);
    }

    public override string Name => RegisteredName;

    public override int Version => CurrentVersion;

    public TaskInfo Task { get; }

    public string LabelColumnName { get; }

    public override IReadOnlyList<OutputColumn> Columns { get; }

    public override LabelSource Label { get; }

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

    public override string Canonical()
        => FormattableString.Invariant($"{LabelColumnName}|{_names.Score}|{_names.Probability}|{_names.PredictedLabel}|{(int)Task.Task}|{Task.OutputSize}|{Task.VectorLabel}|") +
           (Task.KeyValues is { } keyValues ? KeyValuesCodec.Describe(keyValues) : "-");

    public override string Describe()
    {
        string task = Task.Task switch
        {
            DeepNetworkTask.MulticlassClassification => "multiclass classification",
            DeepNetworkTask.BinaryClassification => "binary classification",
            _ => Task.VectorLabel ? "vector regression" : "regression",
        };
        string classes = Task.KeyValues is { } keyValues ? ", classes " + KeyValuesCodec.Describe(keyValues) : "";
        return FormattableString.Invariant($"{task}, {Task.OutputSize} outputs{classes}");
    }

    public override void CheckArchitecture(NetworkArchitecture architecture)
    {
        if (architecture is AutoencoderArchitecture)
            throw NetworkStreams.Corrupt("a supervised network holds an autoencoder.");
    }

    public override void CheckImportedWeights(string weightsPath, IChannel channel)
    {
        if (Task.Task != DeepNetworkTask.MulticlassClassification)
        {
            if (_importedClasses is not null)
                throw new ArgumentException($"{nameof(DeepNetworkOptions.InitialWeightsClasses)} is set, but the task is {Task.Task}; a class order applies to multiclass classification only.",
                    nameof(DeepNetworkOptions.InitialWeightsClasses));
            return;
        }
        ImportedClasses.Check(weightsPath, _importedClasses, Task.KeyValues is { } keyValues ? KeyValuesCodec.Names(keyValues) : null, LabelColumnName, channel);
    }

    public override LossFunction CreateLoss(Device device)
    {
        var kind = Task.Task switch
        {
            DeepNetworkTask.MulticlassClassification => LossKind.CrossEntropy,
            DeepNetworkTask.BinaryClassification => LossKind.BinaryCrossEntropy,
            _ => LossKind.MeanSquaredError,
        };
        if (_classWeights is not null)
        {
            int expected = kind switch
            {
                LossKind.CrossEntropy => Task.OutputSize,
                LossKind.BinaryCrossEntropy => 2,
                _ => throw new ArgumentException($"{nameof(DeepNetworkOptions.ClassWeights)} is set, but the task is {Task.Task}; class weights apply to classification only."),
            };
            if (_classWeights.Count != expected)
                throw new ArgumentException(FormattableString.Invariant($"{nameof(DeepNetworkOptions.ClassWeights)} has {_classWeights.Count} entries but the label has {expected} classes; ") +
                    "give one weight per class in key order ([false, true] for binary).");
        }
        return new LossFunction(kind, _classWeights, device);
    }

    public override Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = module.forward(input);
        var values = Task.Task switch
        {
            DeepNetworkTask.MulticlassClassification => ClassScores(output),
            DeepNetworkTask.BinaryClassification => cat([output, nn.functional.sigmoid(output), output.gt(0).to_type(ScalarType.Float32)], 1),
            _ => output,
        };
        return values.MoveToOuterDisposeScope();
    }

    public override string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize)
    {
        string output = Exportable(graph, module).ExportOnnx(graph, rows, inputSize);
        switch (Task.Task)
        {
            case DeepNetworkTask.MulticlassClassification:
                string probabilities = graph.Op("Softmax", output, ("axis", 1L));
                string key = graph.Add(graph.Op("ArgMax", probabilities, ("axis", 1L), ("keepdims", 1L)), graph.Int64(1, "one"));
                string undefined = graph.Op("Greater", [graph.Op("ReduceMax", graph.Cast(graph.Op("IsNaN", probabilities), OnnxGraph.Types.Float), ("axes", new[] { 1L }), ("keepdims", 1L)), graph.Float(0f)]);
                return [probabilities, graph.Cast(graph.Where(undefined, graph.Int64(0, "missing"), key), OnnxGraph.Types.UInt32)];
            case DeepNetworkTask.BinaryClassification:
                return [graph.Op("Identity", output), graph.Op("Sigmoid", output), graph.Op("Greater", [output, graph.Float(0f)])];
            default:
                return [output];
        }
    }

    /// <summary>Class probabilities, then the 1-based key of the most probable class (0, ML.NET's missing key, when the row's output is NaN).</summary>
    private static Tensor ClassScores(Tensor logits)
    {
        var probabilities = nn.functional.softmax(logits, 1);
        var key = probabilities.argmax(1, keepdim: true).add(1).to_type(ScalarType.Float32);
        return cat([probabilities, key.masked_fill(probabilities.isnan().any(1, keepdim: true), 0)], 1);
    }

    private protected override void WriteFields(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(LabelColumnName);
        ctx.SaveNonEmptyString(_names.Score);
        ctx.SaveNonEmptyString(_names.Probability);
        ctx.SaveNonEmptyString(_names.PredictedLabel);
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
            throw NetworkStreams.Corrupt(FormattableString.Invariant($"task {(int)task}, output size {outputSize}."));
        var keyValues = ctx.Reader.ReadBoolean() ? KeyValuesCodec.Read(env, ctx) : null;
        return new SupervisedHead(TaskInfo.Create(task, outputSize, vectorLabel, keyValues), label, names, classWeights: null);
    }

    /// <summary>The supervised head a <see cref="DeepNetworkOptions"/> asks for.</summary>
    internal sealed class Spec(DeepNetworkOptions options) : HeadSpec
    {
        private readonly OutputColumnNames _names = OutputColumnNames.From(options);

        public override IEnumerable<SchemaShape.Column> OutputShape(SchemaShape inputSchema)
        {
            var label = SchemaChecks.FindLabelColumn(inputSchema, options.LabelColumnName);
            var task = TaskInfo.Resolve(options.Task, label);
            foreach (var column in Describe(task, label.Kind == SchemaShape.Column.VectorKind.Vector, _names, size: 0))
                yield return column.ToShape(label);
        }

        public override NetworkHead Resolve(DataViewSchema trainingSchema, NetworkArchitecture architecture, int inputSize)
            => new SupervisedHead(TaskInfo.Resolve(options.Task, SchemaChecks.FindLabelColumn(trainingSchema, options.LabelColumnName)),
                options.LabelColumnName, _names, options.ClassWeights, options.InitialWeightsClasses);

        public override void CheckValidationData(DataViewSchema validationSchema, NetworkHead head)
        {
            var task = ((SupervisedHead)head).Task;
            var validationTask = TaskInfo.Resolve(task.Task, SchemaChecks.FindLabelColumn(validationSchema, options.LabelColumnName));
            if (validationTask.OutputSize != task.OutputSize)
                throw SchemaChecks.Mismatch("label", options.LabelColumnName, FormattableString.Invariant($"the training label's size ({task.OutputSize})"),
                    FormattableString.Invariant($"{validationTask.OutputSize} in the validation data"), "Prepare the validation data with the same pipeline as the training data.");
        }
    }
}
