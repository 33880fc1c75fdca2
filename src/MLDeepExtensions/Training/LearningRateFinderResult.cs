using System;
using System.Collections.Generic;

namespace MLDeepExtensions;

/// <summary>
/// What a learning-rate sweep measured (<see cref="NetworkEstimatorBase{TTransformer}.FindLearningRate"/>): the smoothed
/// training loss at every learning rate tried, and the rates it suggests. Plot <see cref="Losses"/> against
/// <see cref="LearningRates"/> on a logarithmic x axis to see the curve.
/// </summary>
/// <param name="LearningRates">The learning rate of each step, increasing exponentially from the start rate; as many as <see cref="Losses"/>.</param>
/// <param name="Losses">
/// The training loss after each step, smoothed by an exponential moving average (weight 0.98 on the past, bias-corrected);
/// every value finite.
/// </param>
/// <param name="Suggested">
/// The rate where the smoothed loss fell fastest before its lowest point: the middle of the half decade of learning rate
/// over which it fell most steeply against the logarithm of the rate (fastai's "steep", with the slope taken across half
/// a decade rather than one step, which batch noise decides), leaving out the first tenth of the steps (at least 25) and the last five.
/// </param>
/// <param name="MinimumLossRate">The rate where the smoothed loss was lowest (same range); training at it is usually already too fast.</param>
/// <param name="SuggestedFromMinimum">A tenth of <see cref="MinimumLossRate"/>: a second, usually more careful suggestion (fastai's "minimum").</param>
/// <param name="StoppedEarly">True when the sweep stopped before its last step because the loss diverged (4 times its best, or NaN).</param>
public sealed record LearningRateFinderResult(
    IReadOnlyList<double> LearningRates,
    IReadOnlyList<double> Losses,
    double Suggested,
    double MinimumLossRate,
    double SuggestedFromMinimum,
    bool StoppedEarly)
{
    /// <summary>A one-line summary: the steps, the range swept and the suggestions.</summary>
    public override string ToString()
        => FormattableString.Invariant($"{LearningRates.Count} steps from learning rate {LearningRates[0]:G3} to {LearningRates[^1]:G3}") +
           (StoppedEarly ? " (stopped early: the loss diverged)" : "") +
           FormattableString.Invariant($"; suggested {Suggested:G3} (steepest descent), lowest loss at {MinimumLossRate:G3} (a tenth: {SuggestedFromMinimum:G3}).");
}
