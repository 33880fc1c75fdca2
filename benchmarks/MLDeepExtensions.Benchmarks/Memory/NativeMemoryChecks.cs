using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The three long-running checks of the <c>memory</c> section. Each works in ten equal steps, reads the resident set
/// after a full garbage collection at the end of every step, and compares the reading after the first step (the
/// warm-up: one-time allocations such as libtorch's thread pools and the allocator's first arenas) with the last.
/// </summary>
internal static class NativeMemoryChecks
{
    private const int Steps = 10;

    /// <summary>
    /// <paramref name="count"/> predictions through one PredictionEngine, cycling through the test images: each one
    /// builds an input tensor and reads an output tensor, so a tensor lost per call grows the resident set.
    /// </summary>
    public static MemoryCheck Predictions(BenchmarkData data, DeepNetworkTransformer model, int count, double limitPercent)
    {
        // By default an engine owns its transformer and disposes it; the Transform check still needs this one.
        using var engine = data.MLContext.Model.CreatePredictionEngine<FashionImage, ScoringComparison.ScoreOutput>(model,
            new PredictionEngineOptions { OwnsTransformer = false });
        var images = data.TestImages;
        int done = 0;
        float checksum = 0;
        var check = Stepwise("PredictionEngine", $"{count:N0} single-row predictions, one engine", "prediction", count, limitPercent, () =>
        {
            for (int i = 0; i < count / Steps; i++, done++)
                checksum += engine.Predict(images[done % images.Length]).Score[0];
        });
        GC.KeepAlive(checksum);
        return check;
    }

    /// <summary>
    /// <paramref name="passes"/> Transform passes over the first <paramref name="rows"/> training images, reading
    /// every row's Score vector each pass.
    /// </summary>
    public static MemoryCheck TransformPasses(BenchmarkData data, DeepNetworkTransformer model, int rows, int passes, double limitPercent)
    {
        var input = data.MLContext.Data.TakeRows(data.RawTrain, rows);
        return Stepwise("Transform", $"{passes} passes over {rows:N0} rows, every Score read", "pass", passes, limitPercent, () =>
        {
            for (int i = 0; i < passes / Steps; i++)
                ScoringComparison.TransformOurs(input, model);
        });
    }

    /// <summary>
    /// <paramref name="fits"/> one-epoch fits on the training set, each transformer disposed right after its fit:
    /// what a fit leaves behind once its model is gone accumulates here. One reading per fit; the warm-up is the first
    /// fifth of the fits (at least one): the first fits also pay one-time costs (code compiled again by the tiered JIT,
    /// the allocator's arenas), as the first tenth does in the other checks.
    /// </summary>
    public static MemoryCheck FitCycles(BenchmarkData data, Func<int, DeepNetworkEstimator> estimator, int fits, double limitPercent)
    {
        var readings = new List<MemoryReading> { ResidentMemory.Read("before") };
        for (int fit = 1; fit <= fits; fit++)
        {
            estimator(fit).Fit(data.KeyedTrain).Dispose();
            readings.Add(ResidentMemory.Read($"after fit {fit}"));
            Console.WriteLine($"   fit {fit}: resident set {Timing.Megabytes(readings[^1].Resident)} (GC committed {Timing.Megabytes(readings[^1].GcCommitted)})");
        }
        int warmUp = Math.Max(1, fits / 5);
        return new MemoryCheck("Fit + dispose", $"{fits} one-epoch fits on {data.TrainCount:N0} rows, each transformer disposed", "fit",
            readings[warmUp], readings[^1], fits - warmUp, readings, limitPercent);
    }

    /// <summary>Runs <paramref name="step"/> <see cref="Steps"/> times, reading the resident set before and after each.</summary>
    private static MemoryCheck Stepwise(string name, string work, string operation, int operations, double limitPercent, Action step)
    {
        var readings = new List<MemoryReading> { ResidentMemory.Read("before") };
        for (int i = 1; i <= Steps; i++)
        {
            step();
            readings.Add(ResidentMemory.Read($"after {i * operations / Steps:N0}"));
        }
        Console.WriteLine($"   {name}: resident set {string.Join(", ", readings.Select(r => $"{r.When} {Timing.Megabytes(r.Resident)}"))}");
        return new MemoryCheck(name, work, operation, readings[1], readings[^1], operations - operations / Steps, readings, limitPercent);
    }
}
