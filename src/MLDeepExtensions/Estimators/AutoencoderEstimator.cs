using Microsoft.ML.Runtime;

namespace MLDeepExtensions;

/// <summary>
/// Trains an autoencoder on a feature vector column, without a label, and adds the latent Embedding, the
/// Reconstruction and the per-row reconstruction error (Score); as an anomaly detector also PredictedLabel.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Features: known-size vector of Single (for the convolutional variant, images of the declared C×H×W or with ExtractPixels' dimensions). No label.</description></item>
/// <item><term>Output columns</term><description>Embedding (latent vector), Reconstruction (vector like the input), Score (mean squared reconstruction error); anomaly detection adds PredictedLabel (Boolean, Score above the threshold).</description></item>
/// <item><term>Needs normalization</term><description>Yes: scale features to a common range (e.g. NormalizeMinMax).</description></item>
/// <item><term>Needs a GPU</term><description>No.</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes: <c>mlContext.Model.ConvertToOnnx</c> exports the whole pipeline (opsets 9–12; variable-length sequences need 11). Custom modules (<see cref="AutoencoderArchitecture.Custom"/>) are not: the export says so. See README, "Export to ONNX".</description></item>
/// </list>
/// The anomaly threshold is the <see cref="AutoencoderOptions.ThresholdQuantile"/> quantile of the training rows' errors.
/// The estimator keeps its own copy of the options, validated when it is created.
/// </remarks>
public sealed class AutoencoderEstimator : NetworkEstimatorBase<AutoencoderTransformer>
{
    internal AutoencoderEstimator(IHostEnvironment env, AutoencoderOptions options)
        : base(env, options, (host, network) => new AutoencoderTransformer(host, network))
    {
    }

    /// <summary>A copy of the options this estimator trains with; changing it does not change the estimator.</summary>
    public AutoencoderOptions Options => (AutoencoderOptions)CopyOfOptions();
}
