using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Benchmarks.Forecasting;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>global</c> section (benchmarks/RESULTS-global.md): one forecasting network trained on 25 public series at once
/// (R's datasets package, data/forecasting/README.md) against one network per series and against AR and Holt-Winters
/// per series; then known-future covariates, on generated promotions and on the 1983 UK seat-belt law.
/// </summary>
internal static class GlobalSection
{
    private const int Lookback = 24, Horizon = 6, TestCount = 12;

    private sealed record Series(string Name, int Frequency, float[] Values);

    public sealed class LongRow
    {
        public string Series { get; set; } = "";

        public float Value { get; set; }

        public float Law { get; set; }

        public float Promotion { get; set; }

        public DateTime Date { get; set; }
    }

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        int seeds = options.Quick ? 1 : 3;
        GlobalAgainstLocal(ml, seeds, options, report);
        Calibration(ml, seeds, options, report);
        Covariates(ml, seeds, options, report);
    }

    private static ForecastingOptions Default(int seed, BenchmarkOptions options) => new() { Seed = seed, Epochs = options.EpochsOverride ?? new ForecastingOptions().Epochs };

    private static void GlobalAgainstLocal(MLContext ml, int seeds, BenchmarkOptions options, Report report)
    {
        var all = Load("forecasting/rdatasets.csv");
        var view = ml.Data.LoadFromEnumerable(all.SelectMany(s => s.Values.Select(v => new LongRow { Series = s.Name, Value = v })));
        var windows = new ForecastingWindowOptions { SeriesIdColumnName = nameof(LongRow.Series) };
        var split = ml.Data.CreateForecastingSplit(view, nameof(LongRow.Value), Lookback, Horizon, TestCount, 0, windows);

        report.Section($"Global: {all.Length} series, lookback {Lookback}, horizon {Horizon}, test tail {TestCount}");
        var variants = new (string Name, Func<int, ForecastingOptions> Options)[]
        {
            ("global", seed => Default(seed, options)),
            ("global + series embedding", seed => Default(seed, options) with { SeriesIdColumnName = "SeriesKey" }),
        };
        // Each variant's MASE per series and seed.
        var global = new Dictionary<string, double[]>[variants.Length];
        var globalSeconds = new double[variants.Length];
        for (int v = 0; v < variants.Length; v++)
        {
            var perSeries = all.ToDictionary(s => s.Name, _ => new double[seeds]);
            for (int seed = 1; seed <= seeds; seed++)
            {
                var estimator = ml.Transforms.Conversion.MapValueToKey("SeriesKey", nameof(LongRow.Series)).Append(ml.Forecasting.DeepNetwork(variants[v].Options(seed)));
                Timing.Settle();
                long clock = Stopwatch.GetTimestamp();
                var model = estimator.Fit(split.Train);
                globalSeconds[v] += Stopwatch.GetElapsedTime(clock).TotalSeconds / seeds;
                var scored = model.Transform(split.Test);
                foreach (var s in all)
                    perSeries[s.Name][seed - 1] = ml.Forecasting.Evaluate(OnlySeries(ml, scored, s.Name), Period(s), split.TrainingSeriesById![s.Name]).MeanAbsoluteScaledError;
                ((IDisposable)model).Dispose();
            }
            global[v] = perSeries;
            report.Add(variants[v].Name, FormattableString.Invariant($"mean MASE {perSeries.Values.Average(m => m.Average()):F3}, fit {globalSeconds[v]:F1} s"));
        }

        var table = new MarkdownTable(["Series", "Frequency", "Values", "naive", "seasonal-naive", "AR (LS)", "Holt-Winters", "network per series", .. variants.Select(v => $"network: {v.Name}")]);
        var columns = new List<double>[4 + 1 + variants.Length];
        for (int c = 0; c < columns.Length; c++)
            columns[c] = [];
        double localSeconds = 0;
        foreach (var s in all)
        {
            int trainCount = s.Values.Length - TestCount, period = Period(s);
            var train = s.Values.AsSpan(0, trainCount).ToArray();
            double Mase(Func<int, float[]> forecastAt) => ClassicalForecasts.HeldOutMase(s.Values, trainCount, Horizon, period, forecastAt);
            var ar = LeastSquaresAutoregression.Fit(train, Lookback);
            var hw = HoltWinters.Fit(train, period);
            var classical = new[]
            {
                Mase(origin => ClassicalForecasts.Naive(s.Values.AsSpan(0, origin), Horizon)),
                Mase(origin => ClassicalForecasts.SeasonalNaive(s.Values.AsSpan(0, origin), period, Horizon)),
                Mase(origin => ar.Forecast(s.Values.AsSpan(0, origin), Horizon)),
                Mase(origin => hw.Forecast(s.Values.AsSpan(0, origin), Horizon)),
            };
            var one = ml.Data.LoadFromEnumerable(s.Values.Select(v => new LongRow { Series = s.Name, Value = v }));
            var own = ml.Data.CreateForecastingSplit(one, nameof(LongRow.Value), Lookback, Horizon, TestCount);
            var local = Enumerable.Range(1, seeds).Select(seed =>
            {
                Timing.Settle();
                long clock = Stopwatch.GetTimestamp();
                using var model = ml.Forecasting.DeepNetwork(Default(seed, options)).Fit(own.Train);
                localSeconds += Stopwatch.GetElapsedTime(clock).TotalSeconds / seeds;
                return ml.Forecasting.Evaluate(model.Transform(own.Test), period, own.TrainingSeries).MeanAbsoluteScaledError;
            }).Average();
            var values = classical.Append(local).Concat(variants.Select((_, v) => global[v][s.Name].Average())).ToArray();
            for (int c = 0; c < values.Length; c++)
                columns[c].Add(values[c]);
            table.Row([s.Name, s.Frequency == 1 ? "yearly or other" : s.Frequency == 4 ? "quarterly" : "monthly", $"{s.Values.Length}", .. values.Select(m => m.ToString("F3", CultureInfo.InvariantCulture))]);
        }
        report.Add("networks per series", FormattableString.Invariant($"mean MASE {columns[4].Average():F3}, fit {localSeconds:F1} s for all {all.Length}"));

        // Cold start: every fifth series left out of a global network's training, then forecast from its windows alone.
        var left = all.Where((_, i) => i % 5 == 0).Select(s => s.Name).ToHashSet();
        var seen = ml.Data.FilterByCustomPredicate<SeriesName>(split.Train, row => left.Contains(row.Series));
        var cold = all.Where(s => left.Contains(s.Name)).ToDictionary(s => s.Name, _ => 0.0);
        for (int seed = 1; seed <= seeds; seed++)
        {
            using var model = ml.Forecasting.DeepNetwork(Default(seed, options)).Fit(seen);
            var scored = model.Transform(split.Test);
            foreach (var s in all.Where(s => left.Contains(s.Name)))
                cold[s.Name] += ml.Forecasting.Evaluate(OnlySeries(ml, scored, s.Name), Period(s), split.TrainingSeriesById![s.Name]).MeanAbsoluteScaledError / seeds;
        }
        var coldTable = new MarkdownTable(["Series (left out of training)", "AR (LS)", "Holt-Winters", "network per series", "network: global, all 25", "network: global, trained without it (cold start)"]);
        foreach (var s in all.Select((s, i) => (s, i)).Where(p => left.Contains(p.s.Name)))
            coldTable.Row([s.s.Name, .. new[] { columns[2][s.i], columns[3][s.i], columns[4][s.i], columns[5][s.i], cold[s.s.Name] }.Select(m => m.ToString("F3", CultureInfo.InvariantCulture))]);
        report.Add("cold start", FormattableString.Invariant($"mean MASE {cold.Values.Average():F3} on {cold.Count} series left out"));
        table.Row(["**Mean MASE**", "", "", .. columns.Select(c => $"**{c.Average():F3}**")]);
        table.Row(["Median MASE", "", "", .. columns.Select(c => $"{Median(c):F3}")]);
        table.Row(["Series where it is the best of these", "", "", .. columns.Select((c, i) => $"{Enumerable.Range(0, all.Length).Count(r => columns.All(o => o[r] >= c[r]))}")]);
        table.Row(["Fit time, all series (s)", "", "", "", "", "", "", FormattableString.Invariant($"{localSeconds:F1} ({all.Length} fits)"), .. globalSeconds.Select(t => FormattableString.Invariant($"{t:F1} (one fit)"))]);
        report.Results.AddTable("Forecasting: one network for 25 series against one per series (MASE on each series' last 12 values; lower is better)",
            $"{all.Length} series of R's datasets package (monthly, quarterly, yearly and other; data/forecasting/README.md), chosen before any run. " +
            $"Every series' last {TestCount} values are its test tail; every method is fitted on the values before it and forecasts {Horizon} steps from each of the " +
            $"{TestCount - Horizon + 1} origins in the tail. MASE divides by the training part's mean absolute change over one seasonal period (12, 4, or 1 step). " +
            $"Networks: `ml.Forecasting.DeepNetwork` with default options (MLP 128-128, last-value scaling, 100 epochs), lookback {Lookback}, means over {seeds} seeds; " +
            "per series: one network on that series' windows; global: one network on every series' windows (`CreateForecastingSplit` with a `SeriesIdColumnName`), " +
            "with or without a learned series embedding (`ForecastingOptions.SeriesIdColumnName`). AR: least squares, order by AIC up to the lookback; " +
            "Holt-Winters: additive, damped trend, grid search (as in the forecasting section). Fit time: the networks' fits (per series: the sum).", table);
        report.Results.AddTable("Forecasting: a new series (cold start), forecast by a global network that never saw it (MASE; lower is better)",
            $"Every fifth series of the table above left out of the training windows of a global network (no series embedding, default options, {seeds} seeds), " +
            "which then forecasts those series' test tails from their windows alone; the other columns repeat the table above.", coldTable);
    }

    /// <summary>
    /// The 80% interval of one global network on every series' test tail, uncalibrated and conformal: the calibration reads
    /// the validation windows of all series at once (each series' 12 values before its test tail).
    /// </summary>
    private static void Calibration(MLContext ml, int seeds, BenchmarkOptions options, Report report)
    {
        const int ValidationCount = 12;
        var all = Load("forecasting/rdatasets.csv");
        var view = ml.Data.LoadFromEnumerable(all.SelectMany(s => s.Values.Select(v => new LongRow { Series = s.Name, Value = v })));
        var split = ml.Data.CreateForecastingSplit(view, nameof(LongRow.Value), Lookback, Horizon, TestCount, ValidationCount,
            new ForecastingWindowOptions { SeriesIdColumnName = nameof(LongRow.Series) });
        report.Section($"Global calibration: {all.Length} series, validation tail {ValidationCount}, test tail {TestCount}");
        // Per series: coverage and width, uncalibrated, conformal, and conformal per series (a network with the series embedding).
        var coverage = all.ToDictionary(s => s.Name, _ => new double[6]);
        var keys = ml.Transforms.Conversion.MapValueToKey("SeriesKey", nameof(LongRow.Series)).Fit(split.Train);
        var (train, validation, test) = (keys.Transform(split.Train), keys.Transform(split.Validation!), keys.Transform(split.Test));
        for (int seed = 1; seed <= seeds; seed++)
        {
            var fit = Default(seed, options) with { ValidationData = validation };
            using var plain = ml.Forecasting.DeepNetwork(fit with { Calibration = IntervalCalibration.None }).Fit(train);
            using var conformal = ml.Forecasting.DeepNetwork(fit with { Calibration = IntervalCalibration.Conformal }).Fit(train);
            using var perSeries = ml.Forecasting.DeepNetwork(fit with { Calibration = IntervalCalibration.ConformalPerSeries, SeriesIdColumnName = "SeriesKey" }).Fit(train);
            var scored = new[] { plain, conformal, perSeries }.Select(model => model.Transform(test)).ToArray();
            foreach (var s in all)
            {
                var cells = coverage[s.Name];
                for (int m = 0; m < scored.Length; m++)
                {
                    var metrics = ml.Forecasting.Evaluate(OnlySeries(ml, scored[m], s.Name), Period(s), split.TrainingSeriesById![s.Name]);
                    (cells[2 * m], cells[2 * m + 1]) = (cells[2 * m] + metrics.IntervalCoverage / seeds, cells[2 * m + 1] + metrics.MeanIntervalWidth / seeds);
                }
            }
        }
        var table = new MarkdownTable(["Series", "Coverage, uncalibrated", "Coverage, conformal", "Coverage, conformal per series (with the series embedding)",
            "Width ratio, conformal / uncalibrated", "Width ratio, per series / uncalibrated"]);
        foreach (var s in all)
        {
            var cells = coverage[s.Name];
            table.Row([s.Name, $"{cells[0]:F2}", $"{cells[2]:F2}", $"{cells[4]:F2}", $"{cells[3] / cells[1]:F2}", $"{cells[5] / cells[1]:F2}"]);
        }
        double Mean(int i) => coverage.Values.Average(c => c[i]);
        double Worst(int i) => coverage.Values.Min(c => c[i]);
        int Below(int i) => coverage.Values.Count(c => c[i] < 0.65);
        double Ratio(int i) => Math.Exp(coverage.Values.Average(c => Math.Log(c[i] / c[1])));
        table.Row(["**Mean**", $"**{Mean(0):F2}**", $"**{Mean(2):F2}**", $"**{Mean(4):F2}**", $"{Ratio(3):F2} (geometric)", $"{Ratio(5):F2} (geometric)"]);
        table.Row(["Worst", $"{Worst(0):F2}", $"{Worst(2):F2}", $"{Worst(4):F2}", "", ""]);
        table.Row(["Series below 0.65", $"{Below(0)}", $"{Below(2)}", $"{Below(4)}", "", ""]);
        report.Add("coverage, uncalibrated → conformal → per series", FormattableString.Invariant(
            $"mean {Mean(0):F2} → {Mean(2):F2} → {Mean(4):F2}, worst {Worst(0):F2} → {Worst(2):F2} → {Worst(4):F2}, width × {Ratio(3):F2} / × {Ratio(5):F2}"));
        report.Results.AddTable("Forecasting: the 80% interval of one network for 25 series, uncalibrated, conformal on all series' validation windows, and conformal per series",
            $"The global network of the first table (default options, quantiles 0.1/0.5/0.9, {seeds} seeds), trained on the values before each series' last " +
            $"{ValidationCount + TestCount}; conformal: `Calibration = IntervalCalibration.Conformal` with every series' {ValidationCount} values before its test tail " +
            $"as ValidationData ({ValidationCount - Horizon + 1} windows per series, {all.Length * (ValidationCount - Horizon + 1)} in all, one offset per step for " +
            "all series, in each window's scale); conformal per series: `IntervalCalibration.ConformalPerSeries` on a network with the series embedding " +
            "(`SeriesIdColumnName`), each series' offsets from its own 7 validation windows (the largest of their scores, at this count). " +
            "Coverage: the share of each series' test values inside the interval, over its windows and steps, mean of the seeds. " +
            "Issue 34's goal: mean 0.75–0.85, no series below 0.65.", table);
    }

    private static void Covariates(MLContext ml, int seeds, BenchmarkOptions options, Report report)
    {
        var table = new MarkdownTable(["Data", "Known-future input", "Series (values each)", "MASE without it", "MASE with it", "Ratio"]);

        // Generated: each series' level, season and random promotions (1 step in 5) that lift it by a fifth; the past cannot foresee them.
        var random = new Random(11);
        var rows = new List<LongRow>();
        for (int s = 0; s < 20; s++)
        {
            double level = 50 + 10 * s, amplitude = 2 + s % 5;
            for (int t = 0; t < 240; t++)
            {
                float promotion = random.NextDouble() < 0.2 ? 1f : 0f;
                double noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                rows.Add(new LongRow { Series = $"s{s}", Promotion = promotion, Value = (float)(level + amplitude * Math.Sin(2 * Math.PI * t / 12 + s) + 0.2 * level * promotion + noise) });
            }
        }
        Compare("generated (level + season + noise)", ml.Data.LoadFromEnumerable(rows), 20, 240, 48, [("promotion (1 step in 5, +20% of the level)", [nameof(LongRow.Promotion)])]);

        // The UK seat-belt law of 31 January 1983: known in advance, and the drivers and front-seat passengers killed or injured fell after it.
        var seatbelts = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "forecasting/seatbelts.csv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        var law = new List<LongRow>();
        foreach (var (column, name) in new[] { (1, "DriversKilled"), (2, "front"), (3, "rear") })
        {
            law.AddRange(seatbelts.Select(f => new LongRow
            {
                Series = name, Value = float.Parse(f[column], CultureInfo.InvariantCulture), Law = float.Parse(f[4], CultureInfo.InvariantCulture),
                Date = DateTime.ParseExact(f[0], "yyyy-MM", CultureInfo.InvariantCulture),
            }));
        }
        var lawView = ml.Data.LoadFromEnumerable(law);
        var calendar = ml.Transforms.CalendarFeatures("Month", nameof(LongRow.Date), CalendarFeatureKinds.Month).Fit(lawView).Transform(lawView);
        Compare("UK road casualties, monthly 1969–1984 (drivers killed, front and rear seat)", calendar, 3, seatbelts.Length, 12,
        [
            ("the seat-belt law (0 before February 1983, 1 from then on)", [nameof(LongRow.Law)]),
            ("the month (`CalendarFeatures`, one-hot)", ["Month"]),
            ("the law and the month", [nameof(LongRow.Law), "Month"]),
        ]);

        report.Results.AddTable("Forecasting: known-future covariates (MASE on each series' test tail; lower is better)",
            $"One network for all series of each set (`ForecastingOptions.FutureCovariatesColumnName` on windows from `CreateForecastingSplit` with " +
            $"`FutureCovariateColumnNames`), lookback {Lookback}, horizon {Horizon}, default options otherwise, means over {seeds} seeds, against the same network " +
            "without the column. Generated: 20 series of 240 values, test tail 48. Seat belts: R's `Seatbelts` (data/forecasting/README.md), test tail the last 12 " +
            "months (1984), so the training windows see the law in force only over its first 11 months (1983): the network has to learn its effect from those.", table);

        void Compare(string what, IDataView data, int count, int length, int testCount, (string Input, string[] Columns)[] variants)
        {
            report.Section($"Covariates: {what}");
            double Mase(string[] columns)
            {
                // The windows once per set of columns; every seed trains on the same ones.
                var split = ml.Data.CreateForecastingSplit(data, nameof(LongRow.Value), Lookback, Horizon, testCount, 0,
                    new ForecastingWindowOptions { SeriesIdColumnName = nameof(LongRow.Series), FutureCovariateColumnNames = columns });
                return Enumerable.Range(1, seeds).Average(seed => Fitted(split, columns, seed));
            }
            double Fitted(ForecastingSplit split, string[] columns, int seed)
            {
                var fit = Default(seed, options) with { FutureCovariatesColumnName = columns.Length > 0 ? "FutureCovariates" : null };
                using var model = ml.Forecasting.DeepNetwork(fit).Fit(split.Train);
                return ml.Forecasting.Evaluate(model.Transform(split.Test), nameof(LongRow.Series), split.TrainingSeriesById!, 12).MeanAbsoluteScaledError;
            }
            double without = Mase([]);
            report.Add("MASE without covariates", FormattableString.Invariant($"{without:F3}"));
            foreach (var (input, columns) in variants)
            {
                double with = Mase(columns);
                report.Add($"MASE with {input}", FormattableString.Invariant($"{with:F3}"));
                table.Row([what, input, $"{count} ({length})", $"{without:F3}", $"{with:F3}", $"{with / without:F2}"]);
            }
        }
    }

    private static int Period(Series s) => Math.Max(1, s.Frequency);

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static IDataView OnlySeries(MLContext ml, IDataView scored, string name)
        => ml.Data.FilterByCustomPredicate<SeriesName>(scored, row => row.Series != name);

    public sealed class SeriesName
    {
        public string Series { get; set; } = "";
    }

    /// <summary>The long table: Series, Period, Frequency, Value; each series' rows in time order.</summary>
    private static Series[] Load(string file)
        => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, file)).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
            .GroupBy(f => f[0])
            .Select(g => new Series(g.Key, int.Parse(g.First()[2], CultureInfo.InvariantCulture), g.Select(f => float.Parse(f[3], CultureInfo.InvariantCulture)).ToArray()))
            .ToArray();
}
