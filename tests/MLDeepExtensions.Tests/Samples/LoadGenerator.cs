using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace MLDeepExtensions.Tests.Samples;

/// <summary>What a load run measured: requests, failures (status or wrong answer), throughput and latency percentiles.</summary>
internal sealed record LoadResult(int Concurrency, int Requests, int Checked, int Failed, IReadOnlyList<string> FirstFailures,
    double Seconds, double P50Milliseconds, double P99Milliseconds)
{
    public double RequestsPerSecond => Requests / Seconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"concurrency {Concurrency,2}: {Requests} requests in {Seconds:F1} s = {RequestsPerSecond:N0} req/s, p50 {P50Milliseconds:F2} ms, " +
        $"p99 {P99Milliseconds:F2} ms; {Checked} answers compared, {Failed} failed");
}

/// <summary>
/// A bounded HTTP load: <c>concurrency</c> workers, each sending one request at a time on its own connection for a fixed
/// time (or until <c>stop</c>). Every answer must be 200; every <c>checkEvery</c>-th answer is also compared by the caller's check.
/// </summary>
internal static class LoadGenerator
{
    /// <summary>Runs the load; <c>check</c>, given a request's index and the answer's body, returns null when the answer is right, else why not.</summary>
    public static async Task<LoadResult> RunAsync(Uri predict, IReadOnlyList<byte[]> bodies, int concurrency, TimeSpan duration,
        Func<int, byte[], string?> check, int checkEvery, CancellationToken stop = default)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var failures = new ConcurrentQueue<string>();
        int sent = -1, checkedCount = 0, failed = 0;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var own = latencies[w] = new List<double>(4096);
            while (clock.Elapsed < duration && !stop.IsCancellationRequested)
            {
                int i = Interlocked.Increment(ref sent);
                int request = i % bodies.Count;
                long started = Stopwatch.GetTimestamp();
                string? failure;
                try
                {
                    using var content = new ByteArrayContent(bodies[request]);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await client.PostAsync(predict, content).ConfigureAwait(false);
                    byte[] body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    failure = !response.IsSuccessStatusCode ? $"request {i}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}"
                        : i % checkEvery == 0 ? Check(check, request, body, () => Interlocked.Increment(ref checkedCount)) : null;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failure = $"request {i}: {e.GetType().Name}: {e.Message}";
                }
                if (failure is not null)
                {
                    Interlocked.Increment(ref failed);
                    if (failures.Count < 10)
                        failures.Enqueue(failure);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(concurrency, Volatile.Read(ref sent) + 1, checkedCount, failed, failures.ToArray(), seconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static string? Check(Func<int, byte[], string?> check, int request, byte[] body, Action counted)
    {
        counted();
        string? why = check(request, body);
        return why is null ? null : $"request body {request}: {why}";
    }

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
