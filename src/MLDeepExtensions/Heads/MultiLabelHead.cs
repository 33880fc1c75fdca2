using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Onnx;
using MLDeepExtensions.Persistence;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>The column names a multi-label classifier writes.</summary>
internal readonly record struct MultiLabelColumnNames(string Score, string Probability, string PredictedLabel);

/// <summary>
/// Multi-label classification: a row has any number of L labels. Label a known-size vector of Boolean (or of Single
/// 0/1); the network's L outputs are independent logits, trained with binary cross entropy per label (optionally with
/// a weight on each label's positives). Outputs Score (the logits), Probability (their sigmoids) and PredictedLabel
/// (a Boolean vector: probability above the label's threshold, 0.5 unless tuned on validation data).
/// </summary>
/// <remarks>
/// Model-file fields, version 1: label column name; Score, Probability and PredictedLabel column names; label count;
/// Boolean-label flag; a threshold per label (float); slot-names flag, then the label names.
/// </remarks>
internal sealed class MultiLabelHead : NetworkHead
{
    internal const string RegisteredName = "multilabel";
    private const int CurrentVersion = 1;

    private readonly MultiLabelColumnNames _names;
    private readonly float[] _thresholds;
    private readonly string[]? _labelNames;
    private readonly MultiLabelTraining _training;

    public MultiLabelHead(string labelColumnName, MultiLabelColumnNames names, int labels, bool booleanLabel, float[] thresholds, string[]? labelNames, MultiLabelTraining training)
    {
        LabelColumnName = labelColumnName;
        _names = names;
        LabelCount = labels;
        BooleanLabel = booleanLabel;
        _thresholds = thresholds;
        _labelNames = labelNames;
        _training = training;
        Columns = Describe(names, labels);
        Label = new MultiLabelSource(labelColumnName, training.ExampleWeightColumnName, labels, booleanLabel);
    }

    public override string Name => RegisteredName;

    public override int Version => CurrentVersion;

    public string LabelColumnName { get; }

    /// <summary>Labels per row (L): the network's outputs.</summary>
    public int LabelCount { get; }

    /// <summary>Whether the label column is Boolean (else Single 0/1).</summary>
    public bool BooleanLabel { get; }

    /// <summary>Each label's probability threshold for PredictedLabel.</summary>
    public IReadOnlyList<float> Thresholds => _thresholds;

    /// <summary>The labels' names (the label column's slot names), or null.</summary>
    public IReadOnlyList<string>? LabelNames => _labelNames;

    public override IReadOnlyList<OutputColumn> Columns { get; }

    public override LabelSource Label { get; }

    public override DataViewSchema.Annotations? LabelKeyValues => _labelNames is null ? null : SlotNames(_labelNames);

    public override IReadOnlyList<MetricDefinition> Metrics => MultiLabelScores.Definitions;

    private static OutputColumn[] Describe(MultiLabelColumnNames names, int labels) =>
    [
        new(names.Score, OutputKind.Vector, labels, ClassNames: ClassNames.SlotNames),
        new(names.Probability, OutputKind.Vector, labels, ClassNames: ClassNames.SlotNames),
        new(names.PredictedLabel, OutputKind.BooleanVector, labels, ClassNames: ClassNames.SlotNames),
    ];

    public override int NetworkOutputSize(int inputSize) => LabelCount;

    public override string Describe()
        => FormattableString.Invariant($"multi-label classification, {LabelCount} labels") + (_labelNames is null ? "" : " " + string.Join(", ", _labelNames));

    public override string ChecksummedFields()
        => FormattableString.Invariant($"{LabelColumnName}|{_names.Score}|{_names.Probability}|{_names.PredictedLabel}|{LabelCount}|{BooleanLabel}|") +
           string.Join(",", _thresholds.Select(t => t.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "|" +
           (_labelNames is null ? "-" : string.Join("\u001f", _labelNames));

    public override IEnumerable<(string Name, string Value)> FingerprintEntries()
    {
        yield return ("PositiveWeights", _training.PositiveWeights is { } weights
            ? string.Join(", ", weights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) : "none");
        if (_training.ExampleWeightColumnName is { } column)
            yield return ("ExampleWeightColumnName", column);
        // Only when set, so that checkpoints written before the option existed still match their fit.
        if (_training.LabelSmoothing > 0)
            yield return ("LabelSmoothing", _training.LabelSmoothing.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    public override void CheckArchitecture(NetworkArchitecture architecture)
    {
        if (architecture is AutoencoderArchitecture or ForecastArchitecture)
            throw ModelFileErrors.Corrupt("a multi-label network holds an autoencoder or a forecaster.");
    }

    public override HeadLoss CreateLoss(Device device)
    {
        if (_training.PositiveWeights is { } weights && weights.Count != LabelCount)
            throw new ArgumentException(FormattableString.Invariant($"PositiveWeights has {weights.Count} entries but label column '{LabelColumnName}' has {LabelCount} labels; give one weight per label."), "PositiveWeights");
        return new MultiLabelLoss(Label, _training.PositiveWeights, _training.LabelSmoothing, device);
    }

    public override MetricAccumulator CreateMetrics() => new MultiLabelScores.Accumulator(Label, LabelCount, _thresholds);

    public override Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var scope = NewDisposeScope();
        var logits = module.forward(input);
        var probabilities = nn.functional.sigmoid(logits);
        var thresholds = tensor(_thresholds, device: logits.device);
        return cat([logits, probabilities, probabilities.gt(thresholds).to_type(ScalarType.Float32)], 1).MoveToOuterDisposeScope();
    }

    public override string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize)
    {
        string logits = Exportable(graph, module).ExportOnnx(graph, rows, inputSize);
        string probabilities = graph.Op("Sigmoid", logits);
        string thresholds = graph.Floats(_thresholds, [1, LabelCount], "thresholds");
        return [graph.Op("Identity", logits), probabilities, graph.Op("Greater", [probabilities, thresholds])];
    }

    /// <summary>
    /// With threshold tuning and validation rows, each label's threshold is the probability that maximises its F1 on the
    /// validation rows (the midpoint between neighbouring probabilities; 0.5 for a label without positives there).
    /// </summary>
    public override NetworkHead Complete(nn.Module<Tensor, Tensor> module, BatchSource training, BatchSource? validation, int batchSize, IChannel channel, System.Threading.CancellationToken cancellation)
    {
        if (!_training.TuneThresholds || validation is null)
            return this;
        var scores = new MultiLabelScores.Collector(Label, LabelCount);
        using (no_grad())
        {
            module.eval();
            validation.ForEachInOrder(batchSize, (x, labels) => scores.Add(nn.functional.sigmoid(module.forward(x)), labels), cancellation);
        }
        var tuned = scores.BestF1Thresholds();
        channel.Info("Thresholds tuned for the best F1 of each label on the validation rows: " +
            string.Join(", ", tuned.Select((t, i) => $"{_labelNames?[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)} {t.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}")) + ".");
        return new MultiLabelHead(LabelColumnName, _names, LabelCount, BooleanLabel, tuned, _labelNames, _training);
    }

    private protected override void WriteFields(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(LabelColumnName);
        ctx.SaveNonEmptyString(_names.Score);
        ctx.SaveNonEmptyString(_names.Probability);
        ctx.SaveNonEmptyString(_names.PredictedLabel);
        ctx.Writer.Write(LabelCount);
        ctx.Writer.Write(BooleanLabel);
        foreach (float threshold in _thresholds)
            ctx.Writer.Write(threshold);
        ctx.Writer.Write(_labelNames is not null);
        foreach (var name in _labelNames ?? [])
            ctx.Writer.Write(name);
    }

    /// <summary>Reads the fields <see cref="WriteFields"/> writes, checking counts against the bytes left.</summary>
    internal static MultiLabelHead ReadFields(ModelLoadContext ctx, int version)
    {
        if (version > CurrentVersion)
            throw Newer(RegisteredName, version, CurrentVersion);
        string label = ctx.LoadNonEmptyString();
        var names = new MultiLabelColumnNames(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
        int count = ctx.Reader.ReadInt32();
        bool booleanLabel = ctx.Reader.ReadBoolean();
        if (count < 1 || (long)count * sizeof(float) > WeightReader.Remaining(ctx.Reader.BaseStream))
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"a multi-label head with {count} labels."));
        var thresholds = new float[count];
        for (int i = 0; i < count; i++)
        {
            thresholds[i] = ctx.Reader.ReadSingle();
            if (!(thresholds[i] >= 0 && thresholds[i] <= 1))
                throw ModelFileErrors.Corrupt(FormattableString.Invariant($"label {i}'s threshold is {thresholds[i]}."));
        }
        string[]? labelNames = null;
        if (ctx.Reader.ReadBoolean())
        {
            labelNames = new string[count];
            for (int i = 0; i < count; i++)
                labelNames[i] = ctx.Reader.ReadString();
        }
        return new MultiLabelHead(label, names, count, booleanLabel, thresholds, labelNames, MultiLabelTraining.None);
    }

    /// <summary>A SlotNames annotation of <paramref name="names"/>.</summary>
    private static DataViewSchema.Annotations SlotNames(string[] names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.AddSlotNames(names.Length, (ref VBuffer<ReadOnlyMemory<char>> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, names.Length);
            for (int i = 0; i < names.Length; i++)
                editor.Values[i] = names[i].AsMemory();
            dst = editor.Commit();
        });
        return builder.ToAnnotations();
    }

    /// <summary>The label's slot names as text, or null when it has none.</summary>
    internal static string[]? ReadSlotNames(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.SlotNames) is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
            return null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        label.GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    /// <summary>The label column's size and item type, or a schema-mismatch error naming it.</summary>
    private static (int Size, bool Boolean) CheckLabel(string name, DataViewType? itemType, bool knownSizeVector, int size, string actual)
    {
        bool boolean = itemType == BooleanDataViewType.Instance;
        if (!knownSizeVector || !(boolean || itemType == NumberDataViewType.Single))
            throw SchemaChecks.Mismatch("label", name, "a known-size vector of Boolean or of Single (0/1), one value per label", actual,
                "Build the label vector with mlContext.Transforms.Concatenate over one Boolean column per label.");
        return (size, boolean);
    }

    /// <summary>The multi-label head a label column, output column names and training settings ask for.</summary>
    internal sealed class Spec(string labelColumnName, MultiLabelColumnNames names, MultiLabelTraining training) : HeadSpec
    {
        private readonly MultiLabelColumnNames _names = names;

        public override IEnumerable<SchemaShape.Column> OutputShape(SchemaShape inputSchema)
        {
            var label = SchemaChecks.FindLabelColumn(inputSchema, labelColumnName);
            CheckLabel(label.Name, label.ItemType, label.Kind == SchemaShape.Column.VectorKind.Vector, 0, label.GetTypeString());
            LabelSource.CheckWeightColumn(inputSchema, training.ExampleWeightColumnName);
            return Describe(_names, 0).Select(column => column.ToShape(label));
        }

        public override NetworkHead Resolve(DataViewSchema trainingSchema, NetworkArchitecture architecture, int inputSize)
        {
            var label = SchemaChecks.FindLabelColumn(trainingSchema, labelColumnName);
            var vector = label.Type as VectorDataViewType;
            var (size, boolean) = CheckLabel(label.Name, vector?.ItemType, vector is { IsKnownSize: true }, vector?.Size ?? 0, label.Type.ToString()!);
            var thresholds = Enumerable.Repeat(0.5f, size).ToArray();
            return new MultiLabelHead(labelColumnName, _names, size, boolean, thresholds, ReadSlotNames(label),
                training);
        }

        public override void CheckValidationData(DataViewSchema validationSchema, NetworkHead head)
        {
            var label = SchemaChecks.FindLabelColumn(validationSchema, labelColumnName);
            var trained = (MultiLabelHead)head;
            int expected = trained.LabelCount;
            if (label.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.Size != expected || (vector.ItemType == BooleanDataViewType.Instance) != trained.BooleanLabel)
                throw SchemaChecks.Mismatch("label", labelColumnName, FormattableString.Invariant($"the training label's type ({expected} labels)"),
                    label.Type.ToString()! + " in the validation data", "Prepare the validation data with the same pipeline as the training data.");
            LabelSource.CheckWeightColumn(SchemaShape.Create(validationSchema), training.ExampleWeightColumnName);
        }
    }
}

/// <summary>What only a multi-label fit uses: positive weights, the example-weight column, threshold tuning, label smoothing.</summary>
internal sealed record MultiLabelTraining(IReadOnlyList<float>? PositiveWeights, string? ExampleWeightColumnName, bool TuneThresholds, float LabelSmoothing = 0)
{
    /// <summary>A loaded head's: nothing.</summary>
    public static MultiLabelTraining None { get; } = new(null, null, false);
}
