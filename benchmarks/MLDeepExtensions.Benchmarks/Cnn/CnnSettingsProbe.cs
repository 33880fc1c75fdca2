using System;
using System.Collections.Generic;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// Settings that could make the CNN faster on this CPU, tried on the bare network only: channels-last memory layout
/// (batches and kernels N×H×W×C in memory) against the default contiguous N×C×H×W, for one training epoch and for
/// scoring the test set with batches of 1,024 (our Transform's default) and of 128 rows. Runs alternate.
/// </summary>
internal static class CnnSettingsProbe
{
    private static readonly int[] ScoringBatches = { 1024, 128 };

    public static void Run(BenchmarkData data, int repeats, int batchSize, Report report)
    {
        report.Section($"CNN settings, bare TorchSharp only: contiguous vs channels-last, 1 epoch and scoring each ({repeats} runs each, alternating)");
        using (var features = data.TrainFeatures.narrow(0, 0, 2000))
        using (var labels = data.TrainLabels.narrow(0, 0, 2000))
            foreach (bool channelsLast in new[] { false, true })
            {
                using var warmUp = BareNetwork.Create(() => BareModels.Cnn(channelsLast), 0);
                warmUp.TrainOneEpoch(features, labels, batchSize, 0);
            }

        var layouts = new[] { false, true };
        var fit = layouts.ToDictionary(l => l, _ => new List<double>());
        var score = layouts.SelectMany(l => ScoringBatches.Select(b => (l, b))).ToDictionary(k => k, _ => new List<double>());
        var probabilities = new float[data.TestImages.Length * 10];
        for (int run = 1; run <= repeats; run++)
        {
            foreach (bool channelsLast in layouts)
            {
                BareNetwork? model = null;
                fit[channelsLast].Add(Timing.Seconds(() =>
                {
                    model = BareNetwork.Create(() => BareModels.Cnn(channelsLast), run);
                    model.TrainOneEpoch(data.TrainFeatures, data.TrainLabels, batchSize, run);
                }));
                using (model)
                    foreach (int batch in ScoringBatches)
                    {
                        model!.ScoreAll(data.TestFeatures, batch, probabilities);
                        score[(channelsLast, batch)].Add(Timing.Seconds(() => model.ScoreAll(data.TestFeatures, batch, probabilities)));
                    }
            }
            Console.WriteLine($"   run {run}: fit contiguous {fit[false][^1]:F2} s, channels-last {fit[true][^1]:F2} s");
        }
        double Median(List<double> values) => Timing.Median(values.ToArray());
        report.Add("fit bare, contiguous / channels-last (median)", $"{Median(fit[false]):F2} / {Median(fit[true]):F2} s " +
            $"(ratio {Median(fit[true]) / Median(fit[false]):F2}; < 1: channels-last is faster)");
        foreach (int batch in ScoringBatches)
            report.Add($"score {data.TestImages.Length:N0} rows in batches of {batch}, contiguous / channels-last",
                $"{Median(score[(false, batch)]) * 1000:F0} / {Median(score[(true, batch)]) * 1000:F0} ms (median)");
    }
}
