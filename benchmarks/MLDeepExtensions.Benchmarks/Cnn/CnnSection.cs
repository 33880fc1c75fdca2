using System;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>cnn</c> section: one-epoch fit time of the default small CNN (2 × conv 3×3 + ReLU + max-pool, 32/64 filters,
/// dense 128) against the same network in bare TorchSharp, bare-only layout and batch-size probes, batched
/// Transform throughput, then test accuracy of the accuracy recipe (with --residual: of the residual CNN's recipe instead).
/// </summary>
internal static class CnnSection
{
    public const int BatchSize = 128;

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        if (!options.SkipTiming)
        {
            report.Section($"CNN fit: 1 epoch, conv 32-64 + dense 128 (dropout 0.25), Adam 0.001, batch {BatchSize}, {data.TrainCount} rows " +
                $"({options.Repeats} runs each, alternating, after a warm-up)");
            var (ours, bare) = FitComparison.Run(Architectures.Cnn, data, options.Repeats, Estimator, () => BareModels.Cnn(), BatchSize, report);
            using (ours)
            using (bare)
                ScoringComparison.Run(Architectures.Cnn, data, ours, bare, predictions: 0, repeats: 5, report);
            CnnSettingsProbe.Run(data, options.Repeats, BatchSize, report);
        }
        if (!options.SkipAccuracy && !options.Residual)
            CnnAccuracyBenchmark.Run(data, options.Epochs(), report);
        if (!options.SkipAccuracy && options.Residual)
            ResidualCnnAccuracyBenchmark.Run(data, options.Epochs(ResidualCnnAccuracyBenchmark.Epochs), report);

        DeepNetworkEstimator Estimator(int seed) => data.MLContext.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            Architecture = new CnnArchitecture(new ImageShape(1, 28, 28)),
            Optimizer = OptimizerSettings.Adam(1e-3),
            Epochs = 1,
            BatchSize = BatchSize,
            Shuffle = true,
            Seed = seed,
            ScoringBatchSize = 1024, // the bare side's batch (the library's CPU default for CNNs is 128; the bare 128-row run shows the difference)
        });
    }
}
