using System;
using System.Collections.Generic;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>The architectures of the results tables, in column order; each belongs to one section.</summary>
internal static class Architectures
{
    public const string Mlp = "MLP";
    public const string Cnn = "CNN";
    public const string Rnn = "RNN / LSTM";
    public const string Autoencoder = "Autoencoder";

    public static readonly (string Name, string Section)[] All =
        { (Mlp, "mlp"), (Cnn, "cnn"), (Rnn, "rnn"), (Autoencoder, "autoencoder") };
}

/// <summary>One-epoch fits, ours against bare TorchSharp (seconds of every timed run).</summary>
internal sealed record FitTiming(string Architecture, double[] Ours, double[] OursLoop, double[] Bare, double BareTensorBuilding)
{
    public double RatioByMedian => Timing.Median(Ours) / Timing.Median(Bare);

    public double RatioByBest => Ours.Min() / Bare.Min();
}

/// <summary>Seconds of every timed Transform (ours) and batched forward (bare) over the same rows.</summary>
internal sealed record ScoringTiming(string Architecture, int Rows, double[] Ours, double[] Bare, double[] Read)
{
    /// <summary>Throughput ratio ours/bare: above 1, ours is faster.</summary>
    public double RatioByMedian => Timing.Median(Bare) / Timing.Median(Ours);

    /// <summary>Throughput ratio of ours to the bare forward plus reading the same rows from the IDataView.</summary>
    public double RatioWithReadByMedian => (Timing.Median(Bare) + Timing.Median(Read)) / Timing.Median(Ours);

    /// <summary>Median milliseconds to read the rows from the IDataView into batches.</summary>
    public double ReadMilliseconds => Timing.Median(Read) * 1000;

    public double RatioByBest => Bare.Min() / Ours.Min();

    public double OursRowsPerSecond => Rows / Timing.Median(Ours);

    public double BareRowsPerSecond => Rows / Timing.Median(Bare);
}

/// <summary>Single-row latency percentiles in microseconds: PredictionEngine and a bare one-row forward.</summary>
internal sealed record LatencyResult(string Architecture, int Predictions, double OursP50, double OursP99, double BareP50, double BareP99);

/// <summary>
/// One exported architecture (<c>onnx</c> section): the file's size, the largest difference between ONNX Runtime's and
/// our Score, seconds of every timed pass over <paramref name="Rows"/> rows (our Transform, an ONNX Runtime session fed
/// batches, ML.NET's ApplyOnnxModel), and microseconds of every single-row prediction (empty when none were timed).
/// </summary>
internal sealed record OnnxScoring(string Architecture, long FileBytes, double MaxDifference, int Rows, double[] Ours, double[] Runtime,
    double[] ApplyOnnx, double[] OursLatency, double[] RuntimeLatency, double[] ApplyOnnxLatency)
{
    /// <summary>ONNX Runtime's throughput over ours: at least 1 is the goal.</summary>
    public double RuntimeRatio => Timing.Median(Ours) / Timing.Median(Runtime);

    public double ApplyOnnxRatio => Timing.Median(Ours) / Timing.Median(ApplyOnnx);
}

/// <summary>
/// Resident set just before a fit and its largest sample during the fit (of the run with the largest peak), for one
/// side ("ours" or "bare"); <paramref name="Fit"/> says which fit, e.g. "one epoch".
/// </summary>
internal sealed record FitMemory(string Architecture, string Side, string Fit, long Before, long Peak);

/// <summary>A value compared with; null when it was not measured in this run (e.g. a baseline behind an option).</summary>
internal readonly record struct Reference(string Name, double? Value);

/// <summary>
/// What a network reached on one quality benchmark, the references it is compared with, the target (in words) and
/// whether it was met (null: no target).
/// </summary>
internal sealed record QualityResult(string Architecture, string Benchmark, string Metric, string Format, double Ours, double? FitSeconds,
    IReadOnlyList<Reference> References, string Target, bool? Met);

/// <summary>One reading of a memory check: the resident set and, of it, what the .NET garbage collector holds committed.</summary>
internal sealed record MemoryReading(string When, long Resident, long GcCommitted)
{
    /// <summary>The resident set less the garbage collector's committed memory: libtorch, the runtime, native libraries.</summary>
    public long Native => Resident - GcCommitted;
}

/// <summary>
/// A long-running memory check: the resident set after a warm-up and at the end, and every reading in between, over
/// <paramref name="OperationsAfterWarmUp"/> repetitions of <paramref name="Operation"/> (e.g. "prediction").
/// Passes when the growth of the resident set stays under <see cref="LimitPercent"/> of the warm resident set; the
/// growth is also split into the garbage collector's committed memory and the native rest.
/// </summary>
internal sealed record MemoryCheck(string Name, string Work, string Operation, MemoryReading Warm, MemoryReading End, int OperationsAfterWarmUp,
    IReadOnlyList<MemoryReading> Readings, double LimitPercent)
{
    public long Growth => End.Resident - Warm.Resident;

    public long NativeGrowth => End.Native - Warm.Native;

    public long GcGrowth => End.GcCommitted - Warm.GcCommitted;

    public double BytesPerOperation => OperationsAfterWarmUp == 0 ? 0 : (double)Growth / OperationsAfterWarmUp;

    public double GrowthPercent => 100.0 * Growth / Warm.Resident;

    public bool Passed => GrowthPercent < LimitPercent;
}

/// <summary>
/// How busy other processes kept the processors during a timed part (<paramref name="Title"/>) of a section
/// (<paramref name="Section"/>, e.g. "mlp"); null where unknown (no /proc/stat).
/// </summary>
internal sealed record SectionLoad(string Section, string Title, double? OthersPercent);

/// <summary>A table a section writes as it is: a heading, what it measures, the table.</summary>
internal sealed record SectionTable(string Section, string Title, string Description, MarkdownTable Table);

/// <summary>
/// Every structured result of a run, handed over by the sections as they print them, for the results file.
/// </summary>
internal sealed class Results
{
    private readonly List<FitTiming> _fits = new();
    private readonly List<ScoringTiming> _scoring = new();
    private readonly List<LatencyResult> _latencies = new();
    private readonly List<FitMemory> _fitMemory = new();
    private readonly List<OnnxScoring> _onnx = new();
    private readonly List<QualityResult> _quality = new();
    private readonly List<MemoryCheck> _memoryChecks = new();
    private readonly List<SectionLoad> _loads = new();
    private readonly List<SectionTable> _tables = new();
    private readonly List<string> _sectionsRun = new();

    public IReadOnlyList<FitTiming> Fits => _fits;

    public IReadOnlyList<ScoringTiming> Scoring => _scoring;

    public IReadOnlyList<LatencyResult> Latencies => _latencies;

    public IReadOnlyList<FitMemory> FitMemory => _fitMemory;

    public IReadOnlyList<OnnxScoring> Onnx => _onnx;

    public IReadOnlyList<QualityResult> Quality => _quality;

    public IReadOnlyList<MemoryCheck> MemoryChecks => _memoryChecks;

    public IReadOnlyList<SectionLoad> Loads => _loads;

    /// <summary>The tables of sections whose results are their own (integrity, tabular), in the order they were added.</summary>
    public IReadOnlyList<SectionTable> Tables => _tables;

    /// <summary>The sections that ran (or began), in order.</summary>
    public IReadOnlyList<string> SectionsRun => _sectionsRun;

    public void SectionStarted(string section) => _sectionsRun.Add(section);

    public void Add(FitTiming fit) => _fits.Add(fit);

    public void Add(ScoringTiming scoring) => _scoring.Add(scoring);

    public void Add(LatencyResult latency) => _latencies.Add(latency);

    public void Add(FitMemory memory) => _fitMemory.Add(memory);

    public void Add(OnnxScoring onnx) => _onnx.Add(onnx);

    public void Add(QualityResult quality) => _quality.Add(quality);

    public void Add(MemoryCheck check) => _memoryChecks.Add(check);

    public void Add(SectionLoad load) => _loads.Add(load);

    /// <summary>Adds a table of the section that is running.</summary>
    public void AddTable(string title, string description, MarkdownTable table)
        => _tables.Add(new SectionTable(_sectionsRun.LastOrDefault() ?? "", title, description, table));

    /// <summary>The result of <paramref name="architecture"/> in <paramref name="items"/>, or null when none was recorded.</summary>
    public static T? For<T>(IEnumerable<T> items, string architecture, Func<T, string> architectureOf)
        where T : class
        => items.LastOrDefault(item => architectureOf(item) == architecture);
}
