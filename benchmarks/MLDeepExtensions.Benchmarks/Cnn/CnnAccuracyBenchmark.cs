using System;

namespace MLDeepExtensions.Benchmarks;

/// <summary>Test-set accuracy of the CNN accuracy recipe on Fashion-MNIST, with its parameter count and fit time.</summary>
internal static class CnnAccuracyBenchmark
{
    /// <summary>The accuracy the recipe must reach in 10 epochs on the full set.</summary>
    public const double Target = 0.925;

    /// <summary>The recipe: 3 blocks (32, 64, 128 filters, 3×3, batch norm, ReLU, max-pool 2), dense 128, dropout 0.3.</summary>
    public static CnnArchitecture Architecture => new(new ImageShape(1, 28, 28))
    {
        ConvolutionBlocks =
        [
            new ConvolutionBlock(32) { BatchNormalization = true, Pooling = PoolingKind.Max },
            new ConvolutionBlock(64) { BatchNormalization = true, Pooling = PoolingKind.Max },
            new ConvolutionBlock(128) { BatchNormalization = true, Pooling = PoolingKind.Max },
        ],
        HiddenLayers = [128],
        Dropout = 0.3f,
    };

    public static void Run(BenchmarkData data, int epochs, Report report)
    {
        var architecture = Architecture;
        report.Section($"CNN accuracy on {data.TestImages.Length} test images ({architecture})");
        var options = new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            Architecture = architecture,
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Schedule = LearningRateSchedule.Cosine() },
            Epochs = epochs,
            BatchSize = 128,
            Seed = 1,
            Progress = new ClassifierRun.EpochPrinter(),
        };
        var (accuracy, seconds, model) = ClassifierRun.FitAndEvaluate(data, data.MLContext.MulticlassClassification.Trainers.DeepNetwork(options));
        using (model)
        {
            report.Add($"CNN, Adam 0.002 + cosine, batch 128, {epochs} epochs", $"micro accuracy {accuracy:F4} (target >= {Target}), fit {seconds:F0} s ({seconds / epochs:F0} s per epoch)");
            report.Add("parameters", $"{model.LastTransformer.ParameterCount:N0}");
            report.Results.Add(new QualityResult(Architectures.Cnn,
                $"Fashion-MNIST test accuracy, 3 conv blocks 32-64-128 + batch norm, dense 128, {model.LastTransformer.ParameterCount:N0} parameters, {epochs} epochs",
                "accuracy", "F4", accuracy, seconds, Array.Empty<Reference>(),
                $"≥ {Target}", accuracy >= Target));
        }
    }
}
