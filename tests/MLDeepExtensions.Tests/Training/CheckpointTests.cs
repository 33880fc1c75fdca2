using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Training;

/// <summary>
/// Checkpoints in one process: a fit stopped after an epoch and resumed ends exactly like an uninterrupted one for every
/// optimizer; files are rotated and written atomically; damaged, newer and mismatched checkpoints get clear errors.
/// (Killed processes: <see cref="CheckpointKillTests"/>.)
/// </summary>
[TestClass]
public sealed class CheckpointTests
{
    private static readonly MLContext Ml = new(seed: 1);
    private static IDataView? _data;
    private string _folder = "";

    private static IDataView Data
        => _data ??= Ml.Transforms.Conversion.MapValueToKey("Class").Fit(Ml.Data.LoadFromEnumerable(TestData.Generate(300, seed: 5)))
            .Transform(Ml.Data.LoadFromEnumerable(TestData.Generate(300, seed: 5)));

    [TestInitialize]
    public void CreateFolder() => _folder = Path.Combine(Path.GetTempPath(), $"mlde-checkpoints-{Guid.NewGuid():N}");

    [TestCleanup]
    public void DeleteFolder()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Dropout, batch norm, a validation split, a stateful schedule and early stopping with restored weights: everything a checkpoint must carry.</summary>
    private static DeepNetworkOptions Options(OptimizerKind kind = OptimizerKind.Adam, CheckpointOptions? checkpoints = null) => new()
    {
        LabelColumnName = "Class",
        Architecture = new MlpArchitecture(32, 16) { Dropout = 0.2f, BatchNormalization = true },
        Optimizer = new OptimizerSettings { Kind = kind, LearningRate = kind == OptimizerKind.Adadelta ? 1.0 : 0.01, Schedule = LearningRateSchedule.ReduceOnPlateau(0.5, patience: 0) },
        Epochs = 6,
        BatchSize = 32,
        ValidationFraction = 0.2f,
        EarlyStopping = new EarlyStoppingOptions { Patience = 10 },
        Seed = 4,
        Checkpoints = checkpoints,
    };

    private static DeepNetworkTransformer Fit(DeepNetworkOptions options) => Ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(Data);

    /// <summary>Fits with checkpoints and cancels the fit once epoch <paramref name="epoch"/> has ended (and its checkpoint is written).</summary>
    private void FitAndStopAfter(int epoch, DeepNetworkOptions options)
    {
        using var cancel = new CancellationTokenSource();
        options.CancellationToken = cancel.Token;
        options.Callbacks.Add(new CancelAfter(epoch, cancel));
        Assert.ThrowsExactly<OperationCanceledException>(() => Fit(options));
    }

    private static string History(TrainingHistory history)
        => string.Join(";", history.Select(m => FormattableString.Invariant($"{m.Epoch},{m.TrainingLoss:R},{m.ValidationLoss:R},{m.ValidationMetric:R},{m.LearningRate:R}")))
           + $";{history.SelectedEpoch},{history.StoppedEarly}";

    [TestMethod]
    [DataRow(OptimizerKind.Sgd)]
    [DataRow(OptimizerKind.SgdMomentum)]
    [DataRow(OptimizerKind.Nesterov)]
    [DataRow(OptimizerKind.Adadelta)]
    [DataRow(OptimizerKind.RmsProp)]
    [DataRow(OptimizerKind.Adam)]
    [DataRow(OptimizerKind.AdamW)]
    public void StoppedAndResumed_EqualsUninterrupted(OptimizerKind kind)
    {
        using var uninterrupted = Fit(Options(kind));
        FitAndStopAfter(3, Options(kind, new CheckpointOptions(_folder)));
        using var resumed = Fit(Options(kind, new CheckpointOptions(_folder) { Resume = true }));

        CollectionAssert.AreEqual(TestData.SavedNetwork(Ml, uninterrupted, Data.Schema), TestData.SavedNetwork(Ml, resumed, Data.Schema), "weights");
        Assert.AreEqual(History(uninterrupted.History), History(resumed.History), "history");
        Assert.HasCount(6, resumed.History);
    }

    [TestMethod]
    public void Checkpoints_EveryFourEpochsAndTheLast_KeepingTwo_NoTemporaryFiles()
    {
        using var model = Fit(Options(checkpoints: new CheckpointOptions(_folder) { EveryEpochs = 4, KeepLast = 2 }) with { Epochs = 9 });
        var files = Directory.GetFiles(_folder).Select(Path.GetFileName).Order().ToArray();
        CollectionAssert.AreEqual(new[] { "epoch-000008.checkpoint", "epoch-000009.checkpoint" }, files);
    }

    [TestMethod]
    public void OnImprovement_WritesWhenTheMonitoredLossImproves()
    {
        var checkpoints = new CheckpointOptions(_folder) { EveryEpochs = 0, OnImprovement = true, KeepLast = 100 };
        using var model = Fit(Options(checkpoints: checkpoints));
        var expected = new List<int>();
        double best = double.PositiveInfinity;
        foreach (var m in model.History)
        {
            if (m.ValidationLoss!.Value < best)
            {
                best = m.ValidationLoss.Value;
                expected.Add(m.Epoch);
            }
        }
        var written = Directory.GetFiles(_folder).Select(f => int.Parse(Path.GetFileName(f)[6..12])).Order().ToArray();
        CollectionAssert.AreEqual(expected, written);
    }

    [TestMethod]
    public void Resume_EmptyFolder_StartsANewFit_AndAFinishedFitReturnsAtOnce()
    {
        using var plain = Fit(Options());
        using var first = Fit(Options(checkpoints: new CheckpointOptions(_folder) { Resume = true }));
        CollectionAssert.AreEqual(TestData.SavedNetwork(Ml, plain, Data.Schema), TestData.SavedNetwork(Ml, first, Data.Schema));

        var stamp = File.GetLastWriteTimeUtc(Path.Combine(_folder, "epoch-000006.checkpoint"));
        using var again = Fit(Options(checkpoints: new CheckpointOptions(_folder) { Resume = true }));
        CollectionAssert.AreEqual(TestData.SavedNetwork(Ml, plain, Data.Schema), TestData.SavedNetwork(Ml, again, Data.Schema));
        Assert.AreEqual(History(plain.History), History(again.History));
        Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(Path.Combine(_folder, "epoch-000006.checkpoint")), "nothing was trained or written again");
    }

    [TestMethod]
    public void EarlyStoppedFit_ResumesToTheSameRestoredWeights()
    {
        DeepNetworkOptions Stopping(CheckpointOptions? checkpoints) => Options(checkpoints: checkpoints) with
        {
            Epochs = 30,
            EarlyStopping = new EarlyStoppingOptions { Patience = 2, Monitor = EarlyStoppingMonitor.TrainingLoss, MinDelta = 0.05 },
        };
        using var uninterrupted = Fit(Stopping(null));
        Assert.IsTrue(uninterrupted.History.StoppedEarly, "the recipe stops early");
        FitAndStopAfter(2, Stopping(new CheckpointOptions(_folder)));
        using var resumed = Fit(Stopping(new CheckpointOptions(_folder) { Resume = true }));
        CollectionAssert.AreEqual(TestData.SavedNetwork(Ml, uninterrupted, Data.Schema), TestData.SavedNetwork(Ml, resumed, Data.Schema));
        Assert.AreEqual(History(uninterrupted.History), History(resumed.History));
    }

    [TestMethod]
    public void DamagedLatest_ResumesFromThePreviousOne_AllDamaged_IsAnError()
    {
        using var uninterrupted = Fit(Options());
        FitAndStopAfter(3, Options(checkpoints: new CheckpointOptions(_folder)));
        string latest = Path.Combine(_folder, "epoch-000003.checkpoint");
        var bytes = File.ReadAllBytes(latest);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(latest, bytes);

        // Epoch 2's checkpoint carries on to the same end.
        using (var resumed = Fit(Options(checkpoints: new CheckpointOptions(_folder) { Resume = true })))
            CollectionAssert.AreEqual(TestData.SavedNetwork(Ml, uninterrupted, Data.Schema), TestData.SavedNetwork(Ml, resumed, Data.Schema));

        foreach (string file in Directory.GetFiles(_folder))
            File.WriteAllBytes(file, File.ReadAllBytes(file)[..100]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Fit(Options(checkpoints: new CheckpointOptions(_folder) { Resume = true })));
        StringAssert.Contains(error.Message, "No checkpoint in");
        StringAssert.Contains(error.Message, "truncated");
    }

    [TestMethod]
    public void NewerFormat_IsAnErrorThatSaysSo()
    {
        FitAndStopAfter(1, Options(checkpoints: new CheckpointOptions(_folder)));
        string file = Path.Combine(_folder, "epoch-000001.checkpoint");
        var bytes = File.ReadAllBytes(file);
        BitConverter.GetBytes(99).CopyTo(bytes, 8);
        File.WriteAllBytes(file, bytes);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Fit(Options(checkpoints: new CheckpointOptions(_folder) { Resume = true })));
        StringAssert.Contains(error.Message, "newer than this version of MLDeepExtensions");
    }

    [TestMethod]
    public void Resume_WithOtherOptionsDataOrArchitecture_IsRefusedNamingTheDifference()
    {
        FitAndStopAfter(2, Options(checkpoints: new CheckpointOptions(_folder)));
        var resume = new CheckpointOptions(_folder) { Resume = true };

        var batch = Assert.ThrowsExactly<InvalidOperationException>(() => Fit(Options(checkpoints: resume) with { BatchSize = 16 }));
        StringAssert.Contains(batch.Message, "BatchSize: the checkpoint has 32; now 16");

        var architecture = Assert.ThrowsExactly<InvalidOperationException>(() => Fit(Options(checkpoints: resume) with { Architecture = new MlpArchitecture(32, 8) }));
        StringAssert.Contains(architecture.Message, "architecture: the checkpoint has MLP");

        var otherRows = Ml.Transforms.Conversion.MapValueToKey("Class").Fit(Ml.Data.LoadFromEnumerable(TestData.Generate(300, seed: 5))).Transform(Ml.Data.LoadFromEnumerable(TestData.Generate(300, seed: 6)));
        var data = Assert.ThrowsExactly<InvalidOperationException>(() => Ml.MulticlassClassification.Trainers.DeepNetwork(Options(checkpoints: resume)).Fit(otherRows));
        StringAssert.Contains(data.Message, "training data: the checkpoint has 240 rows, contents");
    }

    [TestMethod]
    public void NewFit_IntoAFolderWithCheckpoints_IsAnError_UnwritableFolder_IsAnError()
    {
        FitAndStopAfter(1, Options(checkpoints: new CheckpointOptions(_folder)));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Fit(Options(checkpoints: new CheckpointOptions(_folder))));
        StringAssert.Contains(error.Message, "Resume = true");

        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "not a folder");
        var unwritable = Assert.ThrowsExactly<IOException>(() => Fit(Options(checkpoints: new CheckpointOptions(Path.Combine(file, "checkpoints")))));
        StringAssert.Contains(unwritable.Message, "Checkpoints.Directory");
    }

    [TestMethod]
    public void InvalidCheckpointOptions_AreListed()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.MulticlassClassification.Trainers.DeepNetwork(
            Options(checkpoints: new CheckpointOptions(" ") { KeepLast = 0, EveryEpochs = -1 })));
        StringAssert.Contains(error.Message, "Checkpoints.Directory is empty");
        StringAssert.Contains(error.Message, "Checkpoints.KeepLast is 0");
        StringAssert.Contains(error.Message, "Checkpoints.EveryEpochs is -1");
    }

    private sealed class CancelAfter(int epoch, CancellationTokenSource cancel) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            if (metrics.Epoch == epoch)
                cancel.Cancel();
        }
    }
}
