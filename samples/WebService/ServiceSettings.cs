using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.Extensions.Configuration;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>The service's settings, read from the command line (<c>--model m.zip --max-rows 100</c>) or any other configuration source.</summary>
/// <param name="ModelPath">The model zip to serve (<c>--model</c>); required.</param>
/// <param name="MaxRequestBytes">Kestrel's request body limit (<c>--max-request-bytes</c>); 1 to 1 GiB. Default: 1 MiB.</param>
/// <param name="MaxRows">Rows one request may hold (<c>--max-rows</c>); 1 to 1,000,000. Default: 1,000.</param>
/// <param name="ReloadDebounce">Quiet time after the last change to the model file before it is loaded again (<c>--reload-debounce-ms</c>); 0 to 60,000 ms. Default: 500 ms.</param>
/// <param name="Scorers">Rows scored at once, each by its own pooled scorer (<c>--scorers</c>); 1 to 256. Default: the number of cores.</param>
public sealed record ServiceSettings(string ModelPath, long MaxRequestBytes, int MaxRows, TimeSpan ReloadDebounce, int Scorers)
{
    /// <summary>The command-line options, for the usage line.</summary>
    public const string Usage = "Usage: WebService --model <model.zip> [--urls http://127.0.0.1:5000] [--max-request-bytes N] [--max-rows N] " +
        "[--reload-debounce-ms N] [--scorers N]\n       WebService --train-demo <model.zip>";

    /// <summary>Reads and checks every setting, reporting all problems in one <see cref="ArgumentException"/>.</summary>
    public static ServiceSettings From(IConfiguration configuration)
    {
        var problems = new List<string>();
        string? model = configuration["model"];
        if (string.IsNullOrWhiteSpace(model))
            problems.Add("--model is required: the model zip to serve.");
        else if (!File.Exists(model))
            problems.Add($"--model '{model}' does not exist.");
        long maxBytes = Read(configuration, "max-request-bytes", 1L << 20, 1, 1L << 30, problems);
        int maxRows = (int)Read(configuration, "max-rows", 1000, 1, 1_000_000, problems);
        long debounce = Read(configuration, "reload-debounce-ms", 500, 0, 60_000, problems);
        int scorers = (int)Read(configuration, "scorers", Environment.ProcessorCount, 1, 256, problems);
        if (problems.Count > 0)
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(configuration));
        return new ServiceSettings(Path.GetFullPath(model!), maxBytes, maxRows, TimeSpan.FromMilliseconds(debounce), scorers);
    }

    private static long Read(IConfiguration configuration, string key, long defaultValue, long min, long max, List<string> problems)
    {
        string? text = configuration[key];
        if (text is null)
            return defaultValue;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
            return value;
        problems.Add($"--{key} '{text}' is not a whole number from {min} to {max}.");
        return defaultValue;
    }
}
