namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>autoencoder</c> section: test-set reconstruction error against PCA with as many components as the latent
/// size, anomaly detection against ML.NET's randomized PCA, and the embedding as extra features for an ML.NET trainer.
/// </summary>
internal static class AutoencoderSection
{
    public const int LatentSize = 32;

    /// <summary>The dense network: 784 → 256 → 128 → 32 → 128 → 256 → 784, ReLU.</summary>
    public static AutoencoderArchitecture Architecture => new(LatentSize, 256, 128);

    /// <summary>
    /// The convolutional network: 3×3 convolutions of 32 and 64 filters with 2×2 max pooling (28 → 14 → 7), a linear
    /// layer to 32, and back up with nearest upsampling and 3×3 convolutions.
    /// </summary>
    public static AutoencoderArchitecture ConvolutionalArchitecture => AutoencoderArchitecture.Convolutional(new ImageShape(1, 28, 28), LatentSize);

    /// <summary>Both networks, dense first, with the short name results use.</summary>
    public static (string Name, AutoencoderArchitecture Architecture)[] Networks =>
        new[] { ("dense", Architecture), ("convolutional", ConvolutionalArchitecture) };

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        ReconstructionBenchmark.Run(data, options.Epochs(), report);
        AnomalyBenchmark.Run(data, options.Epochs(), report);
        EmbeddingPipelineBenchmark.Run(data, options.Epochs(), report);
    }

    /// <summary>The options of every autoencoder run: Adam 0.002 with cosine decay, batch 128; the dense network unless given another.</summary>
    public static AutoencoderOptions Options(int epochs, AutoencoderArchitecture? architecture = null) => new()
    {
        FeatureColumnName = "Pixels",
        Architecture = architecture ?? Architecture,
        Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Schedule = LearningRateSchedule.Cosine() },
        Epochs = epochs,
        BatchSize = 128,
        Seed = 1,
    };
}
