using System.Collections.Generic;

namespace MLDeepExtensions;

/// <summary>
/// How well forecasts of held-out windows did (<see cref="ForecastingNetworkCatalog.Evaluate(Microsoft.ML.ForecastingCatalog, Microsoft.ML.IDataView, int, System.Collections.Generic.IReadOnlyList{float}?, string, string, string, string, string)"/>), next to the naive and
/// seasonal-naive forecasts from the same windows. Errors are averaged over every window and step, in the series' units
/// unless named otherwise. A MASE below 1 beats the in-sample one-step (seasonal) naive forecast's typical error.
/// </summary>
public sealed class ForecastingMetrics
{
    internal ForecastingMetrics()
    {
    }

    /// <summary>Windows scored.</summary>
    public int Windows { get; init; }

    /// <summary>Steps forecast per window.</summary>
    public int Horizon { get; init; }

    /// <summary>Mean absolute error of the forecasts.</summary>
    public double MeanAbsoluteError { get; init; }

    /// <summary>Root mean squared error of the forecasts.</summary>
    public double RootMeanSquaredError { get; init; }

    /// <summary>Symmetric mean absolute percentage error, 200·|actual − forecast| / (|actual| + |forecast|) averaged, in percent (0–200).</summary>
    public double SymmetricMeanAbsolutePercentageError { get; init; }

    /// <summary>Mean absolute scaled error: <see cref="MeanAbsoluteError"/> divided by the mean absolute change over one seasonal period (one step without a period) of the training series, or of the windows' own past values.</summary>
    public double MeanAbsoluteScaledError { get; init; }

    /// <summary>The mean absolute error of each forecast step (1 to <see cref="Horizon"/>).</summary>
    public IReadOnlyList<double> PerStepMeanAbsoluteError { get; init; } = [];

    /// <summary>MAE of the naive forecast: every step equals the window's last value.</summary>
    public double NaiveMeanAbsoluteError { get; init; }

    /// <summary>MASE of the naive forecast, on the same scale as <see cref="MeanAbsoluteScaledError"/>.</summary>
    public double NaiveMeanAbsoluteScaledError { get; init; }

    /// <summary>MAE of the seasonal-naive forecast (each step equals the value one period before it); NaN without a seasonal period.</summary>
    public double SeasonalNaiveMeanAbsoluteError { get; init; }

    /// <summary>MASE of the seasonal-naive forecast; NaN without a seasonal period.</summary>
    public double SeasonalNaiveMeanAbsoluteScaledError { get; init; }

    /// <summary>The share of actual values within [lower bound, upper bound]; NaN when the data has no bound columns. Compare it with the interval's nominal coverage (e.g. 0.8 for quantiles 0.1 and 0.9).</summary>
    public double IntervalCoverage { get; init; }

    /// <summary>The mean of upper bound − lower bound; NaN when the data has no bound columns.</summary>
    public double MeanIntervalWidth { get; init; }

    /// <summary>The share of actual values within the bounds at each forecast step (1 to <see cref="Horizon"/>); empty when the data has no bound columns.</summary>
    public IReadOnlyList<double> PerStepIntervalCoverage { get; init; } = [];

    /// <summary>The mean interval width at each forecast step (1 to <see cref="Horizon"/>); empty when the data has no bound columns.</summary>
    public IReadOnlyList<double> PerStepMeanIntervalWidth { get; init; } = [];

    /// <summary>
    /// Each series' own metrics, by series id, when the evaluation was by series; empty otherwise. Then the scaled errors
    /// above (MASE and the naive forecasts') are the means of the series' own, as in the M4 competition, and the other
    /// measures pool every window of every series.
    /// </summary>
    public IReadOnlyDictionary<string, ForecastingMetrics> PerSeries { get; init; } = new Dictionary<string, ForecastingMetrics>();
}
