using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The process's resident set (managed heap, libtorch's tensors and everything else it has in physical memory): VmRSS
/// from /proc/self/status on Linux, <see cref="Process.WorkingSet64"/> elsewhere.
/// </summary>
internal static class ResidentMemory
{
    private const string StatusFile = "/proc/self/status";

    /// <summary>How often <see cref="PeakDuring{T}"/> samples the resident set.</summary>
    public static readonly TimeSpan SamplingInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Where the numbers come from, for the results file.</summary>
    public static string Source => File.Exists(StatusFile) ? "VmRSS from /proc/self/status" : "Process.WorkingSet64";

    /// <summary>The resident set now, in bytes.</summary>
    public static long Current()
    {
        if (File.Exists(StatusFile))
        {
            foreach (string line in File.ReadLines(StatusFile))
            {
                // "VmRSS:     123456 kB"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim()) * 1024;
            }
        }
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>The resident set after collecting garbage and running pending finalizers (which free native tensors).</summary>
    public static long AfterCollection()
    {
        Timing.Settle();
        return Current();
    }

    /// <summary>
    /// The resident set after a full collection, with the memory the .NET garbage collector holds committed at that
    /// moment: the rest is native memory (libtorch's tensors, the runtime, the libraries).
    /// </summary>
    public static MemoryReading Read(string when)
    {
        long resident = AfterCollection();
        return new MemoryReading(when, resident, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    /// <summary>
    /// Runs <paramref name="action"/> while a background thread samples the resident set every
    /// <see cref="SamplingInterval"/>; returns its result, the resident set just before it and the largest sample.
    /// A peak shorter than the interval can be missed: the peak is a lower bound. (Linux's VmHWM covers the process's
    /// whole life; resetting it takes a write to /proc/self/clear_refs, not allowed everywhere and Linux-only, so the
    /// benchmark samples instead.)
    /// </summary>
    public static (T Result, long Before, long Peak) PeakDuring<T>(Func<T> action)
    {
        long before = Current();
        long peak = before;
        using var done = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            while (!done.Wait(SamplingInterval))
                Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), Current()));
        })
        { IsBackground = true, Name = "RSS sampler" };
        sampler.Start();
        T result;
        try
        {
            result = action();
        }
        finally
        {
            done.Set();
            sampler.Join();
        }
        return (result, before, Math.Max(peak, Current()));
    }
}
