using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests;

/// <summary>Runs tests/MLDeepExtensions.ModelRunner in a new process (the second process of the save → load and determinism tests).</summary>
internal static class ModelRunnerProcess
{
    /// <summary>Starts the runner with <paramref name="arguments"/>; call <see cref="Finish"/> for its output.</summary>
    public static Process Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    /// <summary>Starts the runner with <paramref name="arguments"/> and extra <paramref name="environment"/> variables (an empty value removes the variable).</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
        => StartProgram("MLDeepExtensions.ModelRunner", environment, arguments);

    /// <summary>The folder a test program (a project beside the tests) was built into.</summary>
    public static string OutputFolder(string project)
    {
        // tests/MLDeepExtensions.Tests/bin/<Configuration>/<tfm>/ → tests/<project>/bin/<Configuration>/<tfm>/
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(testBin.Parent!.Parent!.Parent!.Parent!.FullName, project, "bin", testBin.Parent.Name, testBin.Name);
    }

    /// <summary>Starts the test program <paramref name="project"/> (ModelRunner, ServingRunner) with <paramref name="arguments"/>.</summary>
    public static Process StartProgram(string project, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = StartInfo(Path.Combine(OutputFolder(project), project + ".dll"), arguments);
        foreach (var (name, value) in environment)
        {
            if (value.Length == 0)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }

    /// <summary>The built program of sample <paramref name="name"/> (e.g. "WebService", "OnnxDeployment/Serve"): samples/&lt;name&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/.</summary>
    public static string SampleProgram(string name)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string repoRoot = testBin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(repoRoot, "samples", name, "bin", testBin.Parent.Name, testBin.Name, name.Replace('/', '.') + ".dll");
    }

    /// <summary>How to run the built .NET program <paramref name="program"/> with <paramref name="arguments"/> under this test host's dotnet, its output captured.</summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments)
    {
        Assert.IsTrue(File.Exists(program), $"{Path.GetFileNameWithoutExtension(program)} not built at {program}");
        var start = new ProcessStartInfo(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(program);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>Waits for the runner (at most 2 minutes), checks it succeeded and returns its standard output and error.</summary>
    public static string Finish(Process process, int exitCode = 0)
    {
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd() + error.Result;
            Assert.IsTrue(process.WaitForExit(120_000), "model runner timed out");
            Assert.AreEqual(exitCode, process.ExitCode, output);
            return output;
        }
    }

    public static string Run(params string[] arguments) => Finish(Start(arguments));

    /// <summary>Writes rows for the runner's scoring modes: int rows, int width, then the values row by row.</summary>
    public static void WriteRows(string path, IReadOnlyList<float[]> rows)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(rows.Count);
        writer.Write(rows[0].Length);
        foreach (var row in rows)
            foreach (float v in row)
                writer.Write(v);
    }

    /// <summary>Reads what the runner's scoring modes wrote: one Score array per row.</summary>
    public static float[][] ReadScores(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int rows = reader.ReadInt32(), width = reader.ReadInt32();
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, width).Select(_ => reader.ReadSingle()).ToArray()).ToArray();
    }

    /// <summary>Asserts that the runner's scores equal <paramref name="expected"/> bit for bit.</summary>
    public static void AssertBitwiseEqual(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.HasCount(expected[i].Length, actual[i]);
            for (int j = 0; j < expected[i].Length; j++)
                Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i][j]), BitConverter.SingleToInt32Bits(actual[i][j]), $"row {i}, value {j}");
        }
    }
}
