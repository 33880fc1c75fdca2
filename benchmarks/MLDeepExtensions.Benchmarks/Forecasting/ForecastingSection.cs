using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Benchmarks.Forecasting;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>forecasting</c> section (benchmarks/RESULTS-forecasting.md): the forecasting network against naive,
/// seasonal-naive, a least-squares autoregression and Holt-Winters on seven public-domain series of different kinds,
/// chosen before any tuning (data/forecasting/README.md). Every method is fitted on the first 80% of a series and
/// forecasts the next <c>horizon</c> values from every origin in the last 20% (its history up to the origin as input,
/// no refitting); the score is MASE (scaled by the training part's mean absolute one-period change, as in M4).
/// </summary>
internal static class ForecastingSection
{
    /// <summary>A series: its file, seasonal period, horizon and lookback (the same rule for every series of a frequency).</summary>
    internal sealed record Series(string Name, string File, string Kind, int Period, int Horizon, int Lookback);

    internal static readonly Series[] All =
    [
        new("Mauna Loa CO₂, monthly", "forecasting/co2.csv", "trending + seasonal", 12, 12, 36),
        new("Niño 1+2 sea temperature, monthly", "forecasting/elnino.csv", "seasonal, stationary", 12, 12, 36),
        new("Euro-area electrical equipment turnover, monthly", "forecasting/elec_equip.csv", "seasonal + cycle, noisy", 12, 12, 36),
        new("US real GDP, quarterly", "forecasting/realgdp.csv", "trending", 4, 8, 16),
        new("US unemployment rate, quarterly", "forecasting/unemployment.csv", "cyclical, noisy", 4, 8, 16),
        new("Nile flow at Aswan, yearly", "forecasting/nile.csv", "stationary, noisy", 1, 6, 20),
        new("Sunspot numbers, yearly", "sunspots/sunspots.csv", "cyclical (about 11 years), noisy", 1, 6, 20),
    ];

    /// <summary>The variants of the network measured on every series; the first is the documented default.</summary>
    private static IEnumerable<(string Name, Func<Series, ForecastingOptions> Options)> Variants()
    {
        yield return ("network: defaults (MLP 128-128, dropout 0.2, last-value scaling)", _ => Default());
        yield return ("network: seasonal-naive baseline", s => Default() with { SeasonalPeriod = s.Period > 1 ? s.Period : 0 });
        yield return ("network: window-mean scaling", s => Default() with { Scaling = SeriesScaling.WindowMean });
        yield return ("network: differences", s => Default() with { Scaling = SeriesScaling.Differences });
        yield return ("network: LSTM 32", s => Default() with { Architecture = new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = 32 } });
        yield return ("network: raw values (no scaling)", s => Default() with { Scaling = SeriesScaling.None });
    }

    /// <summary>The documented recipe: the options' defaults.</summary>
    private static ForecastingOptions Default() => new();

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        int seeds = options.Quick ? 1 : 3;
        var variants = Variants().ToArray();
        var table = new MarkdownTable(["Series", "Kind", "Values (train / test)", "naive", "seasonal-naive", "AR (LS)", "Holt-Winters", .. variants.Select(v => v.Name), "80% interval coverage", "Fit (s)"]);
        foreach (var series in All)
        {
            var values = Load(series.File);
            int testCount = (int)Math.Round(values.Length * 0.2), trainCount = values.Length - testCount;
            report.Section($"Forecasting: {series.Name} ({values.Length} values, test tail {testCount}, horizon {series.Horizon}, lookback {series.Lookback})");
            var train = values.AsSpan(0, trainCount).ToArray();
            double Mase(Func<int, float[]> forecastAt) => ClassicalForecasts.HeldOutMase(values, trainCount, series.Horizon, series.Period, forecastAt);
            double naive = Mase(origin => ClassicalForecasts.Naive(values.AsSpan(0, origin), series.Horizon));
            double seasonal = Mase(origin => ClassicalForecasts.SeasonalNaive(values.AsSpan(0, origin), Math.Max(1, series.Period), series.Horizon));
            var ar = LeastSquaresAutoregression.Fit(train, series.Lookback);
            double autoregression = Mase(origin => ar.Forecast(values.AsSpan(0, origin), series.Horizon));
            var hw = HoltWinters.Fit(train, Math.Max(1, series.Period));
            double holtWinters = Mase(origin => hw.Forecast(values.AsSpan(0, origin), series.Horizon));
            report.Add("naive / seasonal-naive / AR / Holt-Winters MASE", $"{naive:F3} / {seasonal:F3} / {autoregression:F3} (order {ar.Order}) / {holtWinters:F3}");

            var cells = new List<string> { series.Name, series.Kind, $"{values.Length} ({trainCount} / {testCount})", $"{naive:F3}", $"{seasonal:F3}", $"{autoregression:F3}", $"{holtWinters:F3}" };
            string coverage = "", fit = "";
            var seriesView = ml.Data.LoadFromEnumerable(values.Select(v => new SeriesValue { Value = v }));
            var split = ml.Data.CreateForecastingSplit(seriesView, nameof(SeriesValue.Value), series.Lookback, series.Horizon, testCount);
            foreach (var (name, variant) in variants)
            {
                var runs = Enumerable.Range(1, seeds).Select(seed => Network(ml, variant(series) with { Seed = seed }, split, series)).ToArray();
                double mase = runs.Average(r => r.Metrics.MeanAbsoluteScaledError);
                report.Add(name, $"MASE {mase:F3} (seeds {string.Join(", ", runs.Select(r => r.Metrics.MeanAbsoluteScaledError.ToString("F3", CultureInfo.InvariantCulture)))}), " +
                    $"coverage {runs.Average(r => r.Metrics.IntervalCoverage):F2}, fit {runs.Average(r => r.Seconds):F1} s");
                cells.Add($"{mase:F3}");
                if (coverage.Length == 0)
                {
                    coverage = $"{runs.Average(r => r.Metrics.IntervalCoverage):F2}";
                    fit = $"{runs.Average(r => r.Seconds):F1}";
                }
            }
            cells.Add(coverage);
            cells.Add(fit);
            table.Row([.. cells]);
        }
        report.Results.AddTable("Forecasting: MASE on held-out tails (lower is better; 1 = the in-sample one-period naive error)",
            "Each series is split 80/20 by time; every method is fitted on the first part and forecasts `horizon` values (monthly 12, quarterly 8, " +
            "yearly 6) from every origin of the tail, reading the history up to the origin. MASE divides the mean absolute error by the training part's mean " +
            "absolute change over one seasonal period (one step for yearly series). The network columns are means over " +
            $"{seeds} seeds of `ml.Forecasting.DeepNetwork(options)` on `ml.Data.CreateForecastingSplit` windows (lookback: monthly 36, quarterly 16, yearly 20); " +
            "coverage and fit time are the default's. AR: least squares on the levels with an intercept, order by AIC up to the lookback. Holt-Winters: additive, " +
            "damped trend, parameters by grid search on the training part's one-step errors. Series and the rules were chosen before any tuning.", table);
    }

    private static (ForecastingMetrics Metrics, double Seconds) Network(MLContext ml, ForecastingOptions options, ForecastingSplit split, Series series)
    {
        Timing.Settle();
        long clock = Stopwatch.GetTimestamp();
        using var model = ml.Forecasting.DeepNetwork(options).Fit(split.Train);
        double seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
        var metrics = ml.Forecasting.Evaluate(model.Transform(split.Test), series.Period, split.TrainingSeries);
        return (metrics, seconds);
    }

    /// <summary>The Value column of a CSV whose header names it (the sunspots' column is Sunspots, the last one).</summary>
    internal static float[] Load(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, file));
        return lines.Skip(1).Where(l => l.Length > 0).Select(l => float.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();
    }

    internal sealed class SeriesValue
    {
        public float Value { get; set; }
    }
}
