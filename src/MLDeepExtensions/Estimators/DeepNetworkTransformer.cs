using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Persistence;

[assembly: LoadableClass(typeof(DeepNetworkTransformer), null, typeof(SignatureLoadModel),
    "Deep Network Transformer", DeepNetworkTransformer.LoaderSignature)]

namespace MLDeepExtensions;

/// <summary>
/// A trained deep network inside an ML.NET pipeline. <c>Transform</c> scores lazily in batches; PredictionEngine
/// scores one row at a time; <c>mlContext.Model.Save</c> stores the network in the model zip and
/// <c>mlContext.Model.Load</c> brings it back in any process, no registration needed. Owns its TorchSharp module:
/// dispose it when done.
/// </summary>
public sealed class DeepNetworkTransformer : ITransformer, IDisposable
{
    internal const string LoaderSignature = "DeepNetworkTransformer";

    private readonly IHost _host;
    private readonly NetworkScorer _scorer;
    private readonly TaskInfo _taskInfo;
    private readonly OutputColumnNames _names;

    internal DeepNetworkTransformer(IHostEnvironment env, NetworkModel model)
    {
        _host = env.Register(nameof(DeepNetworkTransformer));
        Model = model;
        _taskInfo = model.TaskInfo;
        _names = model.Names;
        _scorer = new NetworkScorer(model.Module, model.TaskInfo, model.InputSize, model.Device);
    }

    /// <summary>The name of the feature column the network reads.</summary>
    public string FeatureColumnName => Model.FeatureColumnName;

    /// <summary>The name of the label column the network was trained on.</summary>
    public string LabelColumnName => Model.LabelColumnName;

    /// <summary>The task the network solves.</summary>
    public DeepNetworkTask Task => _taskInfo.Task;

    /// <summary>The architecture the network was built from.</summary>
    public NetworkArchitecture Architecture => Model.Architecture;

    /// <summary>The feature vector size the network expects.</summary>
    public int InputSize => Model.InputSize;

    /// <summary>The width of the network's output layer (classes, 1, or the label vector size).</summary>
    public int OutputSize => _taskInfo.OutputSize;

    /// <summary>The metrics of every training epoch (saved with the model).</summary>
    public TrainingHistory History => Model.History;

    /// <summary>Where the network scores: where it was trained, or after loading the device the MLContext asks for (else CUDA when available, else the CPU).</summary>
    public string Device => Model.Device.ToString();

    /// <summary>Number of trainable weights in the network.</summary>
    public long ParameterCount => Model.ParameterCount;

    internal NetworkModel Model { get; }

    bool ITransformer.IsRowToRowMapper => true;

    /// <summary>The schema <see cref="Transform"/> produces from <paramref name="inputSchema"/>.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>Adds the output columns to <paramref name="input"/>; nothing is scored until a cursor reads them.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoringDataView(input, Bind(input.Schema), Model.ScoringBatchSize);
    }

    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema) => new ScoringRowMapper(Bind(inputSchema));

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_scorer.IsDisposed, this);
        ModelFormat.Save(ctx, Model);
    }

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static DeepNetworkTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        return new DeepNetworkTransformer(env, ModelFormat.Load(env, ctx));
    }

    private BoundScorer Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ObjectDisposedException.ThrowIf(_scorer.IsDisposed, this);
        return new BoundScorer(_scorer, new OutputLayout(_taskInfo, _names, inputSchema), inputSchema, FeatureColumnName);
    }

    /// <summary>Frees the network's native memory. Data views made by <see cref="Transform"/> stop working.</summary>
    public void Dispose() => _scorer.Dispose();
}
