using Microsoft.ML.Runtime;

namespace MLDeepExtensions;

/// <summary>
/// Trains a multi-label classifier (TorchSharp/libtorch): each row may carry any number of L labels.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Features as for <see cref="DeepNetworkEstimator"/>. Label: a known-size vector of Boolean, or of Single 0/1. Optional example weights (Single).</description></item>
/// <item><term>Output columns</term><description>Score (L logits), Probability (L probabilities), PredictedLabel (L Booleans); each carries the label's slot names.</description></item>
/// <item><term>Needs a GPU</term><description>No.</description></item>
/// <item><term>Permutation feature importance</term><description>No: ML.NET's PFI has no multi-label evaluator.</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes, as the other built-in networks (PredictedLabel as a bool tensor).</description></item>
/// </list>
/// Evaluate with <c>mlContext.MultiLabelClassification.Evaluate</c>. See <see cref="MultiLabelOptions"/>.
/// </remarks>
public sealed class MultiLabelEstimator : NetworkEstimatorBase<MultiLabelTransformer>
{
    internal MultiLabelEstimator(IHostEnvironment env, MultiLabelOptions options)
        : base(env, options, (host, network) => new MultiLabelTransformer(host, network))
    {
    }

    /// <summary>A copy of the options this estimator trains with; changing it does not change the estimator.</summary>
    public MultiLabelOptions Options => (MultiLabelOptions)CopyOfOptions();
}
