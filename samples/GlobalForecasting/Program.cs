using System;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions;
using MLDeepExtensions.Samples;

// One forecaster for three related monthly series, UK road casualties 1969–1984 (R's Seatbelts: car drivers killed,
// front- and rear-seat passengers killed or seriously injured), with the month as a known-future input and an 80%
// interval calibrated on held-out windows of all three. Forecasts 1984 from the years before, then 1985 from it all.
// Run: dotnet run --project samples/GlobalForecasting -c Release [-- --epochs N] [--max-train N]
//
// Expected output (idle 2-core x86-64 CPU, no GPU; about 3 seconds):
//   Data: 192 months of 3 series (1969-01 – 1984-12); 417 training windows of 24 months, each with the month of its 30 steps
//   Training one network for all three, 100 epochs ...
//   1984, 21 forecast origins × 6 months (MASE: 1 = the training years' mean change over 12 months):
//                     MASE   naive   seasonal-naive   80% interval: inside, mean width
//     DriversKilled   0.532   1.099       0.642              100 %, 76
//     front           0.940   1.106       0.471               98 %, 508
//     rear            0.775   1.736       1.385              100 %, 241
//     mean            0.749   1.314       0.833               99 %
//   Saved the model to .../bin/Release/net10.0/CasualtiesForecaster.zip (620 KiB).
//   Reloaded model, forecasts for 1985-01 – 1985-06 (80% interval):
//     DriversKilled     105 [74, 143]     83 [42, 131]     89 [39, 134]     87 [43, 136]     90 [44, 145]     93 [47, 139]
//     front             529 [428, 654]    468 [329, 614]    502 [329, 665]    514 [365, 672]    569 [408, 733]    574 [402, 744]
//     rear              362 [277, 445]    342 [222, 451]    378 [237, 503]    406 [288, 534]    456 [316, 586]    455 [320, 600]
// Seasonal-naive beats the network on front-seat casualties, and the interval is too wide (99% inside, not 80%): the
// calibration year, 1983, is the year front seat belts became compulsory, and its level shift widened the bounds.
// See README, "Forecasting", for the benchmarks on 25 series.
if (!SampleArguments.TryParse(args, "GlobalForecasting", defaultEpochs: ForecastModel.Epochs, out var arguments, allowSubset: false, maxTrainMeaning: "first N training windows, "))
    return 2;

var ml = new MLContext(seed: 1);
var rows = ForecastModel.Load(System.IO.Path.Combine(AppContext.BaseDirectory, "Data", "seatbelts.csv"));
var table = ml.Data.LoadFromEnumerable(rows);
var withCalendar = ForecastModel.Calendar(ml).Fit(table).Transform(table);

// Every series' last 12 months (1984) test the forecaster, the 12 before (1983) calibrate its interval.
var split = ml.Data.CreateForecastingSplit(withCalendar, nameof(Casualties.Count), ForecastModel.Lookback, ForecastModel.Horizon, testCount: 12, validationCount: 12,
    new ForecastingWindowOptions { SeriesIdColumnName = nameof(Casualties.Series), FutureCovariateColumnNames = ["Calendar"] });
Console.WriteLine($"Data: {rows.Length / 3} months of 3 series ({rows[0].Month:yyyy-MM} – {rows[^1].Month:yyyy-MM}); {split.Train.GetRowCount()} training windows " +
                  $"of {ForecastModel.Lookback} months, each with the month of its {ForecastModel.Lookback + ForecastModel.Horizon} steps");
Console.WriteLine($"Training one network for all three, {arguments.Epochs} epoch{(arguments.Epochs == 1 ? "" : "s")} ...");
var model = ForecastModel.Train(ml, split, arguments.Epochs, arguments.MaxTrain);
ForecastModel.Evaluate(ml, model, split);
string modelPath = ForecastModel.Save(ml, model, split.Train.Schema);

Console.WriteLine("Reloaded model, forecasts for 1985-01 – 1985-06 (80% interval):");
foreach (var series in new[] { "DriversKilled", "front", "rear" })
{
    var forecast = ForecastModel.Consume(modelPath, series, rows.Where(r => r.Series == series).ToArray());
    Console.WriteLine($"  {series,-14}" + string.Concat(Enumerable.Range(0, forecast.Forecast.Count).Select(k => $"  {forecast.Forecast[k],5:F0} [{forecast.LowerBound![k]:F0}, {forecast.UpperBound![k]:F0}]")));
}
((IDisposable)model).Dispose();
return 0;
