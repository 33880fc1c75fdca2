namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>autoencoder</c> section: test-set reconstruction error against PCA with as many components as the latent
/// size, anomaly detection against ML.NET's randomized PCA, and the embedding as extra features for an ML.NET trainer.
/// </summary>
internal static class AutoencoderSection
{
    public const int LatentSize = 32;

    /// <summary>The network of every autoencoder run: 784 → 256 → 128 → 32 → 128 → 256 → 784, ReLU.</summary>
    public static AutoencoderArchitecture Architecture => new(LatentSize, 256, 128);

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        ReconstructionBenchmark.Run(data, options.Epochs(), report);
        AnomalyBenchmark.Run(data, options.Epochs(), report);
        EmbeddingPipelineBenchmark.Run(data, options.Epochs(), report);
    }

    /// <summary>The options of every autoencoder run: Adam 0.002 with cosine decay, batch 128.</summary>
    public static AutoencoderOptions Options(int epochs) => new()
    {
        FeatureColumnName = "Pixels",
        Architecture = Architecture,
        Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Schedule = LearningRateSchedule.Cosine() },
        Epochs = epochs,
        BatchSize = 128,
        Seed = 1,
    };
}
