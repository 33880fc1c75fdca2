using System;
using Microsoft.ML;

namespace MLDeepExtensions.Benchmarks;

/// <summary>Test-set accuracy of MLP 256-128 after N epochs, and optionally of ML.NET's L-BFGS maximum entropy for reference.</summary>
internal static class MlpAccuracyBenchmark
{
    public static void Run(BenchmarkData data, int epochs, bool withBaseline, Report report)
    {
        var ml = data.MLContext;
        report.Section($"MLP accuracy on {data.TestImages.Length} test images");
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
        var (accuracy, seconds, model) = ClassifierRun.FitAndEvaluate(data, ml.MulticlassClassification.Trainers.DeepNetwork(options));
        (model as IDisposable)?.Dispose();
        report.Add($"DeepNetwork MLP 256-128, Adam 0.002 + cosine, {epochs} epochs", $"micro accuracy {accuracy:F4} (target >= 0.89), fit {seconds:F1} s");

        if (withBaseline)
        {
            var (baseline, baselineSeconds, _) = ClassifierRun.FitAndEvaluate(data, ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Pixels"));
            report.Add("LbfgsMaximumEntropy (ML.NET)", $"micro accuracy {baseline:F4}, fit {baselineSeconds:F1} s");
        }
    }
}
