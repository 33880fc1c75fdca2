using System;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// Anomaly detection with one Fashion-MNIST class as "normal": the autoencoder and ML.NET's randomized PCA
/// (rank = latent size) are trained on that class's training images only, then score all test images; the area
/// under the ROC curve (ML.NET's anomaly evaluator, label: not the normal class) says how well each ranks the other
/// classes above the normal one.
/// </summary>
internal static class AnomalyBenchmark
{
    private static readonly string[] NormalClasses = { "T-shirt/top", "Trouser", "Sneaker", "Bag" };

    public static void Run(BenchmarkData data, int epochs, Report report)
    {
        var ml = data.MLContext;
        int rank = AutoencoderSection.LatentSize;
        report.Section($"Anomaly detection: trained on one class's training images, AUC on all {data.TestImages.Length} test images; " +
            $"dense and convolutional autoencoders ({epochs} epochs) vs RandomizedPca (rank {rank})");
        foreach (string normal in NormalClasses)
        {
            var train = ml.Data.LoadFromEnumerable(data.TrainImages.Where(image => image.Label == normal).Select(image => new LabelledImage(image, normal)));
            var testForClass = ml.Data.LoadFromEnumerable(data.TestImages.Select(image => new LabelledImage(image, normal)));
            int trainRows = data.TrainImages.Count(image => image.Label == normal);

            var pca = ml.AnomalyDetection.Trainers.RandomizedPca(featureColumnName: "Pixels", rank: rank);
            var (pcaAuc, pcaSeconds) = FitAndEvaluate(ml, pca, train, testForClass);
            foreach (var (name, architecture) in AutoencoderSection.Networks)
            {
                var options = AutoencoderSection.Options(epochs, architecture);
                options.ThresholdQuantile = 0.95;
                var (oursAuc, oursSeconds) = FitAndEvaluate(ml, ml.AnomalyDetection.Trainers.Autoencoder(options), train, testForClass);
                report.Add($"normal = {normal} ({trainRows} training images), {name}",
                    $"AUC autoencoder {oursAuc:F4} (fit {oursSeconds:F1} s), RandomizedPca {pcaAuc:F4} (fit {pcaSeconds:F1} s)");
                report.Results.Add(new QualityResult(Architectures.Autoencoder,
                    $"Anomaly AUC, {name} autoencoder, normal = {normal} ({trainRows} training images), {epochs} epochs",
                    "AUC", "F4", oursAuc, oursSeconds, new[] { new Reference($"ML.NET RandomizedPca, rank {rank}", pcaAuc) }, "above RandomizedPca", oursAuc > pcaAuc));
            }
        }
    }

    private static (double Auc, double Seconds) FitAndEvaluate<TTransformer>(MLContext ml, IEstimator<TTransformer> trainer, IDataView train, IDataView test)
        where TTransformer : class, ITransformer
    {
        Timing.Settle();
        long start = Stopwatch.GetTimestamp();
        var model = trainer.Fit(train);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var metrics = ml.AnomalyDetection.Evaluate(model.Transform(test), labelColumnName: nameof(LabelledImage.IsAnomaly));
        (model as IDisposable)?.Dispose();
        return (metrics.AreaUnderRocCurve, seconds);
    }

    /// <summary>An image with the anomaly label for a given normal class.</summary>
    private sealed class LabelledImage
    {
        public LabelledImage()
        {
        }

        public LabelledImage(FashionImage image, string normalClass)
        {
            Pixels = image.Pixels;
            IsAnomaly = image.Label != normalClass ? 1f : 0f;
        }

        [VectorType(FashionMnist.PixelCount)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        /// <summary>1 for an image of another class, 0 for the normal class (the evaluator wants a Single label).</summary>
        public float IsAnomaly { get; set; }
    }
}
