using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Persistence;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(AutoencoderTransformer), null, typeof(SignatureLoadModel),
    "Autoencoder Transformer", AutoencoderTransformer.LoaderSignature)]

namespace MLDeepExtensions;

/// <summary>
/// A trained autoencoder inside an ML.NET pipeline: adds Embedding, Reconstruction and Score (reconstruction error),
/// and PredictedLabel when trained as an anomaly detector. Saves and loads with <c>mlContext.Model</c>.
/// </summary>
public sealed class AutoencoderTransformer : NetworkTransformerBase
{
    internal const string LoaderSignature = "AutoencoderTransformer";

    internal AutoencoderTransformer(IHostEnvironment env, AutoencoderModel model)
        : base(env, CreateScorer(model), model.Architecture.CreateEncoder(model.InputSize), model.FeatureColumnName, model.ScoringBatchSize)
    {
        Model = model;
    }

    /// <summary>The architecture the network was built from.</summary>
    public AutoencoderArchitecture Architecture => Model.Architecture;

    /// <summary>The anomaly threshold on Score (reconstruction error), or null when not trained for anomaly detection.</summary>
    public double? Threshold => Model.Threshold;

    /// <summary>The metrics of every training epoch (loss = mean squared reconstruction error).</summary>
    public TrainingHistory History => Model.History;

    /// <summary>Where the network scores.</summary>
    public string Device => Model.Device.ToString();

    internal AutoencoderModel Model { get; }

    private static NetworkScorer CreateScorer(AutoencoderModel model)
    {
        var module = model.Module;
        Tensor Compute(Tensor x)
        {
            var latent = module.Encode(x);
            var reconstruction = module.Decode(latent);
            var error = (reconstruction - x).square().mean(new long[] { 1 }, keepdim: true);
            return cat(new[] { latent, reconstruction, error }, 1);
        }
        return new NetworkScorer(module, Compute, model.InputSize, AutoencoderLayout.Width(model.Architecture.LatentSize, model.InputSize), model.Device);
    }

    private protected override OutputLayout CreateLayout(DataViewSchema inputSchema)
        => new AutoencoderLayout(Model.Names, Model.Architecture.LatentSize, Model.InputSize, Model.Threshold, inputSchema);

    private protected override void SaveModel(ModelSaveContext ctx) => AutoencoderFormat.Save(ctx, Model);

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static AutoencoderTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        return new AutoencoderTransformer(env, AutoencoderFormat.Load(env, ctx));
    }
}
