using System;
using System.Diagnostics;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>memory</c> section, the long native-memory check: a one-epoch MLP 784-256-128-10, then many
/// PredictionEngine predictions, many Transform passes and repeated fit-and-dispose cycles, reading the resident set
/// (after a full garbage collection, so that finalizers have freed every unreferenced native tensor) after a warm-up
/// and at the end. Tensors live outside the managed heap, so a leak in our wrapper shows up here and nowhere else.
/// </summary>
internal static class MemorySection
{
    /// <summary>A check passes when the resident set grows by less than this share (in %) after its warm-up.</summary>
    public const double LimitPercent = 5;

    /// <summary>Rows of each Transform pass.</summary>
    public const int TransformRows = 2000;

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        int predictions = options.Quick ? 10_000 : 100_000;
        int passes = options.Quick ? 20 : 200;
        int fits = options.Quick ? 5 : 10;
        int rows = Math.Min(TransformRows, data.TrainCount);
        report.Section($"Native memory: 1-epoch MLP, {predictions:N0} predictions, {passes} Transform passes over {rows:N0} rows, " +
            $"{fits} fit-and-dispose cycles; resident set ({ResidentMemory.Source}) after GC, limit +{LimitPercent}% after the warm-up", timed: false);
        report.Add("resident set at the start of the section", Timing.Megabytes(ResidentMemory.AfterCollection()));
        long start = Stopwatch.GetTimestamp();

        using (var model = Estimator(data, seed: 1).Fit(data.KeyedTrain))
        {
            Record(report, NativeMemoryChecks.Predictions(data, model, predictions, LimitPercent));
            Record(report, NativeMemoryChecks.TransformPasses(data, model, rows, passes, LimitPercent));
        }
        Record(report, NativeMemoryChecks.FitCycles(data, seed => Estimator(data, seed), fits, LimitPercent));
        report.Add("time of the three checks", $"{Stopwatch.GetElapsedTime(start).TotalSeconds:F0} s");
    }

    /// <summary>The network of the section: MLP 784-256-128-10, Adam 0.001, batch 128, one epoch.</summary>
    public static DeepNetworkEstimator Estimator(BenchmarkData data, int seed)
        => data.MLContext.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            Architecture = new MlpArchitecture(256, 128),
            Optimizer = OptimizerSettings.Adam(1e-3),
            Epochs = 1,
            BatchSize = 128,
            Seed = seed,
        });

    private static void Record(Report report, MemoryCheck check)
    {
        report.Add($"{check.Name}: resident set after warm-up / at end", $"{Timing.Megabytes(check.Warm.Resident)} / {Timing.Megabytes(check.End.Resident)}");
        report.Add($"{check.Name}: growth", $"{check.Growth / (1024.0 * 1024.0):+0.0;-0.0} MiB ({check.GrowthPercent:+0.00;-0.00}%), " +
            $"{check.BytesPerOperation:+#,0;-#,0;0} bytes per {check.Operation}: {(check.Passed ? "PASS" : "FAIL")} (limit {check.LimitPercent}%); " +
            $"of it GC committed {check.GcGrowth / (1024.0 * 1024.0):+0.0;-0.0} MiB, native {check.NativeGrowth / (1024.0 * 1024.0):+0.0;-0.0} MiB");
        report.Results.Add(check);
    }
}
