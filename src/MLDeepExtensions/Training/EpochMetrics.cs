using System;
using System.Collections.Generic;
using System.Linq;

namespace MLDeepExtensions;

/// <summary>What one finished epoch measured; reported through <see cref="NetworkTrainingOptions.Progress"/> and kept in <see cref="TrainingHistory"/>.</summary>
/// <param name="Epoch">The epoch number, starting at 1.</param>
/// <param name="TrainingLoss">Mean loss over the epoch's training batches.</param>
/// <param name="ValidationLoss">Mean loss on the validation data, or null without validation data.</param>
/// <param name="ValidationMetric">
/// The head's main metric on the validation data, higher is better: accuracy (classification), −MSE (regression, reconstruction)
/// or minus the scaled forecast loss; null without validation data. Every metric the head computes is in <see cref="ValidationMetrics"/>.
/// </param>
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
    /// <summary>No validation metrics (an epoch without validation data).</summary>
    internal static IReadOnlyDictionary<string, double> NoMetrics { get; } = new Dictionary<string, double>();

    /// <summary>
    /// Every validation metric the head computes, by name (e.g. "Accuracy", "LogLoss", "AreaUnderRocCurve" for a binary
    /// classifier; "MeanAbsoluteError", "RootMeanSquaredError", "RSquared" for regression), in the head's order; empty
    /// without validation data. Early stopping and checkpoints can watch any of them.
    /// </summary>
    public IReadOnlyDictionary<string, double> ValidationMetrics { get; init; } = NoMetrics;

    /// <summary>
    /// Training throughput of the epoch: training rows divided by the time its training batches took (validation not
    /// counted), &gt; 0; null when the loop did not measure it (an epoch read back from a saved model or a checkpoint).
    /// A timing of this run, so neither saved nor compared by <see cref="Equals(EpochMetrics)"/>.
    /// </summary>
    public double? RowsPerSecond { get; init; }

    /// <summary>Equal when every field and every validation metric are equal.</summary>
    public bool Equals(EpochMetrics? other)
        => other is not null && Epoch == other.Epoch && TrainingLoss.Equals(other.TrainingLoss) && Nullable.Equals(ValidationLoss, other.ValidationLoss)
           && Nullable.Equals(ValidationMetric, other.ValidationMetric) && LearningRate.Equals(other.LearningRate) && Elapsed == other.Elapsed
           && ValidationMetrics.Count == other.ValidationMetrics.Count
           && ValidationMetrics.All(m => other.ValidationMetrics.TryGetValue(m.Key, out var value) && m.Value.Equals(value));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Epoch, TrainingLoss, ValidationLoss, ValidationMetric, LearningRate, Elapsed, ValidationMetrics.Count);

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"epoch {Epoch}: ") + Measurements();

    /// <summary>What the epoch measured, as the log shows it: "loss 0.1234, val loss …, lr 0.001, 12,345 rows/s, 1.2s".</summary>
    internal string Measurements()
        => FormattableString.Invariant($"loss {TrainingLoss:F4}") +
           (ValidationLoss is double vl ? FormattableString.Invariant($", val loss {vl:F4}") : "") +
           (ValidationMetrics.Count > 0
               ? string.Concat(ValidationMetrics.Select(m => FormattableString.Invariant($", val {m.Key} {m.Value:F4}")))
               : ValidationMetric is double vm ? FormattableString.Invariant($", val metric {vm:F4}") : "") +
           FormattableString.Invariant($", lr {LearningRate:G3}") +
           (RowsPerSecond is double speed ? FormattableString.Invariant($", {speed:N0} rows/s") : "") +
           FormattableString.Invariant($", {Elapsed.TotalSeconds:F1}s");
}
