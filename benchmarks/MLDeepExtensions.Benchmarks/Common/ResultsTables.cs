using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The tables of the results file: speed and memory per architecture, quality against the baselines, the native-memory
/// checks, and how busy the machine was. A cell of a section that did not run says "not run".
/// </summary>
internal static class ResultsTables
{
    public static void AppendTo(StringBuilder md, BenchmarkOptions options, Results results)
    {
        if (results.SectionsRun.Any(BenchmarkOptions.All.Contains))
            ArchitectureTables(md, options, results);
        foreach (var table in results.Tables)
        {
            md.AppendLine($"## {table.Title} (`{table.Section}` section)").AppendLine();
            md.AppendLine(table.Description).AppendLine();
            table.Table.AppendTo(md);
        }

        md.AppendLine("## Other processes' CPU use").AppendLine();
        md.AppendLine("Share of all processors that other processes used during each timed part (from `/proc/stat`): libtorch's threads wait " +
            "for each other at every operation, so timings are comparable only near 0%.").AppendLine();
        Loads(results).AppendTo(md);
    }

    /// <summary>The tables of the sections <c>all</c> runs: speed, quality, ONNX, native memory.</summary>
    private static void ArchitectureTables(StringBuilder md, BenchmarkOptions options, Results results)
    {
        md.AppendLine("## Speed and memory: ours against the same network in bare TorchSharp").AppendLine();
        md.AppendLine("One-epoch fits (ours reads the `IDataView`; bare trains on tensors built beforehand), Transform against a bare batched " +
            "forward (batches of 1,024), `PredictionEngine` against a bare one-row forward. Ratios are ours/bare in time for fits and in " +
            "rows per second for Transform. The autoencoder has no bare twin.").AppendLine();
        Speed(options, results).AppendTo(md);

        md.AppendLine("## Quality").AppendLine();
        md.AppendLine("Our networks against the baselines and anchors; references were measured in this run unless their name says otherwise.").AppendLine();
        Quality(options, results).AppendTo(md);

        md.AppendLine("## Exported to ONNX (`onnx` section)").AppendLine();
        if (!results.SectionsRun.Contains("onnx"))
        {
            md.AppendLine("Not run (`onnx` section; `all` includes it).").AppendLine();
        }
        else
        {
            md.AppendLine("Each network fitted for one epoch on the first 10,000 training rows (all of them in a quick run), exported with `ConvertToOnnx`, and scored on the test images: our " +
                "Transform and an ONNX Runtime session (OrtValue API, batches of 1,024 like our default `ScoringBatchSize`, as many intra-op " +
                "threads as libtorch) and ML.NET's `ApplyOnnxModel` (same threads); then one row at a time. Ratios are the exported model's " +
                "throughput over ours (goal ≥ 1) and our p50 latency over its.").AppendLine();
            Onnx(results).AppendTo(md);
        }

        md.AppendLine("## Native memory (`memory` section)").AppendLine();
        if (results.MemoryChecks.Count == 0)
        {
            md.AppendLine("Not run (`memory` section; `all` includes it).").AppendLine();
        }
        else
        {
            md.AppendLine("Resident set read after `GC.Collect()` + `WaitForPendingFinalizers()`, after the warm-up (the first tenth of the " +
                "predictions or passes, the first fifth of the fits) and at the end; a check passes when it grows by less than " +
                $"{results.MemoryChecks[0].LimitPercent}% of the reading after the warm-up. The growth is split into what the .NET garbage " +
                "collector holds committed (`GC.GetGCMemoryInfo().TotalCommittedBytes`: freed managed memory it keeps for reuse) and the " +
                "native rest (libtorch's tensors, the runtime, native libraries).").AppendLine();
            Memory(results).AppendTo(md);
            Readings(results).AppendTo(md);
        }

    }

    private static MarkdownTable Speed(BenchmarkOptions options, Results results)
    {
        var table = new MarkdownTable(new[] { "Measure" }.Concat(Architectures.All.Select(a => a.Name)).ToArray());
        void Row<T>(string measure, IEnumerable<T> items, Func<T, string> architectureOf, Func<T, string> format)
            where T : class
            => table.Row(new[] { measure }.Concat(Architectures.All.Select(a =>
                Results.For(items, a.Name, architectureOf) is T item ? format(item) : Missing(options, results, a, timing: true))).ToArray());

        Row("Fit, ours: median / best", results.Fits, f => f.Architecture, f => $"{Timing.Median(f.Ours):F2} / {f.Ours.Min():F2} s ({f.Ours.Length} run{(f.Ours.Length == 1 ? "" : "s")} each)");
        Row("Fit, bare TorchSharp: median / best", results.Fits, f => f.Architecture, f => $"{Timing.Median(f.Bare):F2} / {f.Bare.Min():F2} s");
        Row("**Fit ratio ours/bare**: median / best (target ≤ 1.05)", results.Fits, f => f.Architecture, f => $"**{f.RatioByMedian:F2}** / {f.RatioByBest:F2}");
        Row("Bare: building its tensors (not in its time)", results.Fits, f => f.Architecture, f => $"{f.BareTensorBuilding:F2} s");
        Row("Transform, ours / bare (median)", results.Scoring, s => s.Architecture, s => $"{s.OursRowsPerSecond:N0} / {s.BareRowsPerSecond:N0} rows/s");
        Row("**Transform ratio ours/bare**: median / best (target ≥ 0.95)", results.Scoring, s => s.Architecture, s => $"**{s.RatioByMedian:F2}** / {s.RatioByBest:F2}");
        Row("Reading the test rows from the `IDataView` (cursor + one copy a row; bare skips it)", results.Scoring, s => s.Architecture, s => $"{s.ReadMilliseconds:F1} ms");
        Row("Transform ratio ours/(bare + that read), median", results.Scoring, s => s.Architecture, s => $"{s.RatioWithReadByMedian:F2}");
        Row("`PredictionEngine` latency p50 / p99", results.Latencies, l => l.Architecture, l => $"{l.OursP50:F1} / {l.OursP99:F1} µs ({l.Predictions:N0} predictions)");
        Row("Bare one-row forward p50 / p99", results.Latencies, l => l.Architecture, l => $"{l.BareP50:F1} / {l.BareP99:F1} µs");
        Row("Peak resident set during a fit, ours (before the fit)", results.FitMemory.Where(m => m.Side == "ours"), m => m.Architecture, PeakCell);
        Row("Peak resident set during a fit, bare (before the fit)", results.FitMemory.Where(m => m.Side == "bare"), m => m.Architecture, PeakCell);
        table.Row(new[] { "Other processes' CPU use, highest timed part" }.Concat(Architectures.All.Select(a =>
            results.Loads.Where(l => l.Section == a.Section).Max(l => l.OthersPercent) is double percent
                ? $"{percent:F0}%"
                : Missing(options, results, a, timing: false))).ToArray());
        return table;
    }

    private static MarkdownTable Onnx(Results results)
    {
        var table = new MarkdownTable(new[] { "Measure" }.Concat(Architectures.All.Select(a => a.Name)).ToArray());
        void Row(string measure, Func<OnnxScoring, string> format)
            => table.Row(new[] { measure }.Concat(Architectures.All.Select(a =>
                Results.For(results.Onnx, a.Name, o => o.Architecture) is { } onnx ? format(onnx) : "—")).ToArray());
        static string Latency(double[] microseconds)
            => microseconds.Length == 0 ? "not timed" : $"{Timing.Median(microseconds):F1} / {Timing.Percentile(microseconds, 0.99):F1} µs";
        static string LatencyRatio(double[] ours, double[] exported)
            => ours.Length == 0 ? "not timed" : $"{Timing.Median(ours) / Timing.Median(exported):F2}";

        Row("Exported file", o => $"{o.FileBytes / 1024.0:N0} KiB");
        Row("Largest |ONNX Runtime − ours| over every Score value", o => $"{o.MaxDifference:G2}");
        Row("Transform, ours (median)", o => $"{o.Rows / Timing.Median(o.Ours):N0} rows/s");
        Row("ONNX Runtime, batches of 1,024 (median)", o => $"{o.Rows / Timing.Median(o.Runtime):N0} rows/s");
        Row("**Throughput ratio ONNX Runtime / ours** (goal ≥ 1)", o => $"**{o.RuntimeRatio:F2}**");
        Row("`ApplyOnnxModel` Transform (median); ratio to ours", o => $"{o.Rows / Timing.Median(o.ApplyOnnx):N0} rows/s; {o.ApplyOnnxRatio:F2}");
        Row("`PredictionEngine`, ours: p50 / p99", o => Latency(o.OursLatency));
        Row("ONNX Runtime, one row: p50 / p99", o => Latency(o.RuntimeLatency));
        Row("**Latency ratio ours / ONNX Runtime** (p50; goal ≥ 1)", o => $"**{LatencyRatio(o.OursLatency, o.RuntimeLatency)}**");
        Row("`PredictionEngine` over `ApplyOnnxModel`: p50 / p99", o => Latency(o.ApplyOnnxLatency));
        return table;
    }

    private static string PeakCell(FitMemory memory)
        => $"{Timing.Megabytes(memory.Peak)} ({Timing.Megabytes(memory.Before)})" + (memory.Fit == "one epoch" ? "" : $", {memory.Fit}");

    private static MarkdownTable Quality(BenchmarkOptions options, Results results)
    {
        var table = new MarkdownTable("Architecture", "Benchmark", "Ours", "Compared with", "Target", "Met");
        foreach (var architecture in Architectures.All)
        {
            var rows = results.Quality.Where(q => q.Architecture == architecture.Name).ToArray();
            if (rows.Length == 0)
                table.Row(architecture.Name, Missing(options, results, architecture, timing: false), "", "", "", "");
            foreach (var q in rows)
            {
                string ours = q.Ours.ToString(q.Format) + (q.FitSeconds is double seconds ? $" (fit {seconds:F1} s)" : "");
                string references = string.Join("; ", q.References.Select(r => $"{r.Name}: {r.Value?.ToString(q.Format) ?? "not run"}"));
                table.Row(architecture.Name, q.Benchmark, $"{q.Metric} {ours}", references.Length == 0 ? "—" : references, q.Target,
                    q.Met switch { true => "yes", false => "**no**", null => "—" });
            }
        }
        return table;
    }

    private static MarkdownTable Memory(Results results)
    {
        static string MiB(long bytes) => $"{bytes / (1024.0 * 1024.0):+0.0;-0.0;0.0} MiB";
        var table = new MarkdownTable("Check", "Work", "After warm-up", "At end", "Growth", "of it: GC committed / native", "Per operation", "Result");
        foreach (var check in results.MemoryChecks)
        {
            table.Row(check.Name, check.Work, Timing.Megabytes(check.Warm.Resident), Timing.Megabytes(check.End.Resident),
                $"{MiB(check.Growth)} ({check.GrowthPercent:+0.00;-0.00;0.00}%)", $"{MiB(check.GcGrowth)} / {MiB(check.NativeGrowth)}",
                $"{check.BytesPerOperation:+#,0;-#,0;0} bytes per {check.Operation}",
                check.Passed ? "**PASS**" : "**FAIL**");
        }
        return table;
    }

    private static MarkdownTable Readings(Results results)
    {
        var table = new MarkdownTable("Check", "Resident set (of it native: resident − GC committed) after each tenth of the work, or each fit (MiB)");
        foreach (var check in results.MemoryChecks)
            table.Row(check.Name, string.Join(", ", check.Readings.Select(r => $"{r.When}: {r.Resident / (1024.0 * 1024.0):F0} ({r.Native / (1024.0 * 1024.0):F0})")));
        return table;
    }

    private static MarkdownTable Loads(Results results)
    {
        var table = new MarkdownTable("Section", "Timed part", "Other processes' CPU use");
        foreach (var load in results.Loads)
            table.Row($"`{load.Section}`", load.Title, load.OthersPercent is double percent ? $"{percent:F0}%" : "unknown");
        if (results.Loads.Count == 0)
            table.Row("—", "no timed part ran", "—");
        return table;
    }

    /// <summary>What a cell says when the run has no value for it.</summary>
    private static string Missing(BenchmarkOptions options, Results results, (string Name, string Section) architecture, bool timing)
    {
        if (!results.SectionsRun.Contains(architecture.Section))
            return "not run";
        bool honoursSkips = architecture.Section is "cnn" or "rnn";
        if (honoursSkips && timing && options.SkipTiming)
            return "skipped (--accuracy-only)";
        if (honoursSkips && !timing && options.SkipAccuracy)
            return "skipped (--timing-only)";
        return "—";
    }
}
