using System;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Benchmarks;

/// <summary>Fits a multiclass pipeline on the training images and measures its test-set accuracy.</summary>
internal static class ClassifierRun
{
    /// <summary>
    /// Fits MapValueToKey("Label") → <paramref name="trainer"/> (after <paramref name="features"/>, if given) on the raw
    /// training images, evaluates on the test images and returns the micro accuracy, the fit seconds and the trainer's
    /// transformer chain (the caller disposes it; disposing a chain disposes its transformers).
    /// </summary>
    public static (double MicroAccuracy, double Seconds, TransformerChain<TTransformer> Model) FitAndEvaluate<TTransformer>(BenchmarkData data,
        IEstimator<TTransformer> trainer, IEstimator<ITransformer>? features = null)
        where TTransformer : class, ITransformer
    {
        var ml = data.MLContext;
        var start = features ?? ml.Transforms.Conversion.MapValueToKey("Label");
        var pipeline = (features is null ? start : start.Append(ml.Transforms.Conversion.MapValueToKey("Label"))).Append(trainer);
        Timing.Settle();
        long clock = Stopwatch.GetTimestamp();
        var model = pipeline.Fit(data.RawTrain);
        double seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data.RawTest));
        return (metrics.MicroAccuracy, seconds, model);
    }

    /// <summary>Prints each finished epoch as it ends (training loss, seconds since the fit began).</summary>
    public sealed class EpochPrinter : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value)
            => Console.WriteLine($"   epoch {value.Epoch,2}: train loss {value.TrainingLoss:F4}, learning rate {value.LearningRate:G3}, {value.Elapsed.TotalSeconds:F0} s");
    }
}
