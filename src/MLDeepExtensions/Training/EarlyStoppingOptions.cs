using System;

namespace MLDeepExtensions;

/// <summary>The quantity early stopping watches.</summary>
public enum EarlyStoppingMonitor
{
    /// <summary>The validation loss (lower is better); the training loss when there is no validation data.</summary>
    ValidationLoss = 0,

    /// <summary>
    /// The head's main validation metric (<see cref="EpochMetrics.ValidationMetric"/>, higher is better): accuracy for
    /// classification, −MSE for regression and autoencoders, 1 − Hamming loss for multi-label classification, minus the
    /// scaled loss for forecasting. To watch any other metric, use <see cref="EarlyStoppingOptions.Metric"/>.
    /// </summary>
    ValidationMetric,

    /// <summary>The training loss (lower is better).</summary>
    TrainingLoss,
}

/// <summary>
/// Stops training once the monitored quantity has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs, and optionally puts back the weights of the best epoch.
/// </summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>What to watch. Default: <see cref="EarlyStoppingMonitor.ValidationLoss"/>.</summary>
    public EarlyStoppingMonitor Monitor { get; init; } = EarlyStoppingMonitor.ValidationLoss;

    /// <summary>
    /// Watches this validation metric instead of <see cref="Monitor"/>: one of the names the head reports in
    /// <see cref="EpochMetrics.ValidationMetrics"/> (e.g. "AreaUnderRocCurve", "MacroF1", "RSquared", "MeanAbsoluteError"),
    /// in its own direction (higher is better for accuracy, AUC, F1 and R², lower for losses and errors). Needs validation
    /// data; a name the head does not compute is an error listing the ones it does. Default: null (watch <see cref="Monitor"/>).
    /// </summary>
    public string? Metric { get; init; }

    /// <summary>Epochs without improvement before stopping, ≥ 1. Default: 5.</summary>
    public int Patience { get; init; } = DeepNetworkDefaults.EarlyStoppingPatience;

    /// <summary>The smallest change that counts as an improvement, ≥ 0. Default: 0.</summary>
    public double MinDelta { get; init; } = DeepNetworkDefaults.EarlyStoppingMinDelta;

    /// <summary>Restores the weights of the best epoch when training ends. Default: true.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    internal void Validate(ValidationErrors errors)
    {
        if (!Enum.IsDefined(Monitor))
            errors.Add($"{nameof(EarlyStoppingOptions)}.{nameof(Monitor)} is {(int)Monitor}, which is not a member of {nameof(EarlyStoppingMonitor)}.");
        if (Metric is not null && string.IsNullOrWhiteSpace(Metric))
            errors.Add($"{nameof(EarlyStoppingOptions)}.{nameof(Metric)} is empty; give a validation metric's name (e.g. \"AreaUnderRocCurve\"), or null to watch {nameof(Monitor)}.");
        if (Patience < 1)
            errors.Add($"{nameof(EarlyStoppingOptions)}.{nameof(Patience)} is {Patience}; it must be ≥ 1 epoch.");
        if (!(MinDelta >= 0 && double.IsFinite(MinDelta)))
            errors.Add($"{nameof(EarlyStoppingOptions)}.{nameof(MinDelta)} is {MinDelta}; it must be ≥ 0.");
    }
}
