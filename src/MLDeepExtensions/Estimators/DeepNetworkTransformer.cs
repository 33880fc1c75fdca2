using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Persistence;

[assembly: LoadableClass(typeof(DeepNetworkTransformer), null, typeof(SignatureLoadModel),
    "Deep Network Transformer", DeepNetworkTransformer.LoaderSignature)]

namespace MLDeepExtensions;

/// <summary>
/// A trained supervised network (classifier or regressor) inside an ML.NET pipeline. <c>mlContext.Model.Load</c>
/// brings a saved one back in any process, no registration needed.
/// </summary>
public sealed class DeepNetworkTransformer : NetworkTransformerBase
{
    internal const string LoaderSignature = "DeepNetworkTransformer";

    internal DeepNetworkTransformer(IHostEnvironment env, NetworkModel model)
        : base(env, NetworkScorer.ForPrediction(model.Module, model.TaskInfo, model.InputSize, model.Device),
            model.Architecture.CreateEncoder(model.InputSize), model.FeatureColumnName, model.ScoringBatchSize)
    {
        Model = model;
    }

    /// <summary>The name of the label column the network was trained on.</summary>
    public string LabelColumnName => Model.LabelColumnName;

    /// <summary>The task the network solves.</summary>
    public DeepNetworkTask Task => Model.TaskInfo.Task;

    /// <summary>The architecture the network was built from.</summary>
    public NetworkArchitecture Architecture => Model.Architecture;

    /// <summary>The width of the network's output layer (classes, 1, or the label vector size).</summary>
    public int OutputSize => Model.TaskInfo.OutputSize;

    /// <summary>The metrics of every training epoch (saved with the model).</summary>
    public TrainingHistory History => Model.History;

    /// <summary>Where the network scores: where it was trained, or after loading the device the MLContext asks for (else CUDA when available, else the CPU).</summary>
    public string Device => Model.Device.ToString();

    /// <summary>Number of trainable weights in the network.</summary>
    public long ParameterCount => Model.ParameterCount;

    internal NetworkModel Model { get; }

    private protected override OutputLayout CreateLayout(DataViewSchema inputSchema)
        => new PredictionLayout(Model.TaskInfo, Model.Names, inputSchema);

    private protected override void SaveModel(ModelSaveContext ctx) => ModelFormat.Save(ctx, Model);

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static DeepNetworkTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        return new DeepNetworkTransformer(env, ModelFormat.Load(env, ctx));
    }
}
