using System;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// Command line: an optional section (mlp, cnn, rnn, autoencoder, onnx, memory, streaming, integrity, tabular, fttransformer, forecasting, calibration, multiplicative, global, multilabel, sequence, smalldata, threads or all; default mlp), then --quick, --epochs N,
/// --repeats N, --with-baseline, --timing-only, --accuracy-only, --residual, --variants LIST, --networks A,B, --conditions quiet,busy, --results PATH, --no-results.
/// </summary>
internal sealed record BenchmarkOptions(string Section, bool Quick, int? EpochsOverride, int Repeats, int Predictions, bool WithBaseline)
{
    /// <summary>--accuracy-only: skip the ours-vs-bare timings of the cnn and rnn sections.</summary>
    public bool SkipTiming { get; init; }

    /// <summary>--timing-only: skip the accuracy runs of the cnn and rnn sections.</summary>
    public bool SkipAccuracy { get; init; }

    /// <summary>--residual: the cnn section runs the residual CNN's accuracy run (about 15 minutes on 2 cores) instead of the plain CNN's.</summary>
    public bool Residual { get; init; }

    /// <summary>--variants LIST: the smalldata section's pipelines to run, by id, comma-separated (default: all).</summary>
    public string? Variants { get; init; }

    /// <summary>--results PATH: where to write the results file (default: benchmarks/RESULTS.md of the repository).</summary>
    public string? ResultsPath { get; init; }

    /// <summary>--no-results: write no results file.</summary>
    public bool NoResults { get; init; }

    /// <summary>--networks A,B: the networks the threads section times (default: all of <see cref="ThreadWorkloads.Keys"/>).</summary>
    public string[] ThreadNetworks { get; init; } = ThreadWorkloads.Keys;

    /// <summary>--conditions quiet,busy: the load conditions the threads section times them under (default: both).</summary>
    public string[] ThreadConditions { get; init; } = ThreadsSection.Conditions;

    public static readonly string[] Sections = { "mlp", "cnn", "rnn", "autoencoder", "onnx", "memory", "streaming", "integrity", "tabular", "fttransformer", "forecasting", "calibration", "multiplicative", "global", "multilabel", "sequence", "smalldata", "threads" };

    /// <summary>
    /// What <c>all</c> runs: the memory check first, in a fresh process (memory that later sections free stays resident
    /// and would hide growth), then the others. It adds under a minute (an estimate from the quick run).
    /// </summary>
    public static readonly string[] All = { "memory", "mlp", "cnn", "rnn", "autoencoder", "onnx" };

    public const string Usage = "Usage: MLDeepExtensions.Benchmarks [mlp|cnn|rnn|autoencoder|onnx|memory|streaming|integrity|tabular|fttransformer|forecasting|calibration|multiplicative|global|multilabel|sequence|smalldata|threads|all] [--quick] [--epochs N] " +
        "[--repeats N] [--with-baseline] [--timing-only | --accuracy-only] [--residual] [--variants ID,ID,...] [--networks A,B] [--conditions quiet,busy] [--results PATH | --no-results]";

    /// <summary>Epochs of the accuracy runs: --epochs, else 2 with --quick, else <paramref name="full"/>.</summary>
    public int Epochs(int full = 10) => EpochsOverride ?? (Quick ? 2 : full);

    /// <summary>The sections to run, in order.</summary>
    public string[] SelectedSections => Section == "all" ? All : new[] { Section };

    /// <summary>Parses the options, or prints the usage and returns null.</summary>
    public static BenchmarkOptions? Parse(string[] args)
    {
        string section = "mlp";
        int first = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            section = args[0].ToLowerInvariant();
            first = 1;
            if (section != "all" && !Sections.Contains(section))
                return Fail($"Unknown section '{args[0]}'.");
        }
        bool quick = args.Contains("--quick");
        var options = new BenchmarkOptions(section, quick, EpochsOverride: null, Repeats: quick ? 1 : 3, Predictions: quick ? 200 : 2000, WithBaseline: false);
        for (int i = first; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--timing-only":
                    options = options with { SkipAccuracy = true };
                    break;
                case "--accuracy-only":
                    options = options with { SkipTiming = true };
                    break;
                case "--residual":
                    options = options with { Residual = true };
                    break;
                case "--with-baseline":
                    options = options with { WithBaseline = true };
                    break;
                case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int epochs) && epochs > 0:
                    options = options with { EpochsOverride = epochs };
                    i++;
                    break;
                case "--results" when i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal):
                    options = options with { ResultsPath = args[i + 1] };
                    i++;
                    break;
                case "--variants" when i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal):
                    if (SmallDataVariants.Unknown(args[i + 1]) is { Length: > 0 } unknown)
                        return Fail($"Unknown variant{(unknown.Length == 1 ? "" : "s")} {string.Join(", ", unknown)}; the smalldata section has {SmallDataVariants.Ids}.");
                    options = options with { Variants = args[i + 1] };
                    i++;
                    break;
                case "--no-results":
                    options = options with { NoResults = true };
                    break;
                case "--networks" when i + 1 < args.Length:
                    if (Names(args[++i], ThreadWorkloads.Keys) is not { } networks)
                        return Fail($"--networks takes a comma-separated list of {string.Join(", ", ThreadWorkloads.Keys)}; got '{args[i]}'.");
                    options = options with { ThreadNetworks = networks };
                    break;
                case "--conditions" when i + 1 < args.Length:
                    if (Names(args[++i], ThreadsSection.Conditions) is not { } conditions)
                        return Fail($"--conditions takes a comma-separated list of {string.Join(", ", ThreadsSection.Conditions)}; got '{args[i]}'.");
                    options = options with { ThreadConditions = conditions };
                    break;
                case "--repeats" when i + 1 < args.Length && int.TryParse(args[i + 1], out int repeats) && repeats > 0:
                    options = options with { Repeats = repeats };
                    i++;
                    break;
                default:
                    return Fail($"Unknown or incomplete option '{args[i]}'.");
            }
        }
        return options.NoResults && options.ResultsPath is not null ? Fail("--results and --no-results exclude each other.") : options;
    }

    /// <summary>The names of a comma-separated list, in the order of <paramref name="known"/>; null when one is unknown or none is given.</summary>
    private static string[]? Names(string list, string[] known)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToArray();
        return names.Length == 0 || names.Any(n => !known.Contains(n)) ? null : known.Where(names.Contains).ToArray();
    }

    private static BenchmarkOptions? Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        return null;
    }
}
