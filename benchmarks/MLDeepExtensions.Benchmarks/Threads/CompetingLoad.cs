using System;
using System.Diagnostics;
using System.Threading;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// One competing CPU-bound process (a shell loop that keeps one processor busy) for the <c>busy</c> condition of the
/// <c>threads</c> section. Dispose stops it; so do Ctrl+C and the end of this process, and the loop itself checks
/// every few hundred thousand turns that this process still runs, so it never outlives a benchmark killed outright.
/// </summary>
internal sealed class CompetingLoad : IDisposable
{
    private readonly Process _process;
    private int _stopped;

    private CompetingLoad(Process process)
    {
        _process = process;
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        Console.CancelKeyPress += OnExit;
    }

    /// <summary>What the competitor runs: <c>sh -c</c> with this loop (shell built-ins only, so it never forks).</summary>
    public static string Script(int parentId)
        => $"i=0; while :; do i=$((i+1)); if [ \"$i\" -ge 200000 ]; then kill -0 {parentId} 2>/dev/null || exit 0; i=0; fi; done";

    /// <summary>Starts the loop and waits a moment for it to run; throws when it could not start or ended at once.</summary>
    public static CompetingLoad Start()
    {
        var info = new ProcessStartInfo("sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script(Environment.ProcessId));
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the competing process (sh).");
        var load = new CompetingLoad(process);
        Thread.Sleep(200);
        if (process.HasExited)
        {
            int code = process.ExitCode;
            load.Dispose();
            throw new InvalidOperationException($"The competing process (sh) ended at once, with exit code {code}.");
        }
        return load;
    }

    /// <summary>The competitor's process id.</summary>
    public int ProcessId => _process.Id;

    private void OnExit(object? sender, EventArgs e) => Stop();

    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended between the check and the kill.
        }
    }

    public void Dispose()
    {
        Stop();
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        Console.CancelKeyPress -= OnExit;
        _process.Dispose();
    }
}
