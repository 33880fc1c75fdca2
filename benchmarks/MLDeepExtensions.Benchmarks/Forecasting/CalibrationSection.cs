using System.Globalization;
using System.Linq;
using Microsoft.ML;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>calibration</c> section (benchmarks/RESULTS-calibration.md): the default forecaster's 80% interval on the
/// held-out tails of the forecasting section's seven series, with and without conformal calibration. Each series is
/// split by time: the last 20% is the test tail, the 15% before it the validation tail the calibration reads (and the
/// uncalibrated fit ignores but for its per-epoch metrics), the rest the training part; both fits train the same network.
/// </summary>
internal static class CalibrationSection
{
    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        var table = new MarkdownTable(["Series", "Windows (validation / test)", "Coverage, uncalibrated", "Coverage, conformal", "Width, uncalibrated", "Width, conformal", "Offsets (windows' scale)"]);
        double before = 0, after = 0;
        foreach (var series in ForecastingSection.All)
        {
            var values = ForecastingSection.Load(series.File);
            int testCount = (int)System.Math.Round(values.Length * 0.2), validationCount = (int)System.Math.Round(values.Length * 0.15);
            report.Section($"Calibration: {series.Name} ({values.Length} values, validation {validationCount}, test {testCount})");
            var view = ml.Data.LoadFromEnumerable(values.Select(v => new ForecastingSection.SeriesValue { Value = v }));
            var split = ml.Data.CreateForecastingSplit(view, nameof(ForecastingSection.SeriesValue.Value), series.Lookback, series.Horizon, testCount, validationCount);
            var fit = new ForecastingOptions { Seed = 1, ValidationData = split.Validation, Epochs = options.EpochsOverride ?? 100 };
            using var plain = ml.Forecasting.DeepNetwork(fit with { Calibration = IntervalCalibration.None }).Fit(split.Train);
            using var calibrated = ml.Forecasting.DeepNetwork(fit with { Calibration = IntervalCalibration.Conformal }).Fit(split.Train);
            var p = ml.Forecasting.Evaluate(plain.Transform(split.Test), series.Period, split.TrainingSeries);
            var c = ml.Forecasting.Evaluate(calibrated.Transform(split.Test), series.Period, split.TrainingSeries);
            before += p.IntervalCoverage;
            after += c.IntervalCoverage;
            string offsets = string.Join(", ", calibrated.IntervalOffsets.Select(o => o.ToString("F2", CultureInfo.InvariantCulture)));
            report.Add("coverage / width", $"{p.IntervalCoverage:F3} / {p.MeanIntervalWidth:G4} uncalibrated, {c.IntervalCoverage:F3} / {c.MeanIntervalWidth:G4} conformal; offsets {offsets}");
            int validationWindows = validationCount - series.Horizon + 1;
            table.Row([series.Name, $"{validationWindows} / {p.Windows}", $"{p.IntervalCoverage:F2}", $"{c.IntervalCoverage:F2}", $"{p.MeanIntervalWidth:G4}", $"{c.MeanIntervalWidth:G4}", offsets]);
        }
        int count = ForecastingSection.All.Length;
        table.Row(["Mean", "", $"{before / count:F2}", $"{after / count:F2}", "", "", ""]);
        report.Results.AddTable("Forecasting: 80% interval coverage of held-out tails, uncalibrated and conformal",
            "The default forecaster (quantiles 0.1, 0.5, 0.9, seed 1) on the forecasting section's series, split by time into training, a 15% validation " +
            "tail and a 20% test tail; coverage is the share of the test tail's values inside the interval over every window and step, width the mean " +
            "upper − lower bound in the series' units. Conformal: `Calibration = IntervalCalibration.Conformal` with the validation tail as ValidationData.", table);
    }
}
