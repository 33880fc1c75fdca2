using System;
using Microsoft.ML.Runtime;

namespace MLDeepExtensions.Training;

/// <summary>
/// How long a fit trains when its options give no <see cref="NetworkTrainingOptions.Epochs"/>. Ten passes over a few
/// hundred rows are a few dozen optimizer steps, far too few (a 309-row regression reached R² −3.8 that way), while a
/// fixed large number overfits; so, as LightGBM's defaults hold on small data by their number of trees, ours hold by a
/// budget of steps with a held-out check: when the rows are read into memory and there are at most
/// <see cref="SmallDataRows"/>, and the caller set no validation (no ValidationFraction, ValidationData or
/// EarlyStopping), the fit holds out <see cref="ValidationFraction"/> of the rows, trains for enough epochs to take about
/// <see cref="TargetSteps"/> optimizer steps (within <see cref="MinimumEpochs"/>..<see cref="MaximumEpochs"/>), stops
/// early when the validation loss has not improved for a tenth of them (at least <see cref="MinimumPatience"/>) and keeps
/// the best epoch's weights. Otherwise it trains <see cref="DeepNetworkDefaults.Epochs"/> epochs, as 0.2.0 did.
/// </summary>
/// <remarks>The constants were chosen from the <c>smalldata</c> benchmark section (benchmarks/RESULTS-smalldata.md).</remarks>
internal static class TrainingBudget
{
    public const int SmallDataRows = 10_000;
    public const float ValidationFraction = 0.2f;
    public const int TargetSteps = 1_000;
    public const int MinimumEpochs = DeepNetworkDefaults.Epochs;
    public const int MaximumEpochs = 500;
    public const int MinimumPatience = 10;

    /// <summary>Whether the options leave the budget to the data: no epochs and no validation settings of the caller's.</summary>
    public static bool Chosen(NetworkTrainingOptions options)
        => options.Epochs is null && options.ValidationFraction == 0 && options.ValidationData is null && options.EarlyStopping is null;

    /// <summary>
    /// The options with the epochs (and, for small data, the held-out fraction and early stopping) filled in, for a fit
    /// on <paramref name="rows"/> rows (null when they are streamed and not counted); logs the choice.
    /// </summary>
    public static NetworkTrainingOptions Resolve(NetworkTrainingOptions options, long? rows, IChannel channel)
    {
        if (options.Epochs is not null)
            return options;
        if (!Chosen(options) || rows is not long count || count > SmallDataRows || count < 10)
        {
            channel.Info(FormattableString.Invariant($"Epochs not set: {DeepNetworkDefaults.Epochs} epochs."));
            return options with { Epochs = DeepNetworkDefaults.Epochs };
        }
        long trainingRows = count - (long)Math.Round(count * ValidationFraction);
        long stepsPerEpoch = Math.Max(1, (trainingRows + options.BatchSize - 1) / options.BatchSize);
        int epochs = (int)Math.Clamp((TargetSteps + stepsPerEpoch - 1) / stepsPerEpoch, MinimumEpochs, MaximumEpochs);
        int patience = Math.Max(MinimumPatience, epochs / 10);
        channel.Info(FormattableString.Invariant($"Epochs not set, {count} rows: up to {epochs} epochs (about {epochs * stepsPerEpoch} steps of {options.BatchSize} rows), ") +
            FormattableString.Invariant($"{ValidationFraction:P0} of the rows held out, early stopping after {patience} epochs without a better validation loss, the best epoch's weights kept. ") +
            "Set Epochs (and ValidationFraction / EarlyStopping) to choose yourself.");
        return options with
        {
            Epochs = epochs,
            ValidationFraction = ValidationFraction,
            EarlyStopping = new EarlyStoppingOptions { Patience = patience, RestoreBestWeights = true },
        };
    }
}
