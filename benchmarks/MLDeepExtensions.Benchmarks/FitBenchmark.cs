using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// One epoch of MLP 784-256-128-10 (Adam 0.001, batch 128, shuffled): our estimator reading the IDataView against the
/// bare TorchSharp loop on tensors made beforehand. Runs alternate, after one warm-up of each.
/// </summary>
internal static class FitBenchmark
{
    public const int BatchSize = 128;

    /// <summary>Measures both sides and returns the last fitted models, for the scoring benchmarks.</summary>
    public static (DeepNetworkTransformer Ours, BareMlp Bare) Run(BenchmarkData data, int repeats, Report report)
    {
        report.Section($"Fit: 1 epoch, MLP 784-256-128-10, Adam 0.001, batch {BatchSize}, {data.TrainCount} rows ({repeats} runs each, alternating, after a warm-up)");
        FitOurs(data, seed: 0).Model.Dispose();
        FitBare(data, seed: 0).Model.Dispose();

        var ours = new List<(double Total, double Loop)>();
        var bare = new List<double>();
        DeepNetworkTransformer? lastOurs = null;
        BareMlp? lastBare = null;
        for (int run = 1; run <= repeats; run++)
        {
            var (oursModel, total, loop) = FitOurs(data, seed: run);
            ours.Add((total, loop));
            lastOurs?.Dispose();
            lastOurs = oursModel;
            var (bareModel, bareSeconds) = FitBare(data, seed: run);
            bare.Add(bareSeconds);
            lastBare?.Dispose();
            lastBare = bareModel;
            Console.WriteLine($"   run {run}: ours {total:F2} s (training loop {loop:F2} s), bare {bareSeconds:F2} s");
        }

        double oursTotal = Timing.Median(ours.ConvertAll(r => r.Total).ToArray());
        double oursLoop = Timing.Median(ours.ConvertAll(r => r.Loop).ToArray());
        double oursRead = Timing.Median(ours.ConvertAll(r => r.Total - r.Loop).ToArray());
        double bareTotal = Timing.Median(bare.ToArray());
        report.Add("fit ours, total (median)", $"{oursTotal:F2} s");
        report.Add("  of which data read + setup", $"{oursRead:F2} s");
        report.Add("  of which training loop", $"{oursLoop:F2} s");
        report.Add("fit bare TorchSharp (median)", $"{bareTotal:F2} s");
        report.Add("fit ratio (ours/bare)", $"{oursTotal / bareTotal:F2} (target <= 1.05)");
        report.Add("training-loop ratio (ours/bare)", $"{oursLoop / bareTotal:F2} (ours without the data read)");
        return (lastOurs!, lastBare!);
    }

    /// <summary>Fits our estimator on the key-labelled IDataView; the training loop's own time is epoch 1's Elapsed.</summary>
    private static (DeepNetworkTransformer Model, double Total, double Loop) FitOurs(BenchmarkData data, int seed)
    {
        var options = new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            Architecture = new MlpArchitecture(256, 128),
            Optimizer = OptimizerOptions.Adam(1e-3),
            Epochs = 1,
            BatchSize = BatchSize,
            Shuffle = true,
            Seed = seed,
        };
        var estimator = data.MLContext.MulticlassClassification.Trainers.DeepNetwork(options);
        Timing.Settle();
        long start = Stopwatch.GetTimestamp();
        var model = estimator.Fit(data.KeyedTrain);
        double total = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return (model, total, model.History[0].Elapsed.TotalSeconds);
    }

    private static (BareMlp Model, double Seconds) FitBare(BenchmarkData data, int seed)
    {
        Timing.Settle();
        long start = Stopwatch.GetTimestamp();
        var model = new BareMlp(seed);
        model.TrainOneEpoch(data.TrainFeatures, data.TrainLabels, BatchSize, seed);
        return (model, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
