using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.ModelRunner;

namespace MLDeepExtensions.Tests.Training;

/// <summary>
/// The checkpoint guarantee: a fit killed with SIGKILL (in a child process) at any point — during an epoch, between
/// epochs, halfway through writing a checkpoint — and resumed, over and over, ends with the same weights, scores and
/// history as a fit that was never interrupted.
/// </summary>
[TestClass]
public sealed class CheckpointKillTests
{
    [TestMethod]
    public void KilledAtSixPointsAndResumed_EndsBitwiseLikeAnUninterruptedFit()
    {
        string root = Path.Combine(Path.GetTempPath(), $"mlde-kill-{Guid.NewGuid():N}");
        try
        {
            var reference = Result(ModelRunnerProcess.Run("checkpoint-fit", Path.Combine(root, "uninterrupted"), "none"));

            string folder = Path.Combine(root, "killed");
            // Each point is reached after resuming from what the kill before it left behind.
            string[] killPoints =
            [
                "batch:1:3", // before the first checkpoint: the resume starts a new fit
                "batch:3:2", // after the checkpoint of epoch 2
                "write:3",   // half of epoch 3's checkpoint written: the resume goes back to epoch 2's
                "batch:4:1", // after epoch 3 ran again
                "batch:5:6", // the last batch of epoch 5
                $"write:{CheckpointedFit.Epochs}", // halfway through the last checkpoint
            ];
            foreach (string point in killPoints)
                KillWhenPaused(point, folder);
            Assert.IsTrue(File.Exists(Path.Combine(folder, $"epoch-{CheckpointedFit.Epochs:D6}.checkpoint.tmp")), "the last kill left a half-written checkpoint");

            var resumed = Result(ModelRunnerProcess.Run("checkpoint-fit", folder, "none"));
            Assert.AreEqual(reference, resumed, "killed six times and resumed vs never interrupted");
            Assert.IsFalse(Directory.EnumerateFiles(folder).Any(f => f.EndsWith(".tmp", StringComparison.Ordinal)), "the half-written checkpoint was cleared");
            Assert.AreEqual(2, Directory.EnumerateFiles(folder, "*.checkpoint").Count(), "KeepLast = 2");

            // Resuming a finished fit returns its model at once.
            Assert.AreEqual(reference, Result(ModelRunnerProcess.Run("checkpoint-fit", folder, "none")), "a finished fit resumed");
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Starts the checkpointed fit with a pause point, waits until it is paused there, and kills it (SIGKILL).</summary>
    private static void KillWhenPaused(string point, string folder)
    {
        using var process = ModelRunnerProcess.Start("checkpoint-fit", folder, point);
        var error = process.StandardError.ReadToEndAsync();
        var paused = Task.Run(() =>
        {
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null)
            {
                if (line == "paused")
                    return true;
            }
            return false;
        });
        bool reached = paused.Wait(TimeSpan.FromMinutes(2)) && paused.Result;
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        Assert.IsTrue(reached, $"the fit did not reach kill point {point}: {error.Result}");
    }

    /// <summary>The network hash, score hash and history the runner printed.</summary>
    private static string Result(string output)
    {
        var lines = output.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("network-sha256=", StringComparison.Ordinal) || l.StartsWith("scores-sha256=", StringComparison.Ordinal) || l.StartsWith("history=", StringComparison.Ordinal))
            .ToArray();
        Assert.HasCount(3, lines, output);
        StringAssert.Contains(lines[2], $"{CheckpointedFit.Epochs},", "the history has every epoch");
        return string.Join("\n", lines);
    }
}
