using System;

namespace MLDeepExtensions.Samples;

/// <summary>The sample's command-line options: --epochs N, --max-train N.</summary>
public sealed record SampleArguments(int Epochs, int MaxTrain)
{
    /// <summary>Parses the options, or prints the usage and returns false.</summary>
    public static bool TryParse(string[] args, out SampleArguments arguments)
    {
        arguments = new SampleArguments(Epochs: 150, MaxTrain: int.MaxValue);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int epochs) && epochs > 0:
                    arguments = arguments with { Epochs = epochs };
                    i++;
                    break;
                case "--max-train" when i + 1 < args.Length && int.TryParse(args[i + 1], out int maxTrain) && maxTrain > 1:
                    arguments = arguments with { MaxTrain = maxTrain };
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}'.");
                    Console.Error.WriteLine("Usage: SequenceForecasting [--epochs N (default 150)] [--max-train N (latest N training windows, at least 2)]");
                    return false;
            }
        }
        return true;
    }
}
