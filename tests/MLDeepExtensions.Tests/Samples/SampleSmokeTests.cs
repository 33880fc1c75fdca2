using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Samples;

/// <summary>
/// Runs every program under samples/ with the smallest budget (one epoch, a few hundred rows) and checks that it
/// exits with 0 and prints its key line. The samples are built with this project (see its ProjectReferences).
/// </summary>
[TestClass]
[TestCategory("Samples")]
public sealed class SampleSmokeTests
{
    [TestMethod]
    public void FashionMnistMlp_TinyBudget_TrainsSavesAndReloads()
    {
        string output = RunSample("FashionMnistMlp", "--epochs", "1", "--subset", "--max-train", "300");
        StringAssert.Contains(output, "Test set: micro accuracy");
        StringAssert.Contains(output, "Predictions of the reloaded model:");
    }

    [TestMethod]
    public void OptimizerComparison_TinyBudget_PrintsSummaryAndWritesPlot()
    {
        string output = RunSample("OptimizerComparison", "--epochs", "1", "--subset", "--max-train", "300");
        foreach (string optimizer in new[] { "SGD", "Momentum", "Nesterov", "Adadelta", "RMSProp", "Adam" })
            StringAssert.Contains(output, $"{optimizer} finished: test accuracy");
        AssertFileWritten(output, "Loss curves written to ", "optimizer-loss-curves.png");
    }

    [TestMethod]
    public void LearningRateFinder_TinyBudget_SweepsPlotsAndTrainsAtTheSuggestion()
    {
        string output = RunSample("LearningRateFinder", "--epochs", "1", "--subset", "--max-train", "300");
        StringAssert.Contains(output, "steps from learning rate 1E-06");
        AssertFileWritten(output, "Loss against learning rate written to ", "learning-rate-finder.png");
        StringAssert.Contains(output, "at the suggested learning rate");
    }

    [TestMethod]
    public void DataFramePipeline_TinyBudget_CleansEvaluatesAndAddsPredictions()
    {
        string output = RunSample("DataFramePipeline", "--epochs", "1", "--max-train", "60");
        StringAssert.Contains(output, "After dropping unmeasured birds and filling sex: 342 rows, 0 missing values.");
        StringAssert.Contains(output, "Test set (2009): R²");
        StringAssert.Contains(output, "predicted_g");
    }

    [TestMethod]
    public void AnomalyDetection_TinyBudget_EvaluatesAndWritesReconstructions()
    {
        string output = RunSample("AnomalyDetection", "--epochs", "1", "--subset", "--max-train", "100");
        StringAssert.Contains(output, "Test set: AUC");
        StringAssert.Contains(output, "Most anomalous test images:");
        AssertFileWritten(output, "Originals and reconstructions written to ", "reconstructions.png");
    }

    [TestMethod]
    public void FashionMnistCnn_TinyBudget_TrainsSavesAndReloads()
    {
        string output = RunSample("FashionMnistCnn", "--epochs", "1", "--subset", "--max-train", "200");
        StringAssert.Contains(output, "epoch  1: train loss");
        StringAssert.Contains(output, "Test set: micro accuracy");
        StringAssert.Contains(output, "Predictions of the reloaded model:");
    }

    [TestMethod]
    public void SequenceForecasting_TinyBudget_EvaluatesAgainstNaiveAndForecastsWithIntervals()
    {
        string output = RunSample("SequenceForecasting", "--epochs", "2", "--max-train", "50");
        StringAssert.Contains(output, "Training on 50 windows of 36 months, 2 epochs");
        StringAssert.Contains(output, "forecast origins × 12 months");
        StringAssert.Contains(output, "seasonal-naive");
        StringAssert.Contains(output, "80% interval:");
        StringAssert.Contains(output, "Reloaded model, forecasts for 2002-01 – 2002-12 (80% interval):");
    }

    [TestMethod]
    public void GlobalForecasting_TinyBudget_EvaluatesEverySeriesAndForecastsEachFromTheReloadedModel()
    {
        string output = RunSample("GlobalForecasting", "--epochs", "2", "--max-train", "50");
        StringAssert.Contains(output, "417 training windows of 24 months");
        StringAssert.Contains(output, "Training one network for all three, 2 epochs");
        foreach (string series in new[] { "DriversKilled", "front", "rear" })
            Assert.AreEqual(2, System.Text.RegularExpressions.Regex.Matches(output, $@"^\s+{series}\s", System.Text.RegularExpressions.RegexOptions.Multiline).Count, output);
        StringAssert.Contains(output, "Reloaded model, forecasts for 1985-01 – 1985-06 (80% interval):");
    }

    [TestMethod]
    public void ImageFolderStreaming_TinyBudget_StreamsFromImageFilesAndEvaluates()
    {
        string output = RunSample("ImageFolderStreaming", "--epochs", "1", "--subset", "--max-train", "300");
        StringAssert.Contains(output, "as 1300 PNG files");
        StringAssert.Contains(output, "Streamed training data, epoch 1: 300 rows");
        StringAssert.Contains(output, "Test set: micro accuracy");
    }

    /// <summary>Runs samples/NAME/bin/CONFIGURATION/TFM/NAME.dll with dotnet and returns stdout and stderr.</summary>
    [TestMethod]
    public void OnnxDeployment_TinyBudget_ExportsAndServesWithOnnxRuntimeAlone()
    {
        string output = RunSample("OnnxDeployment/Train", "--epochs", "1", "--subset", "--max-train", "300");
        StringAssert.Contains(output, "of 1000 test images.");
        var agreement = System.Text.RegularExpressions.Regex.Match(output, @"agree on (\d+) of 1000");
        Assert.AreEqual("1000", agreement.Groups[1].Value, output);
        string model = System.Text.RegularExpressions.Regex.Match(output, @"Exported to (.+\.onnx) \(").Groups[1].Value;
        Assert.IsTrue(File.Exists(model), output);

        string served = RunSample("OnnxDeployment/Serve", model);
        StringAssert.Contains(served, "Execution provider: ");
        StringAssert.Contains(served, "1000 test images: accuracy");
    }

    private static string RunSample(string name, params string[] args)
    {
        var start = ModelRunnerProcess.StartInfo(ModelRunnerProcess.SampleProgram(name), args);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        bool exited = process.WaitForExit(180_000);
        if (!exited)
            process.Kill(entireProcessTree: true);
        string output = stdout.Result + stderr.Result;
        Console.WriteLine($"{name} {string.Join(' ', args)}: exit {(exited ? process.ExitCode : -1)} after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.IsTrue(exited, $"{name} did not finish within 3 minutes. Output so far:\n{output}");
        Assert.AreEqual(0, process.ExitCode, output);
        return output;
    }

    /// <summary>Checks that the line starting with <paramref name="prefix"/> names an existing, non-empty file.</summary>
    private static void AssertFileWritten(string output, string prefix, string fileName)
    {
        int at = output.IndexOf(prefix, StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, at, $"no line starting '{prefix}' in:\n{output}");
        string path = output[(at + prefix.Length)..].Split('\n')[0].Trim();
        StringAssert.EndsWith(path, fileName);
        Assert.IsTrue(new FileInfo(path).Length > 1000, $"{path} is missing or nearly empty");
    }
}
