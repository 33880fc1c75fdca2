using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Samples;

/// <summary>
/// samples/WebService run as a child process on a free loopback port (built with this project, see its ProjectReferences).
/// Disposing kills it.
/// </summary>
internal sealed class WebServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WebServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The service's base address, http://127.0.0.1:PORT/.</summary>
    public Uri Address { get; }

    /// <summary>A client for single requests (the load generator makes its own).</summary>
    public HttpClient Client { get; }

    /// <summary>The service's console output so far (the last 200 lines), for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts the service on <paramref name="modelPath"/> and waits until /health answers.</summary>
    public static WebServiceProcess Start(string modelPath, params string[] options)
    {
        int port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var start = StartInfo(["--model", modelPath, "--urls", address.ToString().TrimEnd('/'), .. options]);
        var service = new WebServiceProcess(Process.Start(start)!, address);
        try
        {
            service._process.OutputDataReceived += (_, e) => service.Keep(e.Data);
            service._process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
            service._process.BeginOutputReadLine();
            service._process.BeginErrorReadLine();
            service.WaitUntilHealthy();
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    /// <summary>Runs the program with <paramref name="args"/> to its end (as for --train-demo) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
            process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static ProcessStartInfo StartInfo(string[] args) => ModelRunnerProcess.StartInfo(ModelRunnerProcess.SampleProgram("WebService"), args);

    /// <summary>GET /health as JSON.</summary>
    public JsonElement Health()
    {
        using var response = Client.GetAsync("health").GetAwaiter().GetResult();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, Output);
        return JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.Clone();
    }

    /// <summary>Polls /health until <paramref name="condition"/> holds; fails after 60 s (a hung reload, not a slow one).</summary>
    public JsonElement WaitForHealth(Func<JsonElement, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var health = Health();
            if (condition(health))
                return health;
            Assert.IsLessThan(60, clock.Elapsed.TotalSeconds, $"the service did not reach '{what}' within 60 s; last health {health}\n{Output}");
            Thread.Sleep(20);
        }
    }

    private void WaitUntilHealthy()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.IsFalse(_process.HasExited, $"the service exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            try
            {
                using var response = Client.GetAsync("health").GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Assert.IsLessThan(120, clock.Elapsed.TotalSeconds, $"the service did not answer /health within 2 minutes:\n{Output}");
            Thread.Sleep(100);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        while (_output.Count > 200)
            _output.TryDequeue(out _);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
