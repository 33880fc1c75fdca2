using System;
using System.Diagnostics;
using System.IO;
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

    /// <summary>Microseconds of each of <paramref name="count"/> calls, cycling through the inputs, after a tenth as many warm-up calls.</summary>
    public static double[] Latencies<T>(T[] inputs, int count, Action<T> predict)
    {
        for (int i = 0; i < count / 10; i++)
            predict(inputs[i % inputs.Length]);
        Settle();
        var microseconds = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            predict(inputs[i % inputs.Length]);
            microseconds[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return microseconds;
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

    /// <summary>
    /// Minor page faults of this process so far (Linux; 0 elsewhere): each is a page of memory touched for the first
    /// time since it was mapped, e.g. a buffer that the allocator returned to the system and took back.
    /// </summary>
    public static long MinorPageFaults()
    {
        if (!File.Exists("/proc/self/stat"))
            return 0;
        // Fields after the parenthesised command name: state, ppid, pgrp, session, tty, tpgid, flags, minflt.
        string stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7]);
    }

    public static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):F0} MiB";
}
