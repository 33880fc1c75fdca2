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

    /// <summary>
    /// A forecast's loss in the scale of each window (see <see cref="Architectures.ForecastModule"/>): the pinball loss
    /// averaged over quantiles and steps, or the squared error for a mean forecast; the metric is minus that loss.
    /// </summary>
    ScaledForecast,
}

/// <summary>
/// A loss and its validation metric (accuracy, or −MSE so that higher is always better). Owns its class-weight tensor.
/// </summary>
internal sealed class LossFunction : IDisposable
{
    private readonly LossKind _kind;
    private readonly Tensor? _classWeights;
    private readonly Tensor? _quantiles;
    private readonly int _horizon;

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

    /// <summary>A forecast's loss (<see cref="LossKind.ScaledForecast"/>): pinball over <paramref name="quantiles"/>, or the squared error when there are none.</summary>
    public LossFunction(IReadOnlyList<float> quantiles, int horizon, Device device)
    {
        _kind = LossKind.ScaledForecast;
        _horizon = horizon;
        if (quantiles.Count > 0)
            _quantiles = tensor(System.Linq.Enumerable.ToArray(quantiles), device: device).reshape(1, quantiles.Count, 1).DetachFromDisposeScope();
    }

    /// <summary>The mean loss of a batch.</summary>
    public Tensor Compute(Tensor output, Tensor labels)
    {
        switch (_kind)
        {
            case LossKind.ScaledForecast:
                return ForecastLosses(output, labels).mean();
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
            case LossKind.ScaledForecast:
                return -ForecastLosses(output, labels).sum().item<float>();
            default:
                var error = output.reshape(labels.shape) - labels;
                long width = labels.dim() == 2 ? labels.shape[1] : 1;
                return -(error * error).sum().item<float>() / width;
        }
    }

    /// <summary>
    /// Each row's forecast loss [rows]: the targets scaled like the window ((target − baseline) / spread, the spread 1 for a
    /// constant window) against the network's outputs [rows, quantiles, horizon].
    /// </summary>
    private Tensor ForecastLosses(Tensor output, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (predicted, baseline, spread) = Architectures.ForecastModule.Split(output, _horizon);
        var target = ((labels.view(output.shape[0], _horizon) - baseline) / spread.masked_fill(spread.eq(0), 1f)).unsqueeze(1);
        var error = target - predicted;
        var losses = _quantiles is null ? error.square() : maximum(_quantiles * error, (_quantiles - 1f) * error);
        return losses.mean([1, 2]).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _classWeights?.Dispose();
        _quantiles?.Dispose();
    }
}
