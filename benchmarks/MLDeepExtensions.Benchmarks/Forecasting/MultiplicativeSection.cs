using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Microsoft.ML;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>multiplicative</c> section (benchmarks/RESULTS-multiplicative.md): last-value against log scaling on public
/// series whose seasonal swing grows with their level (data/forecasting/README.md, from R's datasets package). Each
/// series' final year is held out: the network is fitted on the rest and forecasts that year from its end (one window
/// of one seasonal period); the score is MASE, scaled by the training part's mean absolute seasonal change.
/// </summary>
internal static class MultiplicativeSection
{
    internal static readonly ForecastingSection.Series[] All =
    [
        new("Airline passengers, monthly 1949–1960", "forecasting/airpassengers.csv", "multiplicative seasonal, trending", 12, 12, 36),
        new("Johnson & Johnson quarterly earnings per share, 1960–1980", "forecasting/johnsonjohnson.csv", "multiplicative seasonal, exponential trend", 4, 4, 16),
        new("UK gas consumption, quarterly 1960–1986", "forecasting/ukgas.csv", "multiplicative seasonal, trending", 4, 4, 16),
    ];

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        int seeds = options.Quick ? 1 : 5;
        int epochs = options.EpochsOverride ?? new ForecastingOptions().Epochs ?? 100;
        var table = new MarkdownTable(["Series", "Values (train / test)", "naive", "seasonal-naive", "LastValue scaling", "Log scaling",
            "LastValue + seasonal baseline", "Log + seasonal baseline", "Fit (s), LastValue / Log"]);
        foreach (var series in All)
        {
            var values = ForecastingSection.Load(series.File);
            int testCount = series.Period, trainCount = values.Length - testCount;
            report.Section($"Multiplicative: {series.Name} ({values.Length} values, final year {testCount} held out, lookback {series.Lookback})");
            var view = ml.Data.LoadFromEnumerable(values.Select(v => new ForecastingSection.SeriesValue { Value = v }));
            var split = ml.Data.CreateForecastingSplit(view, nameof(ForecastingSection.SeriesValue.Value), series.Lookback, series.Horizon, testCount);
            var cells = new System.Collections.Generic.List<string> { series.Name, $"{values.Length} ({trainCount} / {testCount})" };
            string naive = "", seasonal = "";
            var seconds = new double[2];
            var variants = new (string Name, SeriesScaling Scaling, int Period)[]
            {
                ("LastValue", SeriesScaling.LastValue, 0), ("Log", SeriesScaling.Log, 0),
                ("LastValue + seasonal baseline", SeriesScaling.LastValue, series.Period), ("Log + seasonal baseline", SeriesScaling.Log, series.Period),
            };
            var mase = new string[variants.Length];
            for (int v = 0; v < variants.Length; v++)
            {
                var (name, scaling, period) = variants[v];
                var runs = Enumerable.Range(1, seeds).Select(seed =>
                {
                    var fit = new ForecastingOptions { Seed = seed, Epochs = epochs, Scaling = scaling, SeasonalPeriod = period };
                    Timing.Settle();
                    long clock = Stopwatch.GetTimestamp();
                    using var model = ml.Forecasting.DeepNetwork(fit).Fit(split.Train);
                    double elapsed = Stopwatch.GetElapsedTime(clock).TotalSeconds;
                    return (Metrics: ml.Forecasting.Evaluate(model.Transform(split.Test), series.Period, split.TrainingSeries), Seconds: elapsed);
                }).ToArray();
                double mean = runs.Average(r => r.Metrics.MeanAbsoluteScaledError);
                report.Add(name, $"MASE {mean:F3} (seeds {string.Join(", ", runs.Select(r => r.Metrics.MeanAbsoluteScaledError.ToString("F3", CultureInfo.InvariantCulture)))}), " +
                    $"coverage {runs.Average(r => r.Metrics.IntervalCoverage):F2}, fit {runs.Average(r => r.Seconds):F1} s");
                mase[v] = $"{mean:F3}";
                if (v < 2)
                    seconds[v] = runs.Average(r => r.Seconds);
                naive = $"{runs[0].Metrics.NaiveMeanAbsoluteScaledError:F3}";
                seasonal = $"{runs[0].Metrics.SeasonalNaiveMeanAbsoluteScaledError:F3}";
            }
            report.Add("naive / seasonal-naive MASE", $"{naive} / {seasonal}");
            table.Row([.. cells, naive, seasonal, .. mase, $"{seconds[0]:F1} / {seconds[1]:F1}"]);
        }
        report.Results.AddTable("Forecasting: log against last-value scaling on multiplicative seasonal series (MASE of the held-out final year; lower is better)",
            "Each series' final year (12 months or 4 quarters) is held out; `ml.Forecasting.DeepNetwork` (default options otherwise: MLP 128-128, " +
            $"{epochs} epochs) is fitted on the windows before it (lookback: monthly 36, quarterly 16) and forecasts that year in one window from its end. " +
            "MASE divides the mean absolute error by the training part's mean absolute change over one seasonal period. The network columns are means over " +
            $"{seeds} seeds; naive and seasonal-naive forecast from the same origin. Fit time is the mean of the seeds.", table);
    }
}
