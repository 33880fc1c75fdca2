using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace MLDeepExtensions.Tests.Training;

[TestClass]
public sealed class TrainingLoopTests
{
    private static (MLContext Ml, IDataView Data) Generated(int rows = 400)
    {
        var ml = new MLContext(seed: 5);
        return (ml, ml.Data.LoadFromEnumerable(TestData.Generate(rows, seed: 21)));
    }

    private sealed class Recorder : TrainingCallback
    {
        public readonly List<string> Calls = new();

        public override void OnTrainingBegin(TrainingContext context) => Calls.Add("begin");

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => Calls.Add($"epoch {metrics.Epoch} ({context.History.Count} in history)");

        public override void OnTrainingEnd(TrainingContext context) => Calls.Add("end");
    }

    private sealed class StopAfter(int epoch) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            if (metrics.Epoch == epoch)
                context.RequestStop();
        }
    }

    private sealed class CancelAfterFirstEpoch(CancellationTokenSource source) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => source.Cancel();
    }

    private sealed class SyncProgress(List<EpochMetrics> sink) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value) => sink.Add(value);
    }

    [TestMethod]
    public void Callbacks_SeeEveryEpochInOrder_AndCanStopTraining()
    {
        var (ml, data) = Generated();
        var recorder = new Recorder();
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 10);
        options.Callbacks.Add(recorder);
        options.Callbacks.Add(new StopAfter(3));
        var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);

        CollectionAssert.AreEqual(new[] { "begin", "epoch 1 (1 in history)", "epoch 2 (2 in history)", "epoch 3 (3 in history)", "end" }, recorder.Calls);
        Assert.HasCount(3, model.History);
    }

    [TestMethod]
    public void Progress_ReportsEveryEpoch_AndLogGetsThem()
    {
        var (ml, data) = Generated();
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var reports = new List<EpochMetrics>();
        var options = TestData.Tiny(nameof(GeneratedRow.Positive), epochs: 4);
        options.ValidationFraction = 0.25f;
        options.Progress = new SyncProgress(reports);
        var model = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data);

        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(reports.All(r => r.ValidationLoss is > 0 && r.ValidationMetric is >= 0 and <= 1 && r.LearningRate == 0.01));
        Assert.IsTrue(reports.Zip(reports.Skip(1)).All(p => p.Second.Elapsed >= p.First.Elapsed));
        Assert.IsLessThan(reports[0].TrainingLoss, reports[^1].TrainingLoss, "training loss should fall");
        CollectionAssert.AreEqual(reports, model.History.ToList());
        Assert.AreEqual(4, log.Count(m => m.Contains("Source=DeepNetworkEstimator") && m.Contains("] epoch ")), "each epoch logged under the estimator's name");
    }

    [TestMethod]
    public void EarlyStopping_StopsAfterPatience_AndRestoresBestWeights()
    {
        var (ml, data) = Generated();
        var validation = ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 99));
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 30);
        options.ValidationData = validation;
        // A learning rate this high makes the validation loss wander; no later epoch may beat the best by 0.5.
        options.Optimizer = OptimizerSettings.Sgd(0.05);
        options.EarlyStopping = new EarlyStoppingOptions { Patience = 2, MinDelta = 0.5, RestoreBestWeights = true };
        var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);

        var history = model.History;
        Assert.IsTrue(history.StoppedEarly);
        Assert.IsLessThan(30, history.Count);
        // With patience 2 the run ends 2 epochs after the selected (best) one, which is not the last.
        Assert.AreEqual(history.Count - 2, history.SelectedEpoch);
        // The model holds the selected epoch's weights: its validation MSE is that epoch's (in the label's units; the loss is
        // in standardized units).
        double mse = ml.Regression.Evaluate(model.Transform(validation), nameof(GeneratedRow.Target)).MeanSquaredError;
        Assert.AreEqual(history[history.SelectedEpoch - 1].ValidationMetrics["MeanSquaredError"], mse, 1e-4);
        Assert.AreNotEqual(history[^1].ValidationMetrics["MeanSquaredError"], mse, 1e-6);
    }

    [TestMethod]
    public void Schedule_StepDecay_ChangesTheLearningRateBetweenEpochs()
    {
        var (ml, data) = Generated(100);
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 5);
        options.Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.01, Schedule = LearningRateSchedule.StepDecay(2, 0.5) };
        var history = ml.Regression.Trainers.DeepNetwork(options).Fit(data).History;
        CollectionAssert.AreEqual(new[] { 0.01, 0.01, 0.005, 0.005, 0.0025 }, history.Select(h => Math.Round(h.LearningRate, 6)).ToArray());
    }

    [TestMethod]
    public void SameSeed_SameModel_DifferentSeed_DifferentModel()
    {
        (byte[] Network, float[] Scores) Fit(int seed)
        {
            var (ml, data) = Generated(200);
            var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 2);
            options.Seed = seed;
            using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
            return (TestData.SavedNetwork(ml, model, data.Schema), TestData.ReadScores(model.Transform(data)).SelectMany(x => x).ToArray());
        }
        var a = Fit(1);
        var b = Fit(1);
        var c = Fit(2);
        // Bitwise: every saved weight byte and every score.
        CollectionAssert.AreEqual(a.Network, b.Network);
        CollectionAssert.AreEqual(a.Scores, b.Scores);
        CollectionAssert.AreNotEqual(a.Network, c.Network);
        CollectionAssert.AreNotEqual(a.Scores, c.Scores);
    }

    [TestMethod]
    public void Cancellation_MidFit_ThrowsAndFreesEveryTensor()
    {
        var (ml, data) = Generated();
        torch.InitializeDeviceType(DeviceType.CPU);
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using var source = new CancellationTokenSource();
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 50);
        options.CancellationToken = source.Token;
        options.Callbacks.Add(new CancelAfterFirstEpoch(source));
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Regression.Trainers.DeepNetwork(options).Fit(data));
        Assert.AreEqual(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount, "tensors left alive after a cancelled fit");
    }

    [TestMethod]
    public void ClassWeights_FavourTheWeightedClass()
    {
        var (ml, data) = Generated();
        double PositiveRate(float[]? weights)
        {
            var options = TestData.Tiny(nameof(GeneratedRow.Positive), epochs: 5);
            options.ClassWeights = weights;
            var scored = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data).Transform(data);
            return scored.GetColumn<bool>("PredictedLabel").Average(p => p ? 1.0 : 0.0);
        }
        double plain = PositiveRate(null);
        double favoured = PositiveRate(new[] { 1f, 20f });
        Assert.IsGreaterThan(plain + 0.1, favoured, $"positive rate {plain} → {favoured}");
    }

    [TestMethod]
    public void ClassWeights_WrongCount_Throws()
    {
        var (ml, data) = Generated(50);
        var options = TestData.Tiny(nameof(GeneratedRow.Positive), epochs: 1);
        options.ClassWeights = new[] { 1f, 2f, 3f };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data));
        StringAssert.Contains(error.Message, "ClassWeights has 3 entries but the label has 2 classes");
    }

    [TestMethod]
    public void GradientClipNorm_BoundsEachSgdStep()
    {
        var (ml, data) = Generated(64);
        var capture = new WeightCapture();
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1);
        options.BatchSize = 64;
        options.Shuffle = false;
        options.Optimizer = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 1.0, GradientClipNorm = 0.01 };
        options.Callbacks.Add(capture);
        ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        // One batch, one SGD step of learning rate 1: the weights moved by exactly the clipped gradient, norm ≤ 0.01.
        Assert.IsLessThanOrEqualTo(0.01 + 1e-6, capture.StepNorm);
        Assert.IsGreaterThan(0.001, capture.StepNorm);
    }

    private sealed class WeightCapture : TrainingCallback
    {
        private float[]? _before;

        public double StepNorm { get; private set; }

        private static float[] Flatten(TrainingContext context)
            => context.Module.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

        public override void OnTrainingBegin(TrainingContext context) => _before = Flatten(context);

        public override void OnTrainingEnd(TrainingContext context)
            => StepNorm = Math.Sqrt(Flatten(context).Zip(_before!).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
    }
}
