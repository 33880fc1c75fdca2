using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Training;

namespace MLDeepExtensions.Tests.Training;

[TestClass]
public sealed class ProgressDisplayTests
{
    private const int Epochs = 3;

    private sealed class SyncProgress(List<EpochMetrics> sink) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value) => sink.Add(value);
    }

    /// <summary>Fits the tiny regression network for <see cref="Epochs"/> epochs on 400 rows, its console progress captured.</summary>
    private static (string Console, List<string> Log) Fit(ProgressDisplay show, bool interactive, IProgress<EpochMetrics>? progress = null)
    {
        var ml = new MLContext(seed: 5);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(400, seed: 21));
        var console = new StringWriter();
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: Epochs);
        options.ValidationFraction = 0.2f;
        options.ShowProgress = show;
        options.Progress = progress;
        options.ProgressOutput = new ConsoleProgressBar.Output(console, interactive);
        using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        return (console.ToString(), log);
    }

    [TestMethod]
    public void Auto_InteractiveConsole_DrawsABarPerEpoch_EndingWithLossAndThroughput()
    {
        var (console, _) = Fit(ProgressDisplay.Auto, interactive: true);

        Console.WriteLine(console.Replace("\r", "\\r\n", StringComparison.Ordinal));
        var lines = console.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(Epochs, lines);
        // 320 training rows in batches of 32: 10 batches.
        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            StringAssert.StartsWith(lines[epoch - 1], "\r", "the bar is drawn in place");
            string final = lines[epoch - 1].Split('\r')[^1].TrimEnd();
            StringAssert.Matches(final, new Regex($@"^Epoch {epoch}/{Epochs} \[={{30}}\] 10/10, loss \d+\.\d{{4}}, val loss \d+\.\d{{4}}, .*, [\d,]+ rows/s, \d+\.\ds$"));
        }
    }

    [TestMethod]
    public void Bar_Redirected_WritesOnePlainLinePerEpoch()
    {
        var (console, _) = Fit(ProgressDisplay.Bar, interactive: false);

        Console.WriteLine(console);
        Assert.DoesNotContain("\r", console, "a redirected console gets no carriage returns");
        var lines = console.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(Epochs, lines);
        for (int epoch = 1; epoch <= Epochs; epoch++)
            StringAssert.Matches(lines[epoch - 1], new Regex($@"^Epoch {epoch}/{Epochs}: 10 batches, loss \d+\.\d{{4}}, .*, [\d,]+ rows/s, \d+\.\ds$"));
    }

    [TestMethod]
    public void Lines_InteractiveConsole_WritesOnePlainLinePerEpoch()
    {
        var (console, _) = Fit(ProgressDisplay.Lines, interactive: true);

        Assert.DoesNotContain("\r", console);
        Assert.HasCount(Epochs, console.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [TestMethod]
    public void Auto_WithTheCallersProgress_WritesNothing()
    {
        var reports = new List<EpochMetrics>();
        var (console, _) = Fit(ProgressDisplay.Auto, interactive: true, new SyncProgress(reports));

        Assert.AreEqual("", console);
        Assert.HasCount(Epochs, reports);
        Assert.IsTrue(reports.All(r => r.RowsPerSecond > 0), "the caller's progress gets the throughput");
    }

    [TestMethod]
    public void Auto_Redirected_WritesNothing()
        => Assert.AreEqual("", Fit(ProgressDisplay.Auto, interactive: false).Console);

    [TestMethod]
    public void None_InteractiveConsole_WritesNothing()
        => Assert.AreEqual("", Fit(ProgressDisplay.None, interactive: true).Console);

    [TestMethod]
    public void Log_EveryEpochLineCarriesRowsPerSecond()
    {
        var (_, log) = Fit(ProgressDisplay.None, interactive: false);

        var epochLines = log.Where(m => Regex.IsMatch(m, @"epoch \d+: loss")).ToList();
        foreach (string line in epochLines)
            Console.WriteLine(line);
        Assert.HasCount(Epochs, epochLines);
        Assert.IsTrue(epochLines.All(line => Regex.IsMatch(line, @", [\d,]+ rows/s, \d+\.\ds$")), string.Join("\n", epochLines));
    }

    [TestMethod]
    public void Batches_MatchWhatTheLoopRuns()
    {
        // A last batch of one row is left out unless it is the only row (InMemoryBatchSource.ForEachTrainingBatch).
        Assert.AreEqual(10, ProgressCallback.Batches(320, 32));
        Assert.AreEqual(10, ProgressCallback.Batches(321, 32));
        Assert.AreEqual(11, ProgressCallback.Batches(322, 32));
        Assert.AreEqual(1, ProgressCallback.Batches(1, 32));
        Assert.AreEqual(1, ProgressCallback.Batches(20, 32));
    }

    [TestMethod]
    public void ShowProgress_Undefined_FailsValidationNamingIt()
    {
        var options = TestData.Tiny(nameof(GeneratedRow.Target));
        options.ShowProgress = (ProgressDisplay)7;
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Regression.Trainers.DeepNetwork(options));
        StringAssert.Contains(error.Message, "ShowProgress is 7");
    }
}
