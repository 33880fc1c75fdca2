using MLDeepExtensions.Model;
using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Persistence;
using MLDeepExtensions.Scoring;

namespace MLDeepExtensions;

/// <summary>
/// What every trained network does inside a pipeline: <c>Transform</c> scores lazily in batches, PredictionEngine
/// scores one row at a time, and <c>mlContext.Model.Save</c> stores the network in the model zip. Owns its
/// TorchSharp module: dispose it when done.
/// </summary>
public abstract class NetworkTransformerBase : ITransformer, IDisposable
{
    private readonly VersionInfo _versionInfo;

    /// <param name="env">The environment.</param>
    /// <param name="network">The trained or loaded network.</param>
    /// <param name="versionInfo">The model and loader signatures the transformer is saved under (one format, <see cref="ModelFormat"/>).</param>
    private protected NetworkTransformerBase(IHostEnvironment env, NetworkModel network, VersionInfo versionInfo)
    {
        ArgumentNullException.ThrowIfNull(env);
        Host = env.Register(GetType().Name);
        Network = network;
        _versionInfo = versionInfo;
        Encoder = network.Architecture.CreateEncoder(network.InputSize);
        Scorer = new NetworkScorer(network, Host) { OwnerName = GetType().Name };
    }

    /// <summary>The name of the feature column the network reads.</summary>
    public string FeatureColumnName => Network.FeatureColumnName;

    /// <summary>Values per network input row: the feature vector size (for variable-length sequences, one length plus the longest sequence kept).</summary>
    public int InputSize => Network.InputSize;

    /// <summary>
    /// What runs the network when it scores: <see cref="MLDeepExtensions.ScoringEngine.Auto"/> (ONNX Runtime when the network
    /// can be written as an ONNX graph, every built-in architecture and head; libtorch for your own modules, and for a
    /// network on a GPU that ONNX Runtime's CUDA provider cannot run on), <see cref="MLDeepExtensions.ScoringEngine.Torch"/>
    /// or <see cref="MLDeepExtensions.ScoringEngine.OnnxRuntime"/>. See <see cref="ActiveExecutionProvider"/> for where ONNX Runtime runs.
    /// Applies to the cursors, prediction engines and forecasts created after it is set; the outputs are the same columns,
    /// key values and NaN handling with either engine, their values within 1e-5 of each other. The ONNX graph is built from
    /// the network the first time ONNX Runtime scores. Default: the options' <c>ScoringEngine</c>; Auto for a loaded model.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="MLDeepExtensions.ScoringEngine"/>.</exception>
    public ScoringEngine ScoringEngine
    {
        get => Scorer.Requested;
        set
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Use ScoringEngine.Auto, Torch or OnnxRuntime.");
            Scorer.Requested = value;
        }
    }

    /// <summary>
    /// The engine that scores now: <see cref="ScoringEngine"/> resolved (Auto becomes OnnxRuntime or Torch).
    /// </summary>
    /// <exception cref="NotSupportedException"><see cref="ScoringEngine"/> is OnnxRuntime and the network cannot be written as an ONNX graph (your own module).</exception>
    public ScoringEngine ActiveScoringEngine
    {
        get
        {
            ThrowIfDisposed();
            return Scorer.Active;
        }
    }

    /// <summary>
    /// Where ONNX Runtime runs the network when it scores it (<see cref="ActiveScoringEngine"/> is OnnxRuntime): CUDA when
    /// the application's ONNX Runtime build has the CUDA execution provider (<c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> or
    /// <c>.Gpu.Windows</c>), the network's device asks for a GPU (its module is on one, or the device asked for is
    /// <see cref="ComputeDevice.Auto"/> or <see cref="ComputeDevice.Cuda"/>, from the options or MLContext.GpuDeviceId)
    /// and the session opens on it; the CPU otherwise. The choice and its reason are logged once, when the session opens
    /// (a warning when CUDA was tried and failed). Null when libtorch scores.
    /// </summary>
    /// <exception cref="NotSupportedException"><see cref="ScoringEngine"/> is OnnxRuntime and the network cannot be written as an ONNX graph (your own module).</exception>
    public OnnxExecutionProvider? ActiveExecutionProvider
    {
        get
        {
            ThrowIfDisposed();
            return Scorer.ActiveProvider?.Provider;
        }
    }

    /// <summary>Rows per forward pass in <see cref="Transform"/>.</summary>
    public int ScoringBatchSize => Network.ScoringBatchSize;

    /// <summary>The architecture the network was built from, with what the training data decided filled in (image shape, sequence form).</summary>
    public NetworkArchitecture Architecture => Network.Architecture;

    /// <summary>The metrics of every training epoch (saved with the model).</summary>
    public TrainingHistory History => Network.History;

    /// <summary>Where the network scores: where it was trained, or after loading the device the MLContext asks for (else CUDA when available, else the CPU); the CPU for a model loaded where libtorch is missing (ONNX Runtime scores it).</summary>
    public ComputeDevice Device => Network.IsBuilt ? ComputeDevice.Of(Network.Device) : ComputeDevice.Cpu;

    /// <summary>Number of trainable weights in the network.</summary>
    public long ParameterCount => Network.ParameterCount;

    /// <summary>
    /// The network's layers that hold weights, from input to output (e.g. <c>features.conv0</c>, <c>features.norm0</c>,
    /// …, <c>head.output</c>): the names <see cref="LayerSelection"/> selects by.
    /// </summary>
    public System.Collections.Generic.IReadOnlyList<string> LayerNames
    {
        get
        {
            ThrowIfDisposed();
            return Training.NetworkLayers.Names(Network.Module);
        }
    }

    /// <summary>
    /// What the network is made of, like Keras's <c>model.summary()</c>: its layers (named as in <see cref="LayerNames"/>)
    /// with output shapes and weight counts, which of them were frozen in the fit that made this transformer
    /// (<see cref="NetworkTrainingOptions.FrozenLayers"/>; a loaded model's layers are all trainable again), the totals
    /// (equal to <see cref="ParameterCount"/>), the input width and columns, and the task. <see cref="ToString"/> prints it.
    /// The shapes are measured by running two placeholder rows through a fresh copy of the network, so this transformer
    /// can go on scoring meanwhile.
    /// </summary>
    public NetworkSummary Summary()
    {
        ThrowIfDisposed();
        return NetworkSummaries.Create(Network.Architecture, Network.InputSize, Network.Head, Network.FeatureColumnName, Network.Module, frozenLayers: null);
    }

    /// <summary>
    /// The transformer's type and its <see cref="Summary"/> as a text table; only the type and architecture when disposed,
    /// or when the network was loaded for ONNX Runtime and its TorchSharp module was not built (call <see cref="Summary"/>).
    /// </summary>
    public override string ToString()
    {
        return Scorer.IsDisposed || !Network.IsBuilt ? $"{GetType().Name} ({Network.Architecture})" : GetType().Name + Environment.NewLine + Summary();
    }

    /// <summary>
    /// Writes the network's weights for PyTorch: a <c>state_dict</c> as <c>torch.save</c> writes it (.pt or .pth; load it in
    /// Python with <c>module.load_state_dict(torch.load(path))</c>) or safetensors (.safetensors). The names are the
    /// ones in <see cref="LayerNames"/> with <c>.weight</c>, <c>.bias</c>, … (the architectures' documentation lists
    /// them with the equivalent PyTorch modules); float32 values, copied to the CPU. An existing file is replaced.
    /// A multiclass network also writes its class names in key order beside the weights, as
    /// <c>&lt;path&gt;.classes.json</c> (<c>{"version": 1, "classes": [...]}</c>: output <c>i</c>, PyTorch's class index
    /// <c>i</c>, is <c>classes[i]</c>, ML.NET's key <c>i + 1</c>); an import checks the label's order against it.
    /// </summary>
    /// <param name="path">The file to write; its extension picks the format.</param>
    /// <exception cref="ArgumentException">The extension is not .pt, .pth, .bin or .safetensors.</exception>
    public void ExportWeights(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var format = PyTorchWeights.FormatOf(path, nameof(path));
        ThrowIfDisposed();
        PyTorchWeights.Save(Network.Module, path, format);
        ClassOrderFile.Write(path, Network.Head.LabelKeyValues is { } classes ? KeyValuesCodec.Names(classes) : null);
    }

    /// <summary>The network to continue training from; an <see cref="ObjectDisposedException"/> when this transformer was disposed.</summary>
    internal NetworkModel NetworkForContinuing(string parameterName)
    {
        if (Scorer.IsDisposed)
            throw new ObjectDisposedException(GetType().Name, $"{parameterName} ({GetType().Name}) was disposed, so its weights are gone; " +
                "continue from a model that is still in use, or load it again with mlContext.Model.Load.");
        return Network;
    }

    internal NetworkModel Network { get; }

    private protected IHost Host { get; }

    private protected FeatureEncoder Encoder { get; }

    private protected NetworkScorer Scorer { get; }

    bool ITransformer.IsRowToRowMapper => true;

    /// <summary>The schema <see cref="Transform"/> produces from <paramref name="inputSchema"/>.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>Adds the output columns to <paramref name="input"/>; nothing is scored until a cursor reads them.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoringDataView(input, Bind(input.Schema), ScoringBatchSize);
    }

    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema) => new ScoringRowMapper(Bind(inputSchema));

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ThrowIfDisposed();
        ModelFormat.Save(ctx, _versionInfo, Network, Scorer.GraphForSaving());
    }

    private BoundScorer Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        return new BoundScorer(Scorer, Encoder, Network.Head, inputSchema, FeatureColumnName);
    }

    private protected void ThrowIfDisposed()
    {
        if (Scorer.IsDisposed)
            throw new ObjectDisposedException(GetType().Name, NetworkScorer.DisposedMessage(GetType().Name));
    }

    /// <summary>Frees the network's native memory. Data views made by <see cref="Transform"/> stop working.</summary>
    public void Dispose()
    {
        Scorer.Dispose();
        GC.SuppressFinalize(this);
    }
}
