using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>calibration</c> section (benchmarks/RESULTS-calibration.md): the default forecaster's 80% interval on the
/// held-out tails of the forecasting section's seven series (tuned on) and of six series from R's datasets package that
/// no setting was tuned on, with and without conformal calibration. Each series is split by time: the last 20% is the
/// test tail, the 15% before it the validation tail the calibration reads (and the uncalibrated fit ignores but for its
/// per-epoch metrics), the rest the training part; both fits train the same network.
/// </summary>
internal static class CalibrationSection
{
    /// <summary>
    /// Series only this section reads, fixed before any run: varied public series from R's datasets package
    /// (data/forecasting/README.md), each with the forecasting section's rule for its frequency (monthly: period 12,
    /// horizon 12, lookback 36; quarterly: 4, 8, 16; yearly: 1, 6, 20), kept only where the 15% validation tail holds
    /// at least one horizon (which left out USAccDeaths, 72 months).
    /// </summary>
    internal static readonly ForecastingSection.Series[] Untuned =
    [
        new("Nottingham air temperature, monthly", "forecasting/nottem.csv", "seasonal, stationary", 12, 12, 36),
        new("UK car drivers killed or seriously injured, monthly", "forecasting/ukdriverdeaths.csv", "seasonal, level shift (1983 seat-belt law)", 12, 12, 36),
        new("Australian resident population, quarterly", "forecasting/austres.csv", "trending, smooth", 4, 8, 16),
        new("Canadian lynx trappings, yearly", "forecasting/lynx.csv", "cyclical (about 10 years), spiky", 1, 6, 20),
        new("Lake Huron level, yearly", "forecasting/lakehuron.csv", "stationary, slowly wandering", 1, 6, 20),
        new("Great inventions and discoveries, yearly", "forecasting/discoveries.csv", "counts, noisy", 1, 6, 20),
    ];

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        var table = new MarkdownTable(["Series", "Tuned on", "Windows (validation / test)", "Coverage, uncalibrated", "Coverage, conformal",
            "Width, uncalibrated", "Width, conformal", "Width ratio (conformal / uncalibrated)", "Offsets (windows' scale)"]);
        var results = new List<(bool Tuned, double Before, double After, double Ratio)>();
        var series = ForecastingSection.All.Select(s => (Series: s, Tuned: true)).Concat(Untuned.Select(s => (Series: s, Tuned: false)));
        foreach (var (s, tuned) in series)
        {
            var values = ForecastingSection.Load(s.File);
            int testCount = (int)System.Math.Round(values.Length * 0.2), validationCount = (int)System.Math.Round(values.Length * 0.15);
            report.Section($"Calibration: {s.Name} ({values.Length} values, validation {validationCount}, test {testCount}{(tuned ? "" : ", not tuned on")})");
            var view = ml.Data.LoadFromEnumerable(values.Select(v => new ForecastingSection.SeriesValue { Value = v }));
            var split = ml.Data.CreateForecastingSplit(view, nameof(ForecastingSection.SeriesValue.Value), s.Lookback, s.Horizon, testCount, validationCount);
            var fit = new ForecastingOptions { Seed = 1, ValidationData = split.Validation, Epochs = options.EpochsOverride ?? 100 };
            using var plain = ml.Forecasting.DeepNetwork(fit with { Calibration = IntervalCalibration.None }).Fit(split.Train);
            using var calibrated = ml.Forecasting.DeepNetwork(fit with { Calibration = IntervalCalibration.Conformal }).Fit(split.Train);
            var p = ml.Forecasting.Evaluate(plain.Transform(split.Test), s.Period, split.TrainingSeries);
            var c = ml.Forecasting.Evaluate(calibrated.Transform(split.Test), s.Period, split.TrainingSeries);
            double ratio = c.MeanIntervalWidth / p.MeanIntervalWidth;
            results.Add((tuned, p.IntervalCoverage, c.IntervalCoverage, ratio));
            string offsets = string.Join(", ", calibrated.IntervalOffsets.Select(o => o.ToString("F2", CultureInfo.InvariantCulture)));
            report.Add("coverage / width", $"{p.IntervalCoverage:F3} / {p.MeanIntervalWidth:G4} uncalibrated, {c.IntervalCoverage:F3} / {c.MeanIntervalWidth:G4} conformal; offsets {offsets}");
            int validationWindows = validationCount - s.Horizon + 1;
            table.Row([s.Name, tuned ? "yes" : "**not tuned on**", $"{validationWindows} / {p.Windows}", $"{p.IntervalCoverage:F2}", $"{c.IntervalCoverage:F2}",
                $"{p.MeanIntervalWidth:G4}", $"{c.MeanIntervalWidth:G4}", $"{ratio:F2}", offsets]);
        }
        Summary(table, "tuned on (7)", results.Where(r => r.Tuned).ToArray());
        Summary(table, $"not tuned on ({Untuned.Length})", results.Where(r => !r.Tuned).ToArray());
        Summary(table, $"all ({results.Count})", results.ToArray());
        report.Results.AddTable("Forecasting: 80% interval coverage of held-out tails, uncalibrated and conformal",
            "The default forecaster (quantiles 0.1, 0.5, 0.9, seed 1) on the forecasting section's series (tuned on) and on six series from R's datasets " +
            "package chosen and given the same per-frequency rule before any run (not tuned on; data/forecasting/README.md), split by time into training, " +
            "a 15% validation tail and a 20% test tail; coverage is the share of the test tail's values inside the interval over every window and step, " +
            "width the mean upper − lower bound in the series' units. Conformal: `Calibration = IntervalCalibration.Conformal` with the validation tail as " +
            "ValidationData. Goal: mean coverage 0.75–0.85 and no series below 0.65. Width ratios are averaged geometrically.", table);
    }

    /// <summary>The mean and worst coverage, and the geometric mean width ratio, of a group of series.</summary>
    private static void Summary(MarkdownTable table, string group, (bool Tuned, double Before, double After, double Ratio)[] rows)
    {
        double ratio = System.Math.Exp(rows.Average(r => System.Math.Log(r.Ratio)));
        table.Row([$"Mean, {group}", "", "", $"{rows.Average(r => r.Before):F2}", $"{rows.Average(r => r.After):F2}", "", "", $"{ratio:F2}", ""]);
        table.Row([$"Worst, {group}", "", "", $"{rows.Min(r => r.Before):F2}", $"{rows.Min(r => r.After):F2}", "", "", "", ""]);
    }
}
