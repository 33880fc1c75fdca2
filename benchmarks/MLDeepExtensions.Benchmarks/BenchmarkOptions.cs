using System;

namespace MLDeepExtensions.Benchmarks;

/// <summary>Command-line options: --quick, --epochs N, --repeats N, --with-baseline.</summary>
internal sealed record BenchmarkOptions(bool Quick, int Epochs, int Repeats, int Predictions, bool WithBaseline)
{
    public const string Usage = "Usage: MLDeepExtensions.Benchmarks [--quick] [--epochs N] [--repeats N] [--with-baseline]";

    /// <summary>Parses the options, or prints the usage and returns null.</summary>
    public static BenchmarkOptions? Parse(string[] args)
    {
        bool quick = Array.IndexOf(args, "--quick") >= 0;
        var options = new BenchmarkOptions(quick, Epochs: quick ? 2 : 10, Repeats: quick ? 1 : 3, Predictions: quick ? 200 : 2000, WithBaseline: false);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--with-baseline":
                    options = options with { WithBaseline = true };
                    break;
                case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int epochs) && epochs > 0:
                    options = options with { Epochs = epochs };
                    i++;
                    break;
                case "--repeats" when i + 1 < args.Length && int.TryParse(args[i + 1], out int repeats) && repeats > 0:
                    options = options with { Repeats = repeats };
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}'.");
                    Console.Error.WriteLine(Usage);
                    return null;
            }
        }
        return options;
    }
}
