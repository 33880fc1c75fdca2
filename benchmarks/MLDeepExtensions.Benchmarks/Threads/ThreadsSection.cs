using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>threads</c> section (benchmarks/RESULTS-threads.md): for each network of <see cref="ThreadWorkloads"/>, the wall
/// time of one fixed fit with <c>NumberOfThreads</c> = 1, = the number of logical processors, and unset (the library's
/// default), on an otherwise idle machine (<c>quiet</c>) and beside one competing CPU-bound process (<c>busy</c>), each
/// the median of several fits; plus each network's multiply-adds per row, to choose a thread-count rule from. The goal is
/// a default within 1.3× of the better explicit setting in every row.
/// </summary>
internal static class ThreadsSection
{
    /// <summary>The load conditions, in the order they run.</summary>
    public static readonly string[] Conditions = { "quiet", "busy" };

    /// <summary>The most the default may take over the better explicit thread count.</summary>
    public const double Goal = 1.3;

    /// <summary>The OpenMP variables that change how libtorch's threads wait, reported as this process sees them.</summary>
    private static readonly string[] OpenMpVariables = { "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS" };

    /// <summary>A thread setting: its label and <c>NumberOfThreads</c> (null: unset).</summary>
    private sealed record Setting(string Label, int? Threads);

    /// <summary>The thread count the last unset fit logged that it chose.</summary>
    private static int? _lastChosenThreads;

    /// <param name="data">Fashion-MNIST and the MLContext.</param>
    /// <param name="options">Networks, conditions, repeats, quick.</param>
    /// <param name="report">Where results go.</param>
    /// <param name="libtorchDefaultThreads">libtorch's thread count before anything set it: what a fresh process uses.</param>
    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report, int libtorchDefaultThreads)
    {
        // An unset fit chooses its threads and puts libtorch's setting back afterwards: read its choice from the log line
        // "Threads: N (why); …" it writes.
        data.MLContext.Log += (_, e) =>
        {
            const string prefix = "Threads: ";
            int at = e.Message.IndexOf(prefix, StringComparison.Ordinal);
            if (at >= 0 && int.TryParse(e.Message.AsSpan(at + prefix.Length).TrimEnd().ToString().Split(' ')[0], out int threads))
                _lastChosenThreads = threads;
        };
        int processors = Environment.ProcessorCount, threadsBefore = get_num_threads();
        ReportEnvironment(report, processors, libtorchDefaultThreads);
        var settings = new[] { new Setting("1", 1), new Setting($"{processors}", processors), new Setting("default", null) };
        var table = new MarkdownTable("Network", "Fit", "Multiply-adds per row", "per batch", "Condition", "Other processes' CPU use",
            "1 thread", $"{processors} threads", "Default (threads it used)", "Best explicit", "Default ÷ best");
        try
        {
            foreach (string key in options.ThreadNetworks)
            {
                var workload = ThreadWorkloads.Create(key, data, options.Quick);
                report.Section($"Threads: {workload.Name}; {workload.Work}: warm-up fit and summary", timed: false);
                var (perRow, approximate) = WarmUp(workload, processors, report);
                string mark = approximate ? "≈ " : "";
                foreach (string condition in options.ThreadConditions)
                {
                    report.Section($"Threads: {workload.Name}, {condition} ({options.Repeats} fit{(options.Repeats == 1 ? "" : "s")} per setting, the settings in turn)");
                    var load = MachineLoad.Now();
                    Dictionary<Setting, double[]> seconds;
                    int[] defaultThreads;
                    using (condition == "busy" ? CompetingLoad.Start() : null)
                        (seconds, defaultThreads) = Measure(workload, settings, options.Repeats, libtorchDefaultThreads);
                    double? others = load.OthersPercentSince();

                    double Median(Setting s) => Timing.Median(seconds[s]);
                    var best = settings.Where(s => s.Threads is not null).MinBy(Median)!;
                    double ratio = Median(settings[2]) / Median(best);
                    string used = string.Join(", ", defaultThreads.Distinct());
                    foreach (var setting in settings)
                        report.Add($"{setting.Label} thread{(setting.Label == "1" ? "" : "s")}", $"median {Median(setting):F2} s ({string.Join(", ", seconds[setting].Select(s => $"{s:F2}"))})");
                    report.Add("default ÷ best explicit", $"{ratio:F2} (default used {used} thread{(used == "1" ? "" : "s")}; goal ≤ {Goal})");
                    table.Row(workload.Name, workload.Work, mark + MultiplyAdds.Format(perRow), mark + MultiplyAdds.Format(perRow * workload.BatchSize), condition,
                        others is double percent ? $"{percent:F0}%{(condition == "busy" ? " (with the competitor)" : "")}" : "unknown",
                        $"{Median(settings[0]):F2} s", $"{Median(settings[1]):F2} s", $"{Median(settings[2]):F2} s ({used})",
                        $"{Median(best):F2} s ({best.Label} thread{(best.Label == "1" ? "" : "s")})", ratio > Goal ? $"**{ratio:F2}** (over {Goal})" : $"{ratio:F2}");
                }
            }
        }
        finally
        {
            set_num_threads(threadsBefore);
        }
        report.Results.AddTable("Threads: fit time with 1 thread, one per processor, and the library's default",
            $"Each network's fit ({(options.Quick ? "quick run: shrunk to a smoke test" : "fixed: the rows and epochs in the table")}) timed with " +
            $"`NumberOfThreads` = 1, = {processors} (the logical processors) and unset (the library decides; libtorch's setting is process-wide, so " +
            $"before each unset fit the section restores what a fresh process starts with, {libtorchDefaultThreads}), the median of {options.Repeats} " +
            "fits per setting, the settings taking turns, after one warm-up fit. `quiet`: nothing else started; `busy`: one competing CPU-bound " +
            "process (a shell loop) runs throughout. Fit time includes reading the data. Multiply-adds per row: the forward pass, estimated from " +
            "the fitted network's `Summary()` (a convolution: its weights × the positions of its output after the channel dimension; any other " +
            "layer with weights: its weights × the product of its output shape but the last dimension); ≈ marks a recurrent layer over " +
            "variable-length (packed) sequences, counted at the mean length. A training step costs about three times the forward pass; per batch " +
            $"is per row × the batch size. Goal: default ÷ best explicit ≤ {Goal} in every row. Other processes' CPU use is the share of all " +
            "processors (timings are comparable only near 0%; in `busy` rows the competitor alone is one processor's share).", table);
    }

    /// <summary>Prints and records the OpenMP variables this process sees and libtorch's own default thread count.</summary>
    private static void ReportEnvironment(Report report, int processors, int libtorchDefaultThreads)
    {
        report.Section("Threads: environment", timed: false);
        var table = new MarkdownTable("Setting", "Value");
        foreach (string name in OpenMpVariables)
        {
            // The C library's environment, which OpenMP reads (the library sets OMP_WAIT_POLICY there before libtorch loads).
            string value = MLDeepExtensions.Interop.NativeEnvironment.Get(name) ?? "unset";
            report.Add(name, value);
            table.Row($"`{name}`", value);
        }
        report.Add("libtorch's default threads (before anything set them)", $"{libtorchDefaultThreads}");
        table.Row("libtorch's default threads (a fresh process)", $"{libtorchDefaultThreads}");
        report.Add("logical processors", $"{processors}");
        table.Row("Logical processors", $"{processors}");
        report.Results.AddTable("Threads: the environment",
            "The OpenMP variables in the process's C environment when libtorch loaded (the library sets `OMP_WAIT_POLICY=PASSIVE` there unless the " +
            "process set it or `GOMP_SPINCOUNT`: idle threads sleep at once instead of spinning), and the thread count libtorch starts with.", table);
    }

    /// <summary>One untimed-for-the-table fit with a thread per processor: warms up, prints the summary and the multiply-adds.</summary>
    private static (double PerRow, bool Approximate) WarmUp(ThreadWorkload workload, int processors, Report report)
    {
        var (seconds, model) = Fit(workload, processors);
        using var owner = model as IDisposable;
        var summary = Network(model).Summary();
        Console.WriteLine(string.Join(Environment.NewLine, summary.ToString().Split('\n').Select(line => "   " + line.TrimEnd('\r'))));
        var (perRow, approximate) = MultiplyAdds.PerRow(summary, workload.MeanSteps);
        string mark = approximate ? "≈ " : "";
        report.Add("warm-up fit", $"{seconds:F2} s with {processors} threads");
        report.Add("multiply-adds per row (forward)", $"{mark}{perRow:N0}; per batch of {workload.BatchSize:N0}: {mark}{perRow * workload.BatchSize:N0}");
        return (perRow, approximate);
    }

    /// <summary>
    /// Every setting's fit seconds over <paramref name="repeats"/> rounds (round r starts at setting r, so no setting always
    /// goes first), and the thread count each unset fit chose (from its log; libtorch's count after it, if none was logged).
    /// </summary>
    private static (Dictionary<Setting, double[]> Seconds, int[] DefaultThreads) Measure(ThreadWorkload workload, Setting[] settings, int repeats,
        int libtorchDefaultThreads)
    {
        var seconds = settings.ToDictionary(s => s, _ => new List<double>());
        var defaultThreads = new List<int>();
        for (int round = 0; round < repeats; round++)
        {
            for (int k = 0; k < settings.Length; k++)
            {
                var setting = settings[(round + k) % settings.Length];
                if (setting.Threads is null)
                    set_num_threads(libtorchDefaultThreads); // the last fit's setting is process-wide: start where a fresh process would
                var (fitSeconds, model) = Fit(workload, setting.Threads);
                (model as IDisposable)?.Dispose();
                seconds[setting].Add(fitSeconds);
                if (setting.Threads is null)
                    defaultThreads.Add(_lastChosenThreads ?? get_num_threads());
                Console.WriteLine($"   round {round + 1}, {setting.Label} thread(s): {fitSeconds:F2} s");
            }
        }
        return (seconds.ToDictionary(p => p.Key, p => p.Value.ToArray()), defaultThreads.ToArray());
    }

    /// <summary>Fits the workload's pipeline with <paramref name="threads"/> (null: unset) and times it; the caller disposes the model.</summary>
    private static (double Seconds, ITransformer Model) Fit(ThreadWorkload workload, int? threads)
    {
        var estimator = workload.Estimator(threads);
        Timing.Settle();
        long clock = Stopwatch.GetTimestamp();
        var model = estimator.Fit(workload.Train);
        return (Stopwatch.GetElapsedTime(clock).TotalSeconds, model);
    }

    /// <summary>The network of a fitted pipeline: the model itself or the last network of a chain.</summary>
    private static NetworkTransformerBase Network(ITransformer model) => model switch
    {
        NetworkTransformerBase network => network,
        IEnumerable<ITransformer> chain => chain.OfType<NetworkTransformerBase>().Last(),
        _ => throw new InvalidOperationException($"No network in the fitted {model.GetType().Name}."),
    };
}
