using System;

namespace MLDeepExtensions.Samples;

/// <summary>The samples' command-line options: --epochs N, --subset (where a sample offers it), --max-train N.</summary>
public sealed record SampleArguments(int Epochs, bool SubsetOnly, int MaxTrain)
{
    /// <summary>Parses the options, or prints the usage and returns false.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="program">The sample's name, for the usage line.</param>
    /// <param name="defaultEpochs">Epochs when --epochs is not given.</param>
    /// <param name="arguments">The parsed options.</param>
    /// <param name="defaultMaxTrain">Training rows when --max-train is not given (default: all).</param>
    /// <param name="allowSubset">Whether --subset (the repository's Fashion-MNIST subset) is offered.</param>
    /// <param name="maxTrainMeaning">What --max-train counts, for the usage line.</param>
    public static bool TryParse(string[] args, string program, int defaultEpochs, out SampleArguments arguments,
        int defaultMaxTrain = int.MaxValue, bool allowSubset = true, string maxTrainMeaning = "")
    {
        arguments = new SampleArguments(defaultEpochs, SubsetOnly: false, defaultMaxTrain);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--subset" when allowSubset:
                    arguments = arguments with { SubsetOnly = true };
                    break;
                case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int epochs) && epochs > 0:
                    arguments = arguments with { Epochs = epochs };
                    i++;
                    break;
                case "--max-train" when i + 1 < args.Length && int.TryParse(args[i + 1], out int maxTrain) && maxTrain > 1:
                    arguments = arguments with { MaxTrain = maxTrain };
                    i++;
                    break;
                default:
                    string maxTrainDefault = defaultMaxTrain == int.MaxValue ? "" : $"default {defaultMaxTrain}, ";
                    Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}'.");
                    Console.Error.WriteLine($"Usage: {program} [--epochs N (default {defaultEpochs})]{(allowSubset ? " [--subset]" : "")} " +
                        $"[--max-train N ({maxTrainMeaning}{maxTrainDefault}at least 2)]");
                    return false;
            }
        }
        return true;
    }
}
