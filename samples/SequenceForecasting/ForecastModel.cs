using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>Trains, evaluates, saves and consumes the one-year-ahead sunspot forecaster, Model Builder style.</summary>
public static class ForecastModel
{
    /// <summary>Years the network reads to forecast the next one (about two solar cycles).</summary>
    public const int Lookback = 20;

    /// <summary>The length of the solar cycle in years, for the seasonal-naive forecast.</summary>
    public const int SolarCycle = 11;

    /// <summary>Trains an LSTM of 32 units (its last state → one output) on windows of <see cref="Lookback"/> scaled years.</summary>
    public static ITransformer Train(MLContext mlContext, IDataView trainWindows, int epochs)
    {
        var options = new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = nameof(ModelInput.Features),
            Architecture = new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = 32 },
            Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine() },
            Epochs = epochs,
            BatchSize = 16,
            Seed = 1,
            Progress = new ConsoleProgress(epochs),
        };
        return mlContext.Regression.Trainers.DeepNetwork(options).Fit(trainWindows);
    }

    /// <summary>
    /// Forecasts every test year from the actual previous years and prints the mean absolute error next to the naive
    /// forecast (last year's value) and the seasonal-naive one (the value one solar cycle earlier).
    /// </summary>
    public static void Evaluate(ITransformer model, IDataView testWindows, SeriesScaling scaling, SunspotYear[] years, int firstTestIndex)
    {
        var forecasts = model.Transform(testWindows).GetColumn<float>("Score").Select(scaling.Unscale).ToArray();
        var test = years.Skip(firstTestIndex).ToArray();
        double Mae(Func<int, float> forecast) => test.Select((year, i) => Math.Abs(year.Sunspots - forecast(i))).Average();
        double lstm = Mae(i => forecasts[i]);
        double naive = Mae(i => years[firstTestIndex + i - 1].Sunspots);
        double seasonal = Mae(i => years[firstTestIndex + i - SolarCycle].Sunspots);
        Console.WriteLine($"Test years {test[0].Year}–{test[^1].Year}, mean absolute error of one-year-ahead forecasts:");
        Console.WriteLine($"  LSTM           {lstm,6:F1}  ({100 * (1 - lstm / naive):F0}% below naive)");
        Console.WriteLine($"  naive          {naive,6:F1}  (next year = this year)");
        Console.WriteLine($"  seasonal-naive {seasonal,6:F1}  (next year = {SolarCycle} years before it)");
        Console.WriteLine("  year  actual  LSTM");
        for (int i = 0; i < test.Length; i += 6)
            Console.WriteLine($"  {test[i].Year,4}  {test[i].Sunspots,6:F1}  {forecasts[i],5:F1}");
    }

    /// <summary>Saves the model next to the program and returns the file's path.</summary>
    public static string Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "SunspotForecaster.zip");
        mlContext.Model.Save(model, inputSchema, path);
        Console.WriteLine($"Saved the model to {path} ({new FileInfo(path).Length / 1024} KiB).");
        return path;
    }

    /// <summary>
    /// Loads the model in a new MLContext, as another program would, and forecasts the years after the series,
    /// each from the previous <see cref="Lookback"/> values (forecasts standing in for the years not yet seen).
    /// </summary>
    public static IReadOnlyList<float> Consume(string modelPath, IReadOnlyList<float> history, SeriesScaling scaling, int years)
    {
        var mlContext = new MLContext();
        var model = mlContext.Model.Load(modelPath, out _);
        // The model outlives the engine: by default disposing an engine disposes its model.
        using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var window = history.Skip(history.Count - Lookback).Select(scaling.Scale).ToList();
        var forecasts = new List<float>();
        for (int i = 0; i < years; i++)
        {
            float next = engine.Predict(new ModelInput { Features = window.ToArray() }).Score;
            forecasts.Add(scaling.Unscale(next));
            window.RemoveAt(0);
            window.Add(next);
        }
        (model as IDisposable)?.Dispose();
        return forecasts;
    }

    /// <summary>Prints every tenth epoch and the last one, at once, on the training thread.</summary>
    private sealed class ConsoleProgress(int epochs) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value)
        {
            if (value.Epoch % 10 == 0 || value.Epoch == epochs || value.Epoch == 1)
                Console.WriteLine($"  epoch {value.Epoch,3}: train loss {value.TrainingLoss:F4} (scaled MSE), learning rate {value.LearningRate:G3} ({value.Elapsed.TotalSeconds:F1} s)");
        }
    }
}
