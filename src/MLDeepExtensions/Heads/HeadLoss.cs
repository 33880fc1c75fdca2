using MLDeepExtensions.Data;
using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// A head's loss, as skorch's get_loss: the mean loss of a batch from the network's output and the batch's label tensor
/// (<see cref="LabelSource.ToTensor"/>). With example weights (the label tensor then carries them) the mean is weighted:
/// Σ wᵢ·lossᵢ / Σ wᵢ·cᵢ, where cᵢ is the row's own weight in the unweighted mean (a class weight, else 1), so that a row
/// of weight 2 counts exactly as the row twice. Owns its tensors (e.g. class weights).
/// </summary>
internal abstract class HeadLoss(LabelSource? label) : IDisposable
{
    /// <summary>The mean loss of a batch, a scalar tensor.</summary>
    public Tensor Compute(Tensor output, Tensor labels)
    {
        if (label is null)
            return Mean(output, labels);
        var (targets, weights) = label.Split(labels);
        if (weights is null)
            return Mean(output, targets);
        using var scope = NewDisposeScope();
        var (losses, rowWeights) = RowLosses(output, targets);
        var denominator = rowWeights is null ? weights.sum() : (weights * rowWeights).sum();
        return ((losses * weights).sum() / denominator.clamp_min(1e-12)).MoveToOuterDisposeScope();
    }

    /// <summary>The sum of the example weights of a batch's rows (its number of rows when unweighted), for averaging batch means.</summary>
    public double RowWeight(Tensor labels)
    {
        if (label is null || label.WeightColumnName is null)
            return labels.shape[0];
        using var scope = NewDisposeScope();
        return label.Split(labels).Weights!.sum().item<float>();
    }

    /// <summary>Per-class or per-label weights as a tensor on <paramref name="device"/> that the loss owns, or null for none.</summary>
    private protected static Tensor? OwnedWeights(IReadOnlyList<float>? weights, Device device)
        => weights is null ? null : tensor(weights.ToArray(), device: device).DetachFromDisposeScope();

    /// <summary>0/1 (or soft) binary targets t smoothed to t(1 − ε) + ε / 2 (Keras's label smoothing); the targets themselves when ε is 0.</summary>
    private protected static Tensor SmoothedBinaryTargets(Tensor targets, float smoothing)
        => smoothing > 0 ? targets.mul(1 - smoothing).add_(smoothing / 2) : targets;

    /// <summary>The unweighted mean loss: the computation every fit without example weights has always run.</summary>
    private protected abstract Tensor Mean(Tensor output, Tensor targets);

    /// <summary>Each row's loss [rows], already multiplied by its own weight in the mean (a class weight), and that weight (null: 1).</summary>
    private protected abstract (Tensor Losses, Tensor? Weights) RowLosses(Tensor output, Tensor targets);

    public virtual void Dispose()
    {
    }
}

/// <summary>
/// The mean squared error over every output, [rows] or [rows, size] targets (regression, reconstruction); with a
/// <see cref="LabelStandardization"/>, against the standardized targets.
/// </summary>
internal sealed class SquaredErrorLoss(LabelSource? label, LabelStandardization? standardization = null) : HeadLoss(label)
{
    private protected override Tensor Mean(Tensor output, Tensor targets)
    {
        if (standardization is null)
            return nn.functional.mse_loss(output.reshape(targets.shape), targets);
        using var standardized = standardization.Standardize(targets);
        return nn.functional.mse_loss(output.reshape(targets.shape), standardized);
    }

    private protected override (Tensor Losses, Tensor? Weights) RowLosses(Tensor output, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var error = output.reshape(targets.shape) - (standardization?.Standardize(targets) ?? targets);
        var squared = error * error;
        return ((squared.dim() == 1 ? squared : squared.mean([1])).MoveToOuterDisposeScope(), null);
    }
}
