using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>The losses networks train with.</summary>
internal enum LossKind
{
    /// <summary>Cross entropy over class logits; the metric is accuracy.</summary>
    CrossEntropy,

    /// <summary>Binary cross entropy on one logit; the metric is accuracy.</summary>
    BinaryCrossEntropy,

    /// <summary>Mean squared error; the metric is −MSE (so that higher is better).</summary>
    MeanSquaredError,
}

/// <summary>
/// A loss and its validation metric (accuracy, or −MSE so that higher is always better). Owns its class-weight tensor.
/// </summary>
internal sealed class LossFunction : IDisposable
{
    private readonly LossKind _kind;
    private readonly Tensor? _classWeights;

    /// <param name="kind">The loss.</param>
    /// <param name="classWeights">One weight per class (classification only; the caller checked the count), or null.</param>
    /// <param name="device">Where the weights live.</param>
    public LossFunction(LossKind kind, IReadOnlyList<float>? classWeights, Device device)
    {
        _kind = kind;
        if (classWeights is null)
            return;
        var weights = new float[classWeights.Count];
        for (int i = 0; i < weights.Length; i++)
            weights[i] = classWeights[i];
        _classWeights = tensor(weights, device: device).DetachFromDisposeScope();
    }

    /// <summary>The mean loss of a batch.</summary>
    public Tensor Compute(Tensor output, Tensor labels)
    {
        switch (_kind)
        {
            case LossKind.CrossEntropy:
                return nn.functional.cross_entropy(output, labels, _classWeights);
            case LossKind.BinaryCrossEntropy:
                var logits = output.squeeze(1);
                var sampleWeights = _classWeights is null ? null : _classWeights.index_select(0, labels.to_type(ScalarType.Int64));
                return nn.functional.binary_cross_entropy_with_logits(logits, labels, sampleWeights);
            default:
                return nn.functional.mse_loss(output.reshape(labels.shape), labels);
        }
    }

    /// <summary>The batch's contribution to the metric: correct predictions, or −(sum of squared errors averaged over outputs).</summary>
    public double MetricSum(Tensor output, Tensor labels)
    {
        switch (_kind)
        {
            case LossKind.CrossEntropy:
                return output.argmax(1).eq(labels).sum().item<long>();
            case LossKind.BinaryCrossEntropy:
                return output.squeeze(1).gt(0).to_type(ScalarType.Float32).eq(labels).sum().item<long>();
            default:
                var error = output.reshape(labels.shape) - labels;
                long width = labels.dim() == 2 ? labels.shape[1] : 1;
                return -(error * error).sum().item<float>() / width;
        }
    }

    public void Dispose() => _classWeights?.Dispose();
}
