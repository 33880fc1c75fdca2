using System;
using System.Diagnostics;
using Microsoft.ML;

namespace MLDeepExtensions.Benchmarks;

/// <summary>Test-set accuracy of MLP 256-128 after N epochs, and optionally of ML.NET's L-BFGS maximum entropy for reference.</summary>
internal static class AccuracyBenchmark
{
    public static void Run(BenchmarkData data, int epochs, bool withBaseline, Report report)
    {
        var ml = data.MLContext;
        report.Section($"Accuracy on {data.TestImages.Length} test images");
        var options = new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            Architecture = new MlpArchitecture(256, 128),
            // Adam with a cosine decay from 0.002: the plain constant 0.001 of the timing runs ends near 0.883.
            Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Schedule = LearningRateSchedule.Cosine() },
            Epochs = epochs,
            BatchSize = 128,
            Seed = 1,
        };
        var (accuracy, seconds) = FitAndEvaluate(data, ml.MulticlassClassification.Trainers.DeepNetwork(options));
        report.Add($"DeepNetwork MLP 256-128, Adam 0.002 + cosine, {epochs} epochs", $"micro accuracy {accuracy:F4} (target >= 0.89), fit {seconds:F1} s");

        if (withBaseline)
        {
            var (baseline, baselineSeconds) = FitAndEvaluate(data, ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Pixels"));
            report.Add("LbfgsMaximumEntropy (ML.NET)", $"micro accuracy {baseline:F4}, fit {baselineSeconds:F1} s");
        }
    }

    private static (double MicroAccuracy, double Seconds) FitAndEvaluate<TTransformer>(BenchmarkData data, IEstimator<TTransformer> trainer)
        where TTransformer : class, ITransformer
    {
        var ml = data.MLContext;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer);
        Timing.Settle();
        long start = Stopwatch.GetTimestamp();
        var model = pipeline.Fit(data.RawTrain);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data.RawTest));
        (model as IDisposable)?.Dispose();
        return (metrics.MicroAccuracy, seconds);
    }
}
