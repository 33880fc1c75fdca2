using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions;

namespace MLDeepExtensions.Samples;

/// <summary>Training, evaluation and consumption of one forecaster for many series (Model Builder style).</summary>
public static class ForecastModel
{
    public const int Lookback = 24, Horizon = 6, Epochs = 100;

    /// <summary>The three series of R's Seatbelts in long format: one row per series and month.</summary>
    public static Casualties[] Load(string path)
    {
        var lines = File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        var series = new (int Column, string Name)[] { (1, "DriversKilled"), (2, "front"), (3, "rear") };
        return series.SelectMany(s => lines.Select(f => new Casualties
        {
            Series = s.Name,
            Month = DateTime.ParseExact(f[0], "yyyy-MM", CultureInfo.InvariantCulture),
            Count = float.Parse(f[s.Column], CultureInfo.InvariantCulture),
        })).ToArray();
    }

    /// <summary>The month as 12 one-hot values: a known-future covariate.</summary>
    public static IEstimator<ITransformer> Calendar(MLContext ml) => ml.Transforms.CalendarFeatures("Calendar", nameof(Casualties.Month), CalendarFeatureKinds.Month);

    /// <summary>
    /// One network for every series: the series' key embedded, the month known ahead, the interval calibrated on the
    /// validation windows of all series. The key mapping is fitted first, so that the validation windows carry keys too.
    /// </summary>
    public static ITransformer Train(MLContext ml, ForecastingSplit split, int epochs, long maxTrain)
    {
        var keys = ml.Transforms.Conversion.MapValueToKey("SeriesKey", nameof(Casualties.Series)).Fit(split.Train);
        var train = keys.Transform(split.Train);
        if (maxTrain < (train.GetRowCount() ?? long.MaxValue))
            train = ml.Data.TakeRows(train, maxTrain);
        var forecaster = ml.Forecasting.DeepNetwork(new ForecastingOptions
        {
            SeriesIdColumnName = "SeriesKey",
            FutureCovariatesColumnName = "FutureCovariates",
            ValidationData = keys.Transform(split.Validation!),
            Epochs = epochs,
            Seed = 1,
        }).Fit(train);
        return keys.Append(forecaster);
    }

    public static void Evaluate(MLContext ml, ITransformer model, ForecastingSplit split)
    {
        var metrics = ml.Forecasting.Evaluate(model.Transform(split.Test), nameof(Casualties.Series), split.TrainingSeriesById!, seasonalPeriod: 12);
        Console.WriteLine($"1984, {metrics.Windows} forecast origins × {Horizon} months (MASE: 1 = the training years' mean change over 12 months):");
        Console.WriteLine("                  MASE   naive   seasonal-naive   80% interval: inside, mean width");
        foreach (var (series, m) in metrics.PerSeries)
            Console.WriteLine(FormattableString.Invariant($"  {series,-14} {m.MeanAbsoluteScaledError,6:F3}  {m.NaiveMeanAbsoluteScaledError,6:F3}  {m.SeasonalNaiveMeanAbsoluteScaledError,10:F3}       {m.IntervalCoverage,12:P0}, {m.MeanIntervalWidth:F0}"));
        Console.WriteLine(FormattableString.Invariant($"  {"mean",-14} {metrics.MeanAbsoluteScaledError,6:F3}  {metrics.NaiveMeanAbsoluteScaledError,6:F3}  {metrics.SeasonalNaiveMeanAbsoluteScaledError,10:F3}       {metrics.IntervalCoverage,12:P0}"));
    }

    public static string Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "CasualtiesForecaster.zip");
        ml.Model.Save(model, schema, path);
        Console.WriteLine($"Saved the model to {path} ({new FileInfo(path).Length / 1024} KiB).");
        return path;
    }

    /// <summary>
    /// Reloads the model and forecasts the months after <paramref name="history"/> for one series: its past values, and
    /// the calendar features of every month of the history and of the horizon (known ahead).
    /// </summary>
    public static SeriesForecast Consume(string modelPath, string series, IReadOnlyList<Casualties> history)
    {
        var ml = new MLContext();
        // A loaded chain is a TransformerChain<ITransformer>: the forecaster is its last step.
        var model = (TransformerChain<ITransformer>)ml.Model.Load(modelPath, out _);
        var forecaster = (ForecastingTransformer)model.LastTransformer;
        var months = history.Select(h => h.Month).Concat(Enumerable.Range(1, forecaster.Horizon).Select(k => history[^1].Month.AddMonths(k)));
        var calendar = Calendar(ml).Fit(ml.Data.LoadFromEnumerable(Array.Empty<Casualties>()));
        var features = calendar.Transform(ml.Data.LoadFromEnumerable(months.Select(m => new Casualties { Month = m })))
            .GetColumn<float[]>("Calendar").SelectMany(v => v).ToArray();
        return forecaster.Forecast(history.Select(h => h.Count).ToArray(), new ForecastInputs { SeriesId = series, FutureCovariates = features });
    }
}
