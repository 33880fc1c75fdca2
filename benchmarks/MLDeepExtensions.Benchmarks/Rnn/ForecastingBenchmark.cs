using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// One-step-ahead forecasts of the yearly sunspot number: an LSTM on <c>CreateForecastingWindows</c> trained on
/// 1700–1946 (the first 80%), scored on 1947–2008, against the naive (last year's value) and seasonal-naive
/// (the value one 11-year solar cycle earlier) forecasts, and next to a linear autoregression fitted by least squares
/// as a reference. The LSTM (32 units, its last state → one output) is trained with five seeds; the mean is reported.
/// </summary>
internal static class ForecastingBenchmark
{
    public const int Lookback = 20;
    public const int Cycle = 11;
    public const int Hidden = 32;
    public const int Epochs = 150;
    private static readonly int[] Seeds = { 1, 2, 3, 4, 5 };

    public static void Run(Report report)
    {
        var (years, values) = SunspotSeries.Load();
        int trainCount = (int)Math.Round(values.Length * 0.8);
        int testCount = values.Length - trainCount;
        report.Section($"Forecasting: yearly sunspot numbers, train {years[0]}–{years[trainCount - 1]} ({trainCount} years), " +
            $"one-step forecasts of {years[trainCount]}–{years[^1]} ({testCount} years), lookback {Lookback}");

        // Scaling fitted on the training years only.
        float mean = values.Take(trainCount).Average();
        float std = MathF.Sqrt(values.Take(trainCount).Select(v => (v - mean) * (v - mean)).Average());
        var ml = new MLContext(seed: 1);
        var series = ml.Data.LoadFromEnumerable(values.Select(v => new SeriesPoint { Value = (v - mean) / std }));
        var windows = ml.Data.CreateForecastingWindows(series, nameof(SeriesPoint.Value), Lookback);
        int trainWindows = trainCount - Lookback; // window i forecasts year index i + Lookback
        var train = ml.Data.TakeRows(windows, trainWindows);
        var test = ml.Data.SkipRows(windows, trainWindows);
        var actual = values.Skip(trainCount).ToArray();

        double naive = MeanAbsoluteError(actual, Enumerable.Range(trainCount, testCount).Select(t => values[t - 1]));
        double seasonal = MeanAbsoluteError(actual, Enumerable.Range(trainCount, testCount).Select(t => values[t - Cycle]));
        report.Add("naive forecast (last year's value), MAE", $"{naive:F2}");
        report.Add($"seasonal-naive forecast (value {Cycle} years earlier), MAE", $"{seasonal:F2}");
        var autoregression = new[] { 9, Lookback }.Select(order => (order, mae: MeanAbsoluteError(actual, Autoregression(values, trainCount, order)))).ToArray();
        foreach (var (order, mae) in autoregression)
            report.Add($"linear AR({order}), least squares on the training years, MAE", $"{mae:F2} (reference)");

        var errors = new double[Seeds.Length];
        var seconds = new double[errors.Length];
        for (int i = 0; i < errors.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var model = ml.Regression.Trainers.DeepNetwork(Options(Seeds[i])).Fit(train);
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var predicted = model.Transform(test).GetColumn<float>("Score").Select(p => p * std + mean);
            errors[i] = MeanAbsoluteError(actual, predicted);
        }
        double lstm = errors.Average();
        report.Add($"LSTM {Hidden}, {Epochs} epochs, MAE per seed", string.Join(", ", errors.Select(e => e.ToString("F2"))) + $" (fit {seconds.Average():F1} s each)");
        report.Add("LSTM MAE, mean over seeds", $"{lstm:F2}: {100 * (1 - lstm / naive):F0}% below naive (target >= 20%), " +
            $"{100 * (1 - lstm / seasonal):F0}% below seasonal-naive (target > 0%)");
        var references = new List<Reference> { new("naive (last year)", naive), new($"seasonal-naive ({Cycle} years earlier)", seasonal) };
        references.AddRange(autoregression.Select(ar => new Reference($"linear AR({ar.order})", ar.mae)));
        report.Results.Add(new QualityResult(Architectures.Rnn,
            $"Sunspots, one year ahead, MAE {years[trainCount]}–{years[^1]}: LSTM {Hidden}, {Epochs} epochs, mean of {Seeds.Length} seeds ({100 * (1 - lstm / naive):F0}% below naive)",
            "MAE", "F2", lstm, seconds.Average(), references, "≥ 20% below naive, below seasonal-naive", lstm <= 0.8 * naive && lstm < seasonal));
    }

    private static DeepNetworkOptions Options(int seed) => new()
    {
        Architecture = new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = Hidden },
        Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine() },
        Epochs = Epochs,
        BatchSize = 16,
        Seed = seed,
    };

    private static double MeanAbsoluteError(float[] actual, IEnumerable<float> predicted)
        => actual.Zip(predicted).Average(p => Math.Abs(p.First - p.Second));

    /// <summary>One-step forecasts of the test years by x[t] = c + Σ a_k x[t−k], fitted by least squares on the training years.</summary>
    private static float[] Autoregression(float[] values, int trainCount, int order)
    {
        using var scope = NewDisposeScope();
        Tensor Design(int from, int to) => tensor(Enumerable.Range(from, to - from)
            .SelectMany(t => values.Skip(t - order).Take(order).Append(1f)).ToArray(), new long[] { to - from, order + 1 });
        var x = Design(order, trainCount);
        var y = tensor(values.Skip(order).Take(trainCount - order).ToArray()).unsqueeze(1);
        var (coefficients, _, _, _) = linalg.lstsq(x, y);
        return Design(trainCount, values.Length).matmul(coefficients).squeeze(1).data<float>().ToArray();
    }

    private sealed class SeriesPoint
    {
        public float Value { get; set; }
    }
}
