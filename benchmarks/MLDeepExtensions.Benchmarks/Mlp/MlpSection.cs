namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>mlp</c> section: one epoch of MLP 784-256-128-10 (Adam 0.001, batch 128, shuffled), ours against bare, then
/// Transform throughput and single-row latency, then accuracy.
/// </summary>
internal static class MlpSection
{
    public const int BatchSize = 128;

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        report.Section($"MLP fit: 1 epoch, MLP 784-256-128-10, Adam 0.001, batch {BatchSize}, {data.TrainCount} rows " +
            $"({options.Repeats} runs each, alternating, after a warm-up)");
        var (ours, bare) = FitComparison.Run(Architectures.Mlp, data, options.Repeats, Estimator, BareModels.Mlp, BatchSize, report);
        using (ours)
        using (bare)
            ScoringComparison.Run(Architectures.Mlp, data, ours, bare, options.Predictions, repeats: 15, report);
        MlpAccuracyBenchmark.Run(data, options.Epochs(MlpAccuracyBenchmark.Epochs), options.WithBaseline, report);

        DeepNetworkEstimator Estimator(int seed) => data.MLContext.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            // The bare network has no input standardization: the same network on both sides.
            Architecture = new MlpArchitecture(256, 128) { StandardizeInputs = false },
            Optimizer = OptimizerSettings.Adam(1e-3),
            Epochs = 1,
            BatchSize = BatchSize,
            Shuffle = true,
            Seed = seed,
        });
    }
}
