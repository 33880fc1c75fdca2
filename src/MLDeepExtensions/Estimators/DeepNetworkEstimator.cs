using Microsoft.ML.Runtime;

namespace MLDeepExtensions;

/// <summary>
/// Trains a deep neural network (TorchSharp/libtorch) on a feature column and a label, and adds its predictions to the data.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Features: a known-size vector of Single (MLP, CNN, fixed-length RNN), a variable-length Single vector or a vector of keys (RNN; see <see cref="RnnArchitecture"/>). Label: Key (multiclass), Boolean (binary), Single or known-size Single vector (regression).</description></item>
/// <item><term>Output columns</term><description>Multiclass: Score (class probabilities), PredictedLabel (key). Binary: Score (logit), Probability, PredictedLabel (Boolean). Regression: Score.</description></item>
/// <item><term>Needs normalization</term><description>No for an MLP, which standardizes its inputs itself (<see cref="MlpArchitecture.StandardizeInputs"/>); other architectures train much better on normalized features (NormalizeMeanVariance with fixZero: false).</description></item>
/// <item><term>Needs a GPU</term><description>No; trains on the CPU with TorchSharp-cpu.</description></item>
/// <item><term>Permutation feature importance</term><description>Yes, for Single vector features.</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes: <c>mlContext.Model.ConvertToOnnx</c> exports the whole pipeline (opsets 9–12; variable-length sequences need 11). Custom modules (<see cref="CustomArchitecture"/>) are not: the export says so. See README, "Export to ONNX".</description></item>
/// </list>
/// The fit reads the data into contiguous tensors (or streams it from a cursor each epoch when it is larger than the
/// memory budget, see <see cref="DataLoadingOptions"/>), then runs the training loop; see <see cref="DeepNetworkOptions"/>.
/// The estimator keeps its own copy of the options, validated when it is created.
/// </remarks>
public sealed class DeepNetworkEstimator : NetworkEstimatorBase<DeepNetworkTransformer>
{
    internal DeepNetworkEstimator(IHostEnvironment env, DeepNetworkOptions options)
        : base(env, options, (host, network) => new DeepNetworkTransformer(host, network))
    {
    }

    /// <summary>A copy of the options this estimator trains with; changing it does not change the estimator.</summary>
    public DeepNetworkOptions Options => (DeepNetworkOptions)CopyOfOptions();
}
