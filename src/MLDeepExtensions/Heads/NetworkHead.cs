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
/// One kind of learning on top of a network, fitted: what the label is (or that there is none), the loss, the tensor
/// post-processing of the network's output into the values of the output columns, the columns themselves, and the
/// head's own fields in the model file. The estimator, the training loop, the scorer and the model format are shared;
/// a head is what differs between a classifier, a regressor and an autoencoder.
/// </summary>
internal abstract class NetworkHead
{
    /// <summary>The stable name saved in the model file.</summary>
    public abstract string Name { get; }

    /// <summary>The version of the head's fields in the model file that <see cref="WriteFields"/> writes.</summary>
    public abstract int Version { get; }

    /// <summary>The output columns, in the order their values follow each other in the scorer's row of floats.</summary>
    public abstract IReadOnlyList<OutputColumn> Columns { get; }

    /// <summary>Floats per scored row: the widths of <see cref="Columns"/> added up.</summary>
    public int OutputWidth => Columns.Sum(c => c.Width);

    /// <summary>The label, or null when the network learns to reproduce its input.</summary>
    public abstract LabelSource? Label { get; }

    /// <summary>The label's class names (its KeyValues annotation) that output columns carry, or null.</summary>
    public virtual DataViewSchema.Annotations? LabelKeyValues => null;

    /// <summary>Width of the network's last layer for inputs of <paramref name="inputSize"/> values.</summary>
    public abstract int NetworkOutputSize(int inputSize);

    /// <summary>
    /// What the network learns, in words that differ when two fits cannot share weights or a checkpoint: the task, the
    /// output size and the class names (not column names). E.g. "multiclass classification, 3 outputs, classes a, b, c".
    /// </summary>
    public abstract string Describe();

    /// <summary>Every field the head saves, as text (for the model file's checksum of its fields).</summary>
    public abstract string ChecksummedFields();

    /// <summary>Throws <see cref="InvalidDataException"/> when a model file pairs this head with an architecture it cannot work with.</summary>
    public abstract void CheckArchitecture(NetworkArchitecture architecture);

    /// <summary>The loss a fit trains with, on <paramref name="device"/>; throws when the fit's options do not suit the task (e.g. class weights for regression).</summary>
    public abstract HeadLoss CreateLoss(Device device);

    /// <summary>The metrics <see cref="CreateMetrics"/> computes on validation data each epoch, in the order they are reported.</summary>
    public abstract IReadOnlyList<MetricDefinition> Metrics { get; }

    /// <summary>A fresh accumulator of <see cref="Metrics"/> for one pass over the validation data.</summary>
    public abstract MetricAccumulator CreateMetrics();

    /// <summary>What the head adds to a checkpoint's description of its fit (see <see cref="TrainingFingerprint"/>), beyond <see cref="Describe"/>.</summary>
    public virtual IEnumerable<(string Name, string Value)> FingerprintEntries() => [];

    /// <summary>The values of every output column for a batch of encoded rows, [rows, <see cref="OutputWidth"/>]; the module is in eval mode.</summary>
    public abstract Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input);

    /// <summary>
    /// <see cref="Score"/> in an ONNX graph: one variable per column of <see cref="Columns"/>, in its ONNX type (float,
    /// uint32 for a key, bool), from the encoded <paramref name="rows"/> [batch, <paramref name="inputSize"/>].
    /// </summary>
    public abstract string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize);

    /// <summary>The module as an <see cref="IOnnxModule"/>, or an error naming it.</summary>
    private protected static IOnnxModule Exportable(OnnxGraph graph, nn.Module<Tensor, Tensor> module)
        => module as IOnnxModule ?? throw new System.NotSupportedException(
            $"The {graph.Owner} cannot be exported to ONNX: its module {module.GetType().Name} has no ONNX form. Score it with the {graph.Owner} itself.");

    /// <summary>
    /// Checks what the head needs of weights imported from <paramref name="weightsPath"/> (InitialWeights) beyond their
    /// names and shapes, before they are read: a classifier's class order. Nothing by default.
    /// </summary>
    public virtual void CheckImportedWeights(string weightsPath, IChannel channel)
    {
    }

    /// <summary>The label whose target values the head wants measured before a fit from random weights (see <see cref="BeginTraining"/>), or null.</summary>
    public virtual LabelSource? MeasuredTargets => null;

    /// <summary>
    /// Runs once before a fit from random weights trains, with the moments of <see cref="MeasuredTargets"/> on the
    /// training rows: returns the head to train with (e.g. one that learns a standardized label), logging what it did.
    /// <paramref name="existingWeights"/> says the module holds a fitted model's or imported weights, not random ones.
    /// </summary>
    public virtual NetworkHead BeginTraining(nn.Module<Tensor, Tensor> module, NetworkArchitecture architecture, FeatureMoments targets, bool existingWeights,
        IChannel channel) => this;

    /// <summary>
    /// Runs once after training on the training and validation rows (null without), before they are freed; returns the
    /// head to save (e.g. with a threshold or calibrated bounds), logging what it did on <paramref name="channel"/>.
    /// </summary>
    public virtual NetworkHead Complete(nn.Module<Tensor, Tensor> module, BatchSource training, BatchSource? validation, int batchSize, IChannel channel,
        System.Threading.CancellationToken cancellation) => this;

    /// <summary>
    /// Throws when the training or validation rows hold a value the head's network cannot train on; runs once before
    /// the first epoch. Nothing by default.
    /// </summary>
    public virtual void CheckData(BatchSource training, BatchSource? validation, int batchSize, System.Threading.CancellationToken cancellation)
    {
    }

    /// <summary>
    /// Throws when encoded rows (rows × <paramref name="inputSize"/> values) hold a value the head's network cannot score,
    /// before either engine runs them, on the CPU (an ONNX graph cannot throw, and a check on the device would wait for a read). Nothing by default.
    /// </summary>
    public virtual void CheckInputs(System.ReadOnlySpan<float> rows, int inputSize)
    {
    }

    /// <summary>The columns for <paramref name="inputSchema"/>; scorer annotations take the next score-column set id.</summary>
    public DataViewSchema.DetachedColumn[] CreateColumns(DataViewSchema inputSchema)
    {
        uint setId = OutputColumn.NextScoreSetId(inputSchema);
        return Columns.Select(c => c.ToColumn(setId, LabelKeyValues)).ToArray();
    }

    /// <summary>Writes the head's name, version and fields into the model stream.</summary>
    public void Write(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(Name);
        ctx.Writer.Write(Version);
        WriteFields(ctx);
    }

    private protected abstract void WriteFields(ModelSaveContext ctx);

    /// <summary>Reads what <see cref="Write"/> wrote; the file's head must be <paramref name="expectedName"/>, the one its transformer has.</summary>
    public static NetworkHead Read(IHostEnvironment env, ModelLoadContext ctx, string expectedName, int inputSize)
    {
        string name = ctx.LoadNonEmptyString();
        int version = ctx.Reader.ReadInt32();
        if (name != expectedName)
            throw ModelFileErrors.Corrupt($"a {expectedName} model holds a '{name}' head.");
        if (!Readers.TryGetValue(name, out var read))
            throw ModelFileErrors.Corrupt($"its head '{name}' is not one this version of MLDeepExtensions knows ({string.Join(", ", Readers.Keys)}).");
        return read(env, ctx, version, inputSize);
    }

    /// <summary>Reads a head's fields of the given version; the model's input width is known by then.</summary>
    private delegate NetworkHead FieldReader(IHostEnvironment env, ModelLoadContext ctx, int version, int inputSize);

    /// <summary>
    /// The head registry: every head a model file may name, by its stable name. Adding a head is one line here, its class
    /// and its estimator's shells; a name not listed is an error, never another head's fallback.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, FieldReader> Readers = new Dictionary<string, FieldReader>
    {
        [SupervisedHead.RegisteredName] = (env, ctx, version, _) => SupervisedHead.ReadFields(env, ctx, version),
        [ReconstructionHead.RegisteredName] = (_, ctx, version, inputSize) => ReconstructionHead.ReadFields(ctx, version, inputSize),
        [ForecastHead.RegisteredName] = (_, ctx, version, _) => ForecastHead.ReadFields(ctx, version),
        [MultiLabelHead.RegisteredName] = (_, ctx, version, _) => MultiLabelHead.ReadFields(ctx, version),
    };

    /// <summary>An error for a head version newer than this library reads.</summary>
    private protected static InvalidDataException Newer(string name, int version, int current)
        => new(System.FormattableString.Invariant($"The model file's '{name}' head has layout version {version}, newer than this version of MLDeepExtensions reads (up to {current}). ") +
               "Load it with the version of MLDeepExtensions that saved it, or a newer one.");
}

/// <summary>What an estimator's options ask of a head, before it has seen data.</summary>
internal abstract class HeadSpec
{
    /// <summary>The output columns as schema shapes (checking the label column, if any), for GetOutputSchema.</summary>
    public abstract IEnumerable<SchemaShape.Column> OutputShape(SchemaShape inputSchema);

    /// <summary>The head for this training data: the label's task, sizes and class names.</summary>
    public abstract NetworkHead Resolve(DataViewSchema trainingSchema, NetworkArchitecture architecture, int inputSize);

    /// <summary>Throws when the validation data's label does not match the training data's.</summary>
    public abstract void CheckValidationData(DataViewSchema validationSchema, NetworkHead head);
}
