using System;

namespace MLDeepExtensions;

/// <summary>The quantity early stopping watches.</summary>
public enum EarlyStoppingMonitor
{
    /// <summary>The validation loss (lower is better); the training loss when there is no validation data.</summary>
    ValidationLoss = 0,

    /// <summary>The validation metric (higher is better): accuracy for classification, −MSE for regression.</summary>
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
        if (Patience < 1)
            errors.Add($"{nameof(EarlyStoppingOptions)}.{nameof(Patience)} is {Patience}; it must be ≥ 1 epoch.");
        if (!(MinDelta >= 0 && double.IsFinite(MinDelta)))
            errors.Add($"{nameof(EarlyStoppingOptions)}.{nameof(MinDelta)} is {MinDelta}; it must be ≥ 0.");
    }
}
