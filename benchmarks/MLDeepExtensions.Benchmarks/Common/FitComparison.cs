using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Samples;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// One-epoch fit time of our estimator (reading the IDataView) against a bare TorchSharp loop (on tensors made
/// beforehand): one warm-up of each, then alternating runs, then the medians, best runs and ratios, and the peak
/// resident set during the fits of each side (sampled, see <see cref="ResidentMemory.PeakDuring{T}"/>).
/// </summary>
internal static class FitComparison
{
    /// <summary>Measures both sides and returns the last fitted models (the caller owns them).</summary>
    /// <param name="architecture">The results-table column (<see cref="Architectures"/>).</param>
    /// <param name="data">Fashion-MNIST; ours reads <see cref="BenchmarkData.KeyedTrain"/>, bare its tensors.</param>
    /// <param name="repeats">Timed runs per side.</param>
    /// <param name="ours">The estimator for a seed (one epoch).</param>
    /// <param name="bare">The bare module's constructor.</param>
    /// <param name="batchSize">Rows per step on both sides.</param>
    /// <param name="report">Where the results go.</param>
    public static (DeepNetworkTransformer Ours, BareNetwork Bare) Run(string architecture, BenchmarkData data, int repeats, Func<int, DeepNetworkEstimator> ours,
        Func<nn.Module<Tensor, Tensor>> bare, int batchSize, Report report)
    {
        // A full warm-up epoch of each: a shorter one leaves the first timed run slower (first-touch allocations).
        ours(0).Fit(data.KeyedTrain).Dispose();
        using (var warmBare = BareNetwork.Create(bare, 0))
            warmBare.TrainOneEpoch(data.TrainFeatures, data.TrainLabels, batchSize, 0);

        var oursRuns = new List<(double Total, double Loop)>();
        var bareRuns = new List<double>();
        var oursFaults = new List<double>();
        var bareFaults = new List<double>();
        var tensorBuilding = new List<double>();
        var oursMemory = new FitMemory(architecture, "ours", "one epoch", 0, 0);
        var bareMemory = new FitMemory(architecture, "bare", "one epoch", 0, 0);
        DeepNetworkTransformer? lastOurs = null;
        BareNetwork? lastBare = null;
        for (int run = 1; run <= repeats; run++)
        {
            var estimator = ours(run);
            Timing.Settle();
            long faults = Timing.MinorPageFaults();
            var ((model, total), before, peak) = ResidentMemory.PeakDuring(() =>
            {
                long start = Stopwatch.GetTimestamp();
                var fitted = estimator.Fit(data.KeyedTrain);
                return (fitted, Stopwatch.GetElapsedTime(start).TotalSeconds);
            });
            oursMemory = Larger(oursMemory, before, peak);
            oursFaults.Add(Timing.MinorPageFaults() - faults);
            oursRuns.Add((total, model.History[0].Elapsed.TotalSeconds));
            lastOurs?.Dispose();
            lastOurs = model;

            Timing.Settle();
            faults = Timing.MinorPageFaults();
            int seed = run;
            ((var bareModel, double bareSeconds), before, peak) = ResidentMemory.PeakDuring(() =>
            {
                long start = Stopwatch.GetTimestamp();
                var network = BareNetwork.Create(bare, seed);
                network.TrainOneEpoch(data.TrainFeatures, data.TrainLabels, batchSize, seed);
                return (network, Stopwatch.GetElapsedTime(start).TotalSeconds);
            });
            bareMemory = Larger(bareMemory, before, peak);
            bareRuns.Add(bareSeconds);
            bareFaults.Add(Timing.MinorPageFaults() - faults);
            lastBare?.Dispose();
            lastBare = bareModel;

            tensorBuilding.Add(Timing.Seconds(() =>
            {
                var (features, labels) = BenchmarkData.ToTensors(data.TrainImages);
                features.Dispose();
                labels.Dispose();
            }));
            Console.WriteLine($"   run {run}: ours {total:F2} s (training loop {oursRuns[^1].Loop:F2} s, {oursFaults[^1]:N0} page faults), " +
                $"bare {bareRuns[^1]:F2} s ({bareFaults[^1]:N0} page faults; + {tensorBuilding[^1]:F2} s to build its tensors)");
        }

        var oursTotal = oursRuns.ConvertAll(r => r.Total).ToArray();
        var oursLoop = oursRuns.ConvertAll(r => r.Loop).ToArray();
        var bareTotal = bareRuns.ToArray();
        double building = Timing.Median(tensorBuilding.ToArray());
        report.Add("fit ours, total (median / min)", MedianAndMin(oursTotal));
        report.Add("  of which data read + setup (median)", $"{Timing.Median(oursRuns.ConvertAll(r => r.Total - r.Loop).ToArray()):F2} s");
        report.Add("  of which training loop (median / min)", MedianAndMin(oursLoop));
        report.Add("fit bare TorchSharp (median / min)", MedianAndMin(bareTotal));
        report.Add("bare: building its tensors, not timed above", $"{building:F2} s (median)");
        report.Add("fit ratio (ours/bare)", $"{Timing.Median(oursTotal) / Timing.Median(bareTotal):F2} by median, {oursTotal.Min() / bareTotal.Min():F2} by best run (target <= 1.05)");
        report.Add("training-loop ratio (ours/bare)", $"{Timing.Median(oursLoop) / Timing.Median(bareTotal):F2} by median, {oursLoop.Min() / bareTotal.Min():F2} by best run (ours without the data read)");
        report.Add("fit ratio (ours/(bare + its tensors))", $"{Timing.Median(oursTotal) / (Timing.Median(bareTotal) + building):F2}");
        report.Add("minor page faults per fit, ours / bare (median)", $"{Timing.Median(oursFaults.ToArray()):N0} / {Timing.Median(bareFaults.ToArray()):N0} " +
            $"(ours' one-time feature array alone: {(long)data.TrainCount * FashionMnist.PixelCount * sizeof(float) / 4096:N0})");
        report.Add("peak resident set during a fit, ours / bare (largest run)", $"{Timing.Megabytes(oursMemory.Peak)} / {Timing.Megabytes(bareMemory.Peak)} " +
            $"(before the fit: {Timing.Megabytes(oursMemory.Before)} / {Timing.Megabytes(bareMemory.Before)}; sampled every {ResidentMemory.SamplingInterval.TotalMilliseconds:F0} ms)");
        report.Results.Add(new FitTiming(architecture, oursTotal, oursLoop, bareTotal, building));
        report.Results.Add(oursMemory);
        report.Results.Add(bareMemory);
        return (lastOurs!, lastBare!);
    }

    /// <summary>The run with the larger peak.</summary>
    private static FitMemory Larger(FitMemory largest, long before, long peak)
        => peak > largest.Peak ? largest with { Before = before, Peak = peak } : largest;

    private static string MedianAndMin(double[] seconds) => $"{Timing.Median(seconds):F2} / {seconds.Min():F2} s";
}
