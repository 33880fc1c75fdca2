using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

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
        var tensorBuilding = new List<double>();
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
            tensorBuilding.Add(Timing.Seconds(() =>
            {
                var (features, labels) = BenchmarkData.ToTensors(data.TrainImages);
                features.Dispose();
                labels.Dispose();
            }));
            Console.WriteLine($"   run {run}: ours {total:F2} s (training loop {loop:F2} s), bare {bareSeconds:F2} s (+ {tensorBuilding[^1]:F2} s to build its tensors)");
        }

        var oursTotal = ours.ConvertAll(r => r.Total).ToArray();
        var oursLoop = ours.ConvertAll(r => r.Loop).ToArray();
        var bareTotal = bare.ToArray();
        double building = Timing.Median(tensorBuilding.ToArray());
        report.Add("fit ours, total (median / min)", MedianAndMin(oursTotal));
        report.Add("  of which data read + setup (median)", $"{Timing.Median(ours.ConvertAll(r => r.Total - r.Loop).ToArray()):F2} s");
        report.Add("  of which training loop (median / min)", MedianAndMin(oursLoop));
        report.Add("fit bare TorchSharp (median / min)", MedianAndMin(bareTotal));
        report.Add("bare: building its tensors, not timed above", $"{building:F2} s (median)");
        report.Add("fit ratio (ours/bare)", $"{Timing.Median(oursTotal) / Timing.Median(bareTotal):F2} by median, {oursTotal.Min() / bareTotal.Min():F2} by best run (target <= 1.05)");
        report.Add("training-loop ratio (ours/bare)", $"{Timing.Median(oursLoop) / Timing.Median(bareTotal):F2} by median, {oursLoop.Min() / bareTotal.Min():F2} by best run (ours without the data read)");
        report.Add("fit ratio (ours/(bare + its tensors))", $"{Timing.Median(oursTotal) / (Timing.Median(bareTotal) + building):F2}");
        return (lastOurs!, lastBare!);
    }

    private static string MedianAndMin(double[] seconds) => $"{Timing.Median(seconds):F2} / {seconds.Min():F2} s";

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
