using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Estimators;

/// <summary>An estimator copies and validates its options when it is created; option types are records.</summary>
[TestClass]
public sealed class OptionsOwnershipTests
{
    private sealed class CountingCallback : TrainingCallback
    {
        public int Epochs { get; private set; }

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => Epochs++;
    }

    [TestMethod]
    public void Estimator_ChangesToTheCallersOptionsAfterCreation_ChangeNothing()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 1));
        var before = new CountingCallback();
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 2);
        options.Callbacks.Add(before);
        var estimator = ml.Regression.Trainers.DeepNetwork(options);

        // Each of these would fail validation, or change the fit, had the estimator kept the caller's object.
        options.Epochs = 0;
        options.Architecture = new MlpArchitecture(-3);
        var after = new CountingCallback();
        options.Callbacks.Add(after);

        using var model = estimator.Fit(data);
        Assert.HasCount(2, model.History);
        Assert.AreEqual("MLP [32, 16] ReLU", model.Architecture.ToString());
        Assert.AreEqual(2, before.Epochs);
        Assert.AreEqual(0, after.Epochs, "a callback added afterwards is not the estimator's");
    }

    [TestMethod]
    public void EstimatorOptions_IsACopy_ChangingItChangesNothing()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.Autoencoder(new AutoencoderOptions { Epochs = 3 });
        estimator.Options.Epochs = 0;
        estimator.Options.Callbacks.Add(new CountingCallback());
        Assert.AreEqual(3, estimator.Options.Epochs);
        Assert.IsEmpty(estimator.Options.Callbacks);
    }

    [TestMethod]
    public void Architecture_OwnsItsLists_ChangingTheArrayPassedChangesNothing()
    {
        var layers = new[] { 8, 4 };
        var architecture = new MlpArchitecture { HiddenLayers = layers };
        layers[0] = -1;
        Assert.AreEqual("MLP [8, 4] ReLU", architecture.ToString());
    }

    [TestMethod]
    public void OptionTypes_AreRecords_WithDerivesVariants()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 2));
        var optimizer = OptimizerSettings.SgdMomentum(learningRate: 0.05) with { Schedule = LearningRateSchedule.StepDecay(stepSize: 1, gamma: 0.5), GradientClipNorm = 1.0 };
        var architecture = new CnnArchitecture(new ImageShape(1, 2, 2)) with { HiddenLayers = [4], Dropout = 0 };
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 3) with
        {
            Optimizer = optimizer,
            Architecture = architecture with { ConvolutionBlocks = [new ConvolutionBlock(2) { KernelSize = 1 }] },
            EarlyStopping = new EarlyStoppingOptions() with { Patience = 9 },
        };

        using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        CollectionAssert.AreEqual(new[] { 0.05, 0.025, 0.0125 }, model.History.Select(h => Math.Round(h.LearningRate, 6)).ToArray());
        Assert.AreEqual(OptimizerKind.SgdMomentum, optimizer.Kind);
        Assert.AreEqual(OptimizerSettings.SgdMomentum(0.05), OptimizerSettings.SgdMomentum(0.05), "records compare by value");
        Assert.AreEqual(new MlpArchitecture(8, 4) { Dropout = 0.1f }, new MlpArchitecture(8, 4) { Dropout = 0.1f }, "lists too");
        Assert.AreNotEqual(new MlpArchitecture(8, 4), new MlpArchitecture(8, 5));
        Assert.AreEqual(LearningRateSchedule.Cosine(0.001), LearningRateSchedule.Cosine(0.001));
        StringAssert.StartsWith(model.Architecture.ToString(), "CNN 1×2×2 [conv1×1/1 2 ReLU] → dense [4]");
    }
}
