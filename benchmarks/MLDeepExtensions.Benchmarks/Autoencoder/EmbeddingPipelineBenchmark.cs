using System;
using Microsoft.ML;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The autoencoder as a feature extractor in front of an ML.NET trainer: L-BFGS maximum entropy on the raw pixels,
/// on the 32-value embedding alone, and on pixels + embedding (Concatenate). Times include the autoencoder's fit.
/// </summary>
internal static class EmbeddingPipelineBenchmark
{
    public static void Run(BenchmarkData data, int epochs, Report report)
    {
        var ml = data.MLContext;
        report.Section($"Embedding as features: Autoencoder ({epochs} epochs) → LbfgsMaximumEntropy, test accuracy on {data.TestImages.Length} images");

        var (raw, rawSeconds, rawModel) = ClassifierRun.FitAndEvaluate(data, ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Pixels"));
        rawModel.Dispose();
        report.Add("LbfgsMaximumEntropy on the 784 pixels", $"micro accuracy {raw:F4}, fit {rawSeconds:F1} s");

        var (embedded, embeddedSeconds, embeddedModel) = ClassifierRun.FitAndEvaluate(data,
            ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Embedding"),
            ml.Transforms.Autoencoder(AutoencoderSection.Options(epochs)));
        embeddedModel.Dispose();
        report.Add("Autoencoder → LbfgsMaximumEntropy on the 32-value embedding", $"micro accuracy {embedded:F4}, fit {embeddedSeconds:F1} s");
        var rawPixels = new[] { new Reference("LbfgsMaximumEntropy on the 784 raw pixels", raw) };
        report.Results.Add(new QualityResult(Architectures.Autoencoder, $"Test accuracy of LbfgsMaximumEntropy on the {AutoencoderSection.LatentSize}-value embedding alone, {epochs} epochs",
            "accuracy", "F4", embedded, embeddedSeconds, rawPixels, "— (comparison)", null));

        var (both, bothSeconds, bothModel) = ClassifierRun.FitAndEvaluate(data,
            ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"),
            ml.Transforms.Autoencoder(AutoencoderSection.Options(epochs)).Append(ml.Transforms.Concatenate("Features", "Pixels", "Embedding")));
        bothModel.Dispose();
        report.Add("Autoencoder → Concatenate(pixels, embedding) → LbfgsMaximumEntropy", $"micro accuracy {both:F4}, fit {bothSeconds:F1} s");
        report.Results.Add(new QualityResult(Architectures.Autoencoder, $"Test accuracy of LbfgsMaximumEntropy on pixels + embedding (Concatenate), {epochs} epochs",
            "accuracy", "F4", both, bothSeconds, rawPixels, "above raw pixels", both > raw));
    }
}
