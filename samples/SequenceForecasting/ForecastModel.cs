using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>Trains, evaluates, saves and consumes the 12-month CO₂ forecaster, Model Builder style.</summary>
public static class ForecastModel
{
    /// <summary>Months the network reads: three years.</summary>
    public const int Lookback = 36;

    /// <summary>Months forecast at once.</summary>
    public const int Horizon = 12;

    /// <summary>The seasonal period of the seasonal-naive forecast the network is compared with: a yearly pattern in monthly data.</summary>
    public const int SeasonalPeriod = 12;

    /// <summary>Training epochs (the forecasting default).</summary>
    public const int Epochs = 100;

    /// <summary>
    /// The documented recipe, the forecasting defaults: an MLP 128-128 with dropout 0.2 on windows scaled by their last
    /// value and spread, quantiles 0.1 / 0.5 / 0.9 with the pinball loss, Adam with a cosine schedule, batches of 32.
    /// </summary>
    public static ForecastingTransformer Train(MLContext mlContext, IDataView trainWindows, int epochs)
    {
        var options = new ForecastingOptions
        {
            Epochs = epochs,
            Seed = 1,
            Progress = new Progress(epochs),
        };
        return mlContext.Forecasting.DeepNetwork(options).Fit(trainWindows);
    }

    /// <summary>Forecasts every test window and prints MAE and MASE next to the naive and seasonal-naive forecasts, and the interval's coverage.</summary>
    public static void Evaluate(MLContext mlContext, ForecastingTransformer model, ForecastingSplit split, Co2Month[] months)
    {
        var scored = model.Transform(split.Test);
        var metrics = mlContext.Forecasting.Evaluate(scored, SeasonalPeriod, split.TrainingSeries);
        Console.WriteLine($"Test tail, {metrics.Windows} forecast origins × {metrics.Horizon} months (MASE: 1 = the training years' mean change over {SeasonalPeriod} months):");
        Console.WriteLine("                    MAE    MASE");
        Console.WriteLine($"  network        {metrics.MeanAbsoluteError,6:F2}  {metrics.MeanAbsoluteScaledError,6:F3}   (sMAPE {metrics.SymmetricMeanAbsolutePercentageError:F2}%, RMSE {metrics.RootMeanSquaredError:F2})");
        Console.WriteLine($"  naive          {metrics.NaiveMeanAbsoluteError,6:F2}  {metrics.NaiveMeanAbsoluteScaledError,6:F3}   (every month = the last one)");
        Console.WriteLine($"  seasonal-naive {metrics.SeasonalNaiveMeanAbsoluteError,6:F2}  {metrics.SeasonalNaiveMeanAbsoluteScaledError,6:F3}   (every month = the same month a year before)");
        Console.WriteLine($"80% interval: {100 * metrics.IntervalCoverage:F0}% of the actual values inside, {metrics.MeanIntervalWidth:F2} ppmv wide on average");
        var index = scored.GetColumn<int>("Index").ToArray();
        var forecasts = scored.GetColumn<float[]>("Forecast").ToArray();
        var lower = scored.GetColumn<float[]>("LowerBound").ToArray();
        var upper = scored.GetColumn<float[]>("UpperBound").ToArray();
        Console.WriteLine("  origin   first month: actual  forecast  [80% interval]   12th month: actual  forecast");
        for (int i = 0; i < index.Length; i += 24)
        {
            int first = index[i];
            Console.WriteLine($"  {months[first - 1].Period}  {months[first].Co2,18:F1}  {forecasts[i][0],8:F1}  [{lower[i][0]:F1}, {upper[i][0]:F1}]  {months[first + Horizon - 1].Co2,17:F1}  {forecasts[i][^1],8:F1}");
        }
    }

    /// <summary>Saves the model next to the program and returns the file's path.</summary>
    public static string Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Co2Forecaster.zip");
        mlContext.Model.Save(model, inputSchema, path);
        Console.WriteLine($"Saved the model to {path} ({new FileInfo(path).Length / 1024} KiB).");
        return path;
    }

    /// <summary>Loads the model in a new MLContext, as another program would, and forecasts the 12 months after <paramref name="history"/> (raw values, no scaler needed).</summary>
    public static SeriesForecast Consume(string modelPath, float[] history)
    {
        var mlContext = new MLContext();
        using var forecaster = (ForecastingTransformer)mlContext.Model.Load(modelPath, out _);
        return forecaster.Forecast(history);
    }

    /// <summary>Prints every 25th epoch and the last one, at once, on the training thread.</summary>
    private sealed class Progress(int epochs) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value)
        {
            if (value.Epoch % 25 == 0 || value.Epoch == epochs || value.Epoch == 1)
                Console.WriteLine($"  epoch {value.Epoch,3}: train loss {value.TrainingLoss:F4} (pinball, in each window's scale) ({value.Elapsed.TotalSeconds:F1} s)");
        }
    }
}
