using System;

namespace MLDeepExtensions;

/// <summary>What one finished epoch measured; reported through <see cref="NetworkTrainingOptions.Progress"/> and kept in <see cref="TrainingHistory"/>.</summary>
/// <param name="Epoch">The epoch number, starting at 1.</param>
/// <param name="TrainingLoss">Mean loss over the epoch's training batches.</param>
/// <param name="ValidationLoss">Mean loss on the validation data, or null without validation data.</param>
/// <param name="ValidationMetric">Accuracy (classification) or −MSE (regression) on the validation data, or null without it.</param>
/// <param name="LearningRate">The learning rate used during the epoch.</param>
/// <param name="Elapsed">Time since training started, at the end of the epoch.</param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainingLoss,
    double? ValidationLoss,
    double? ValidationMetric,
    double LearningRate,
    TimeSpan Elapsed)
{
    /// <inheritdoc/>
    public override string ToString()
        => FormattableString.Invariant($"epoch {Epoch}: loss {TrainingLoss:F4}") +
           (ValidationLoss is double vl ? FormattableString.Invariant($", val loss {vl:F4}") : "") +
           (ValidationMetric is double vm ? FormattableString.Invariant($", val metric {vm:F4}") : "") +
           FormattableString.Invariant($", lr {LearningRate:G3}, {Elapsed.TotalSeconds:F1}s");
}
