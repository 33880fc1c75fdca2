using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>streaming</c> section (issue: data larger than memory). Three measures, printed (not in RESULTS.md's tables):
/// (1) the in-memory path's peak resident memory during a fit, against the data's float size, for several row counts
/// the reader cannot know beforehand (a lazy LoadFromEnumerable); (2) in memory against streamed, from the same lazy view
/// (shuffle pool) and from a binary .idv file (exact shuffle): fit time and test accuracy of the MLP 784-256-128-10; (3) a
/// binary .idv several times larger than a memory budget, trained with DataLoadingMode.Auto: it streams, and the
/// resident set is sampled throughout and read at every epoch's end.
/// </summary>
internal static class StreamingSection
{
    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data.RawTrain);
        IDataView Repeated(long rows) => toKey.Transform(ml.Data.LoadFromEnumerable(Rows(data.TrainImages, rows)));
        string folder = Path.Combine(Path.GetTempPath(), $"mlde-streaming-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            InMemoryPeaks(ml, Repeated, options, report);
            InMemoryAgainstStreamed(ml, data, toKey, folder, options, report);
            LargerThanBudget(ml, Repeated, folder, options, report);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The training images over and over, as new rows sharing the images' pixel arrays (so the view itself holds nothing).</summary>
    private static IEnumerable<FashionImage> Rows(FashionImage[] images, long count)
    {
        for (long i = 0; i < count; i++)
            yield return images[i % images.Length];
    }

    private static DeepNetworkOptions Mlp(DataLoadingOptions loading, int epochs, params int[] hidden) => new()
    {
        LabelColumnName = "Label",
        FeatureColumnName = nameof(FashionImage.Pixels),
        Architecture = new MlpArchitecture(hidden),
        Optimizer = OptimizerSettings.Adam(1e-3),
        Epochs = epochs,
        BatchSize = 128,
        Seed = 1,
        DataLoading = loading,
    };

    public const string PeakCommand = "streaming-peak";

    /// <summary>
    /// Each fit in a new process: a process keeps memory it has freed (glibc, the GC), so a second fit in the same
    /// process would reuse the first one's and look smaller than it is.
    /// </summary>
    private static void InMemoryPeaks(MLContext ml, Func<long, IDataView> repeated, BenchmarkOptions options, Report report)
    {
        report.Section("Streaming (1): in-memory fit in a new process, peak resident set against the data's float size (row count unknown to the reader; MLP [128], 1 epoch)", timed: false);
        long Peak(long rows)
        {
            string output = RunSelf(PeakCommand, rows.ToString(System.Globalization.CultureInfo.InvariantCulture), options.Quick ? "subset" : "full");
            return long.Parse(output[(output.IndexOf("peak=", StringComparison.Ordinal) + 5)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        long withoutData = Peak(1000);
        report.Add("without data (1,000 rows)", $"peak {Timing.Megabytes(withoutData)} (the runtime, libtorch, the 60,000 source images)");
        foreach (long rows in options.Quick ? new long[] { 30_000, 60_000 } : new long[] { 150_000, 300_000, 600_000 })
        {
            double floats = rows * (784 + 1) * 4.0;
            long peak = Peak(rows);
            report.Add($"{rows:N0} rows ({floats / (1 << 20):N0} MiB of floats)",
                $"peak {Timing.Megabytes(peak)}: {(peak - withoutData) / floats:F2} × the data above the fit without data (goal ≤ 1.2)");
        }
    }

    /// <summary>The child process: one in-memory fit on <paramref name="rows"/> repeated training rows; prints the resident set's peak during it.</summary>
    public static int MeasurePeak(long rows, bool subset)
    {
        TorchSharp.torch.set_num_threads(2);
        using var data = BenchmarkData.Load(subset);
        var ml = data.MLContext;
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data.RawTrain);
        var view = toKey.Transform(ml.Data.LoadFromEnumerable(Rows(data.TrainImages, rows)));
        ResidentMemory.AfterCollection();
        var (model, before, peak) = ResidentMemory.PeakDuring(() =>
            ml.MulticlassClassification.Trainers.DeepNetwork(Mlp(new DataLoadingOptions { Mode = DataLoadingMode.InMemory }, 1, 128)).Fit(view));
        model.Dispose();
        Console.WriteLine(FormattableString.Invariant($"peak={peak}"));
        return 0;
    }

    private static void InMemoryAgainstStreamed(MLContext ml, BenchmarkData data, ITransformer toKey, string folder, BenchmarkOptions options, Report report)
    {
        int epochs = options.Epochs();
        report.Section($"Streaming (2): MLP 784-256-128-10, {epochs} epochs, {data.TrainCount:N0} rows: in memory against streamed (one run each)");
        var lazy = toKey.Transform(data.RawTrain);
        string idv = Path.Combine(folder, "fashion-train.idv");
        using (var file = File.Create(idv))
            ml.Data.SaveAsBinary(lazy, file, keepHidden: false);
        var binary = ml.Data.LoadFromBinary(idv);
        var test = toKey.Transform(data.RawTest);
        var streaming = new DataLoadingOptions { Mode = DataLoadingMode.Streaming };
        double? memorySeconds = null;
        foreach (var (name, view, loading) in new[]
        {
            ("in memory", lazy, new DataLoadingOptions { Mode = DataLoadingMode.InMemory }),
            ("streamed from LoadFromEnumerable (shuffle pool of 16,384 rows)", lazy, streaming),
            ("streamed from a binary .idv file (exact shuffle)", binary, streaming),
        })
        {
            var clock = Stopwatch.StartNew();
            using var model = ml.MulticlassClassification.Trainers.DeepNetwork(Mlp(loading, epochs, 256, 128)).Fit(view);
            double seconds = clock.Elapsed.TotalSeconds;
            memorySeconds ??= seconds;
            double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
            report.Add(name, $"fit {seconds:F1} s ({memorySeconds.Value / seconds:F2} × in-memory throughput), test accuracy {accuracy:F4}");
        }
        report.Add("binary .idv file", $"{new FileInfo(idv).Length / (double)(1 << 20):N0} MiB");
    }

    public const string LargeCommand = "streaming-large";

    /// <summary>Writes the large .idv here, and trains on it in a new process (see <see cref="InMemoryPeaks"/> for why).</summary>
    private static void LargerThanBudget(MLContext ml, Func<long, IDataView> repeated, string folder, BenchmarkOptions options, Report report)
    {
        long rows = options.Quick ? 120_000 : 1_200_000;
        long budget = options.Quick ? 100L << 20 : 1L << 30;
        double floats = rows * (784 + 1) * 4.0;
        report.Section($"Streaming (3): {rows:N0} rows ({floats / (1 << 30):F1} GiB of floats) in a binary .idv, memory budget {budget / (double)(1 << 20):N0} MiB, " +
            "MLP [128], 2 epochs, Auto, in a new process");
        string idv = Path.Combine(folder, "large.idv");
        var clock = Stopwatch.StartNew();
        using (var file = File.Create(idv))
            ml.Data.SaveAsBinary(repeated(rows), file, keepHidden: false);
        report.Add("writing the .idv file", $"{clock.Elapsed.TotalSeconds:F0} s, {new FileInfo(idv).Length / (double)(1 << 20):N0} MiB on disk");
        clock.Restart();
        foreach (string line in RunSelf(LargeCommand, idv, budget.ToString(System.Globalization.CultureInfo.InvariantCulture)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
                report.Add(line[..colon], line[(colon + 2)..]);
        }
        report.Add("child process, in all", $"{clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>The child process: the streamed fit on the large .idv; prints its resident set and what the library logged about the data.</summary>
    public static int TrainLarge(string idv, long budget)
    {
        TorchSharp.torch.set_num_threads(2);
        var ml = new MLContext(seed: 1);
        var perEpoch = new List<long>();
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("Data loading:") || e.Message.Contains("Streamed training data"))
                lock (log)
                    log.Add(e.Message[(e.Message.IndexOf(']') + 1)..].Trim());
        };
        var options = Mlp(new DataLoadingOptions { MemoryBudgetBytes = budget }, 2, 128) with
        {
            Progress = new Progress<EpochMetrics>(_ => { lock (perEpoch) perEpoch.Add(ResidentMemory.Current()); }),
        };
        var data = ml.Data.LoadFromBinary(idv);
        long start = ResidentMemory.AfterCollection();
        var clock = Stopwatch.StartNew();
        var (model, _, peak) = ResidentMemory.PeakDuring(() => ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(data));
        double seconds = clock.Elapsed.TotalSeconds;
        model.Dispose();
        Console.WriteLine($"fit: {seconds:F0} s");
        Console.WriteLine($"resident set: {Timing.Megabytes(start)} before the fit (runtime, ML.NET, libtorch), peak {Timing.Megabytes(peak)} during it (goal ≤ 1,536 MiB)");
        lock (perEpoch)
            Console.WriteLine($"resident set at each epoch's end: {string.Join(", ", perEpoch.Select(Timing.Megabytes))}");
        lock (log)
            foreach (string line in log)
                Console.WriteLine($"log: {line}");
        return 0;
    }

    /// <summary>Runs this program again with <paramref name="arguments"/> and returns its standard output.</summary>
    private static string RunSelf(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (!Environment.ProcessPath!.EndsWith("MLDeepExtensions.Benchmarks", StringComparison.Ordinal))
            start.ArgumentList.Add(typeof(StreamingSection).Assembly.Location);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"'{string.Join(" ", arguments)}' failed: {output} {error.Result}");
        return output;
    }
}
