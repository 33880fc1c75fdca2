using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Packaging;

/// <summary>
/// Runs nuget/consumer-check.sh: packs both packages into a local feed and builds and runs fresh console projects
/// that use them as a user would (train, save, load in a new MLContext, identical predictions). About 20–60 s.
/// </summary>
[TestClass]
public sealed class PackageConsumerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [TestMethod]
    [TestCategory("Packaging")]
    public async Task PublishedPackages_WorkInAFreshConsumerProject()
    {
        string? bash = FindOnPath("bash");
        if (bash is null)
            Assert.Inconclusive("bash is not on PATH; run nuget/consumer-check.sh where it is.");
        string script = Repository.File("nuget/consumer-check.sh");
        Assert.IsTrue(File.Exists(script), $"missing {script}");

        var start = new ProcessStartInfo(bash) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"consumer-check.sh did not finish within {Limit.TotalMinutes} minutes.\n{await output}\n{await errors}");
        }

        string log = await output + "\n" + await errors;
        Assert.AreEqual(0, process.ExitCode, log);
        StringAssert.Contains(log, "consumer check OK:", log);
        Console.WriteLine(log);
    }

    private static string? FindOnPath(string name)
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            foreach (string candidate in new[] { name, name + ".exe" })
            {
                string path = Path.Combine(folder, candidate);
                if (folder.Length > 0 && File.Exists(path))
                    return path;
            }
        }
        return null;
    }
}
