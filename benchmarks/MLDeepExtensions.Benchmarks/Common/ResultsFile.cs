using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>What the results file says about the run itself.</summary>
internal sealed record RunInfo(string[] Arguments, string DataSource, DateTime StartedUtc, TimeSpan Duration, long PeakWorkingSet);

/// <summary>
/// Writes benchmarks/RESULTS.md: the machine, then the tables of <see cref="ResultsTables"/>, every number taken from
/// the <see cref="Results"/> of this run. Sections that did not run say so, so a partial run still gives a whole file.
/// </summary>
internal static class ResultsFile
{
    public const string FileName = "RESULTS.md";
    private const string SolutionFile = "MLDeepExtensions.sln";

    /// <summary>
    /// benchmarks/RESULTS.md in the repository that holds the current directory or, failing that, the program, or
    /// benchmarks/RESULTS-&lt;section&gt;.md for a section that <c>all</c> does not run (its results stand on their own);
    /// null when neither is inside a repository.
    /// </summary>
    public static string? DefaultPath(string section)
    {
        string fileName = section == "all" || BenchmarkOptions.All.Contains(section) ? FileName : $"RESULTS-{section}.md";
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                    return Path.Combine(dir.FullName, "benchmarks", fileName);
            }
        }
        return null;
    }

    /// <summary>Writes the file where the options say (or nowhere with --no-results) and says where.</summary>
    public static void Write(BenchmarkOptions options, RunInfo run, Results results)
    {
        if (options.NoResults)
            return;
        string? path = options.ResultsPath ?? DefaultPath(options.Section);
        if (path is null)
        {
            Console.WriteLine($"No results file: no {SolutionFile} above the current directory or the program; pass --results PATH.");
            return;
        }
        path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Render(options, run, results));
        Console.WriteLine($"Results written to {path}");
    }

    public static string Render(BenchmarkOptions options, RunInfo run, Results results)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmark results").AppendLine();
        md.AppendLine($"Written by `MLDeepExtensions.Benchmarks` on {run.StartedUtc:yyyy-MM-dd HH:mm} UTC. Every number below comes from that run; " +
            "rerun the program rather than edit them. What each measure means and how it is taken: [README.md](README.md).").AppendLine();
        if (options.Quick)
        {
            md.AppendLine($"> **Quick run** (`--quick`): {run.DataSource}, {options.Repeats} timed fit{(options.Repeats == 1 ? "" : "s")} per side, {options.Epochs()} epochs for " +
                "the accuracy runs, a shortened memory check. A smoke test of the program: its numbers are not comparable with a full run, " +
                "and the targets are for full runs.").AppendLine();
        }
        var notRun = BenchmarkOptions.Sections.Where(section => !results.SectionsRun.Contains(section)).ToArray();
        md.AppendLine($"Sections run: {List(results.SectionsRun)}; not run: {List(notRun)}. Sections that `all` does not run write their own " +
            $"file beside this one, RESULTS-<section>.md ({List(BenchmarkOptions.Sections.Except(BenchmarkOptions.All))}).").AppendLine();

        md.AppendLine("## Machine").AppendLine();
        Machine(run, results).AppendTo(md);
        ResultsTables.AppendTo(md, options, results);
        return md.ToString().TrimEnd() + Environment.NewLine;
    }

    private static MarkdownTable Machine(RunInfo run, Results results)
    {
        double? busiest = results.Loads.Max(load => load.OthersPercent);
        return new MarkdownTable("Item", "Value")
            .Row("Operating system", $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})")
            .Row("Processor", ProcessorName())
            .Row("Logical processors", $"{Environment.ProcessorCount}")
            .Row("Torch threads", $"{get_num_threads()}")
            .Row("C allocator", Allocator.Describe())
            .Row(".NET", RuntimeInformation.FrameworkDescription)
            .Row("TorchSharp", typeof(Tensor).Assembly.GetName().Version?.ToString() ?? "unknown")
            .Row("Date (UTC)", $"{run.StartedUtc:yyyy-MM-dd HH:mm:ss}, the run took {run.Duration.TotalMinutes:F1} minutes")
            .Row("Command", $"`{$"dotnet MLDeepExtensions.Benchmarks.dll {string.Join(" ", run.Arguments)}".TrimEnd()}`")
            .Row("Data", run.DataSource)
            .Row("Resident set", $"{ResidentMemory.Source}; peaks sampled every {ResidentMemory.SamplingInterval.TotalMilliseconds:F0} ms")
            .Row("Peak working set, whole run", Timing.Megabytes(run.PeakWorkingSet))
            .Row("Other processes' CPU use", busiest is double percent
                ? $"at most {percent:F0}% in any timed part (table at the end; timings are comparable only near 0%)"
                : results.Loads.Count == 0 ? "no timed part ran" : "unknown (no /proc/stat)");
    }

    /// <summary>The processor's model name from /proc/cpuinfo, or the architecture elsewhere.</summary>
    private static string ProcessorName()
    {
        const string cpuInfo = "/proc/cpuinfo";
        string? model = File.Exists(cpuInfo)
            ? File.ReadLines(cpuInfo).FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return model ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string List(System.Collections.Generic.IEnumerable<string> sections)
    {
        string joined = string.Join(", ", sections.Select(section => $"`{section}`"));
        return joined.Length == 0 ? "none" : joined;
    }

    /// <summary>The peak working set of this process so far.</summary>
    public static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
