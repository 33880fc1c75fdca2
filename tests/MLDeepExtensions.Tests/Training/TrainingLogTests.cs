using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Training;

[TestClass]
public sealed class TrainingLogTests
{
    private static readonly List<string> Folders = [];

    /// <summary>A fresh temporary folder, deleted when the class's tests have run.</summary>
    private static string NewFolder()
    {
        string folder = Directory.CreateTempSubdirectory("mlde-logs-").FullName;
        lock (Folders)
            Folders.Add(folder);
        return folder;
    }

    [ClassCleanup]
    public static void DeleteFolders()
    {
        lock (Folders)
        {
            foreach (var folder in Folders.Where(Directory.Exists))
                Directory.Delete(folder, recursive: true);
            Folders.Clear();
        }
    }

    /// <summary>Fits a tiny classifier with validation rows and the given callbacks.</summary>
    private static DeepNetworkTransformer Fit(params TrainingCallback[] callbacks)
    {
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 9));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", nameof(GeneratedRow.Class)).Fit(data).Transform(data);
        var options = TestData.Tiny("Label", epochs: 3) with { ValidationFraction = 0.25f, FrozenLayers = LayerSelection.First(1) };
        foreach (var callback in callbacks)
            options.Callbacks.Add(callback);
        return ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(keyed);
    }

    [TestMethod]
    public void TensorBoard_Fit_WritesOneScalarEventPerEpoch_EqualToTheHistory_WithHistograms()
    {
        string folder = NewFolder();
        var callback = new TensorBoardCallback(Path.Combine(folder, "run"), histograms: true);
        using var model = Fit(callback);
        var files = Directory.GetFiles(Path.Combine(folder, "run"));
        Assert.AreEqual(1, files.Length);
        Assert.AreEqual(callback.EventFile, files[0]);
        StringAssert.Contains(Path.GetFileName(files[0]), "tfevents");

        var events = EventFileReader.Read(files[0]);
        Assert.AreEqual("brain.Event:2", events[0].FileVersion);
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        Assert.IsTrue(events.All(e => e.WallTime > now - 3600 && e.WallTime <= now + 1), "wall times are seconds since 1970");

        var scalars = events.Where(e => e.Scalars.Count > 0).ToList();
        CollectionAssert.AreEqual(model.History.Select(m => (long)m.Epoch).ToArray(), scalars.Select(e => e.Step).ToArray());
        foreach (var (metrics, written) in model.History.Zip(scalars))
        {
            var expected = new Dictionary<string, float>
            {
                ["training/loss"] = (float)metrics.TrainingLoss,
                ["validation/loss"] = (float)metrics.ValidationLoss!.Value,
                ["validation/metric"] = (float)metrics.ValidationMetric!.Value,
                ["learning_rate"] = (float)metrics.LearningRate,
            };
            foreach (var (name, value) in metrics.ValidationMetrics)
                expected["validation/" + name] = (float)value;
            CollectionAssert.AreEquivalent(expected.Keys.ToArray(), written.Scalars.Keys.ToArray());
            foreach (var (tag, value) in expected)
                Assert.AreEqual(value, written.Scalars[tag], $"epoch {metrics.Epoch}, {tag}");
        }

        // Histograms: every weight each epoch; gradients of the weights that train (the first layer was frozen).
        var histograms = events.Where(e => e.Histograms.Count > 0).ToList();
        Assert.AreEqual(3, histograms.Count);
        var last = histograms[^1].Histograms;
        Assert.IsTrue(last.ContainsKey("weights/layers.hidden0.weight") && last.ContainsKey("weights/layers.output.bias"));
        Assert.IsFalse(last.ContainsKey("gradients/layers.hidden0.weight"), "a frozen layer has no gradient");
        Assert.IsTrue(last.ContainsKey("gradients/layers.output.weight"));
        var output = last["weights/layers.output.weight"];
        Assert.AreEqual(16 * model.OutputSize, output.Num, "the output layer maps 16 values to the classes");
        Assert.AreEqual(output.Num, output.Buckets.Sum());
        Assert.AreEqual(output.Max, output.BucketLimits[^1]);
        Assert.IsTrue(output.Min < output.Max);
    }

    [TestMethod]
    public void Csv_Fit_ReadsBackAsTheHistory()
    {
        string path = Path.Combine(NewFolder(), "logs", "training.csv");
        using var model = Fit(new CsvLogCallback(path));
        var lines = File.ReadAllLines(path);
        Assert.AreEqual("Epoch,TrainingLoss,ValidationLoss,ValidationMetric,LearningRate,ElapsedSeconds" +
            string.Concat(model.History[0].ValidationMetrics.Keys.Select(k => ",Validation" + k)), lines[0]);
        Assert.AreEqual(model.History.Count + 1, lines.Length);
        foreach (var (metrics, line) in model.History.Zip(lines.Skip(1)))
        {
            var cells = line.Split(',');
            Assert.AreEqual(metrics.Epoch, int.Parse(cells[0], CultureInfo.InvariantCulture));
            Assert.AreEqual(metrics.TrainingLoss, Parse(cells[1]));
            Assert.AreEqual(metrics.ValidationLoss, Parse(cells[2]));
            Assert.AreEqual(metrics.ValidationMetric, Parse(cells[3]));
            Assert.AreEqual(metrics.LearningRate, Parse(cells[4]));
            Assert.AreEqual(metrics.Elapsed.TotalSeconds, Parse(cells[5]));
            int column = 6;
            foreach (var value in metrics.ValidationMetrics.Values)
                Assert.AreEqual(value, Parse(cells[column++]));
        }
    }

    private static double? Parse(string cell) => cell.Length == 0 ? null : double.Parse(cell, CultureInfo.InvariantCulture);

    /// <summary>Runs a callback over a made-up history, as the training loop would.</summary>
    private static void Replay(TrainingCallback callback, params EpochMetrics[] epochs)
    {
        var history = new TrainingHistory();
        var context = new TrainingContext(history, epochs.Length, true, null!);
        callback.OnTrainingBegin(context);
        foreach (var metrics in epochs)
        {
            history.Add(metrics);
            callback.OnEpochEnd(context, metrics);
        }
        callback.OnTrainingEnd(context);
    }

    private static EpochMetrics Epoch(int epoch, params (string Name, double Value)[] metrics)
        => new(epoch, 1.0 / epoch, 2.0 / epoch, 0.5, 0.01, TimeSpan.FromSeconds(epoch)) { ValidationMetrics = metrics.ToDictionary(m => m.Name, m => m.Value) };

    [TestMethod]
    public void Csv_ColumnsAreFixedAtTheFirstEpoch_LaterMetricsAddNoColumns_MissingOnesLeaveEmptyCells()
    {
        string path = Path.Combine(NewFolder(), "history.csv");
        Replay(new CsvLogCallback(path), Epoch(1, ("Accuracy", 0.5), ("LogLoss", 0.9)), Epoch(2, ("Accuracy", 0.75), ("MicroAccuracy", 0.8)),
            Epoch(3) with { ValidationLoss = null, ValidationMetric = null });
        var lines = File.ReadAllLines(path);
        Assert.AreEqual("Epoch,TrainingLoss,ValidationLoss,ValidationMetric,LearningRate,ElapsedSeconds,ValidationAccuracy,ValidationLogLoss", lines[0]);
        Assert.AreEqual("1,1,2,0.5,0.01,1,0.5,0.9", lines[1]);
        Assert.AreEqual("2,0.5,1,0.5,0.01,2,0.75,", lines[2]);
        Assert.AreEqual("3,0.3333333333333333,,,0.01,3,,", lines[3]);
        Assert.IsTrue(lines.All(l => l.Count(c => c == ',') == 7), "every row has every column");
    }

    [TestMethod]
    public void TensorBoard_WritesEveryValidationMetric_AsItsOwnScalar()
    {
        string folder = NewFolder();
        var callback = new TensorBoardCallback(folder);
        Replay(callback, Epoch(1, ("Accuracy", 0.5), ("LogLoss", 0.9)), Epoch(2, ("Accuracy", 0.75)));
        var scalars = EventFileReader.Read(callback.EventFile!).Where(e => e.Scalars.Count > 0).ToList();
        Assert.AreEqual(0.9f, scalars[0].Scalars["validation/LogLoss"]);
        Assert.AreEqual(0.75f, scalars[1].Scalars["validation/Accuracy"]);
        Assert.IsFalse(scalars[1].Scalars.ContainsKey("validation/LogLoss"));
        Assert.AreEqual(2L, scalars[1].Step);
    }

    [TestMethod]
    public void LoggingOptions_BadPaths_FailWhenTheEstimatorIsCreated_NamingTheOption()
    {
        var ml = new MLContext();
        ArgumentException Invalid(TrainingLogOptions logging)
            => Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(TestData.Tiny("Target") with { Logging = logging }));
        StringAssert.Contains(Invalid(new TrainingLogOptions { CsvPath = "logs/a\0b.csv" }).Message, "Logging.CsvPath");
        StringAssert.Contains(Invalid(new TrainingLogOptions { TensorBoardDirectory = " " }).Message, "Logging.TensorBoardDirectory is empty");
        StringAssert.Contains(Invalid(new TrainingLogOptions()).Message, "sets neither");
        StringAssert.Contains(Invalid(new TrainingLogOptions { CsvPath = Path.GetTempPath() }).Message, "folder");
        StringAssert.Contains(Invalid(new TrainingLogOptions { Histograms = true, CsvPath = "a.csv" }).Message, "Logging.Histograms");
        Assert.AreEqual("path", Assert.ThrowsExactly<ArgumentException>(() => new CsvLogCallback("")).ParamName);
        Assert.AreEqual("logDirectory", Assert.ThrowsExactly<ArgumentException>(() => new TensorBoardCallback("runs\0")).ParamName);
    }

    [TestMethod]
    public void LoggingOptions_AskForOneFreshCallbackPerFile()
    {
        var callbacks = TrainingLogOptions.Callbacks(new TrainingLogOptions { TensorBoardDirectory = "runs/a", Histograms = true, CsvPath = "a.csv" }).ToList();
        Assert.AreEqual(2, callbacks.Count);
        Assert.IsTrue(callbacks[0] is TensorBoardCallback { LogDirectory: "runs/a", Histograms: true });
        Assert.IsTrue(callbacks[1] is CsvLogCallback { Path: "a.csv" });
        Assert.AreEqual(0, TrainingLogOptions.Callbacks(null).Count());
    }

    [TestMethod]
    public void LoggingOptions_Fit_WritesTheEventFileAndTheCsv()
    {
        string folder = NewFolder(), csv = Path.Combine(folder, "history.csv");
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(100, seed: 9));
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 2) with { Logging = new TrainingLogOptions { TensorBoardDirectory = folder, CsvPath = csv } };
        using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        var events = EventFileReader.Read(Directory.GetFiles(folder, "*tfevents*").Single());
        CollectionAssert.AreEqual(new[] { 1L, 2L }, events.Where(e => e.Scalars.Count > 0).Select(e => e.Step).ToArray());
        Assert.AreEqual(3, File.ReadAllLines(csv).Length);
    }
}
