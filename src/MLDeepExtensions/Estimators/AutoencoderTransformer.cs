using MLDeepExtensions.Model;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Persistence;

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

    private static readonly VersionInfo _versionInfo = ModelFormat.VersionInfo("DEEPAUTO", LoaderSignature);

    internal AutoencoderTransformer(IHostEnvironment env, NetworkModel model)
        : base(env, model, _versionInfo)
    {
    }

    /// <summary>The architecture the network was built from.</summary>
    public new AutoencoderArchitecture Architecture => (AutoencoderArchitecture)base.Architecture;

    /// <summary>The anomaly threshold on Score (reconstruction error), or null when not trained for anomaly detection.</summary>
    public double? Threshold => ((ReconstructionHead)Network.Head).Threshold;

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static AutoencoderTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => new(env, ModelFormat.Load(env, ctx, _versionInfo, ReconstructionHead.RegisteredName));
}
