using System;
using System.Diagnostics;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>Small statistics over measured times.</summary>
internal static class Timing
{
    /// <summary>Collects garbage left by earlier runs, so that a measurement does not pay for it.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Seconds <paramref name="action"/> takes.</summary>
    public static double Seconds(Action action)
    {
        Settle();
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static double Median(double[] values) => Percentile(values, 0.5);

    /// <summary>The nearest-rank percentile (0.5: median, 0.99: p99); the mean of the middle two for an even-sized median.</summary>
    public static double Percentile(double[] values, double fraction)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (fraction == 0.5 && sorted.Length % 2 == 0)
            return (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        int rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):F0} MiB";
}
