using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>
/// The loss a task trains with (cross entropy, binary cross entropy on logits, mean squared error) and its
/// validation metric (accuracy, or −MSE so that higher is always better). Owns its class-weight tensor.
/// </summary>
internal sealed class LossFunction : IDisposable
{
    private readonly DeepNetworkTask _task;
    private readonly Tensor? _classWeights;

    public LossFunction(DeepNetworkTask task, int classCount, IReadOnlyList<float>? classWeights, Device device)
    {
        _task = task;
        if (classWeights is null)
            return;
        int expected = task switch
        {
            DeepNetworkTask.MulticlassClassification => classCount,
            DeepNetworkTask.BinaryClassification => 2,
            _ => throw new ArgumentException($"{nameof(DeepNetworkOptions.ClassWeights)} is set, but the task is {task}; class weights apply to classification only.", "options"),
        };
        if (classWeights.Count != expected)
            throw new ArgumentException($"{nameof(DeepNetworkOptions.ClassWeights)} has {classWeights.Count} entries but the label has {expected} classes; give one weight per class in key order ([false, true] for binary).", "options");
        var weights = new float[expected];
        for (int i = 0; i < expected; i++)
            weights[i] = classWeights[i];
        _classWeights = tensor(weights, device: device).DetachFromDisposeScope();
    }

    /// <summary>The mean loss of a batch.</summary>
    public Tensor Compute(Tensor output, Tensor labels)
    {
        switch (_task)
        {
            case DeepNetworkTask.MulticlassClassification:
                return nn.functional.cross_entropy(output, labels, _classWeights);
            case DeepNetworkTask.BinaryClassification:
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
        switch (_task)
        {
            case DeepNetworkTask.MulticlassClassification:
                return output.argmax(1).eq(labels).sum().item<long>();
            case DeepNetworkTask.BinaryClassification:
                return output.squeeze(1).gt(0).to_type(ScalarType.Float32).eq(labels).sum().item<long>();
            default:
                var error = output.reshape(labels.shape) - labels;
                long width = labels.dim() == 2 ? labels.shape[1] : 1;
                return -(error * error).sum().item<float>() / width;
        }
    }

    public void Dispose() => _classWeights?.Dispose();
}
