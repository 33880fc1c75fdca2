using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// How busy other processes kept the processors while a section ran (Linux only): libtorch's OpenMP threads wait
/// for each other at every operation, so a neighbour taking a core for a few milliseconds can double a timing.
/// </summary>
internal readonly struct MachineLoad
{
    private readonly long _busyTicks;
    private readonly TimeSpan _ourProcessorTime;
    private readonly long _timestamp;

    private MachineLoad(long busyTicks, TimeSpan ourProcessorTime, long timestamp)
    {
        _busyTicks = busyTicks;
        _ourProcessorTime = ourProcessorTime;
        _timestamp = timestamp;
    }

    public static MachineLoad Now()
        => new(BusyTicks(), Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp());

    /// <summary>Other processes' processor use since this snapshot, as a percentage of all processors; null where unknown.</summary>
    public double? OthersPercentSince()
    {
        if (_busyTicks < 0)
            return null;
        double elapsed = Stopwatch.GetElapsedTime(_timestamp).TotalSeconds;
        double busy = (BusyTicks() - _busyTicks) / 100.0; // USER_HZ is 100 on Linux
        double ours = (Process.GetCurrentProcess().TotalProcessorTime - _ourProcessorTime).TotalSeconds;
        return Math.Clamp(100 * (busy - ours) / (elapsed * Environment.ProcessorCount), 0, 100);
    }

    /// <summary>Busy clock ticks of all processors from /proc/stat (user, nice, system, irq, softirq, steal), or -1.</summary>
    private static long BusyTicks()
    {
        if (!File.Exists("/proc/stat"))
            return -1;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new[] { 1, 2, 3, 6, 7, 8 }.Sum(i => long.Parse(fields[i]));
    }
}
