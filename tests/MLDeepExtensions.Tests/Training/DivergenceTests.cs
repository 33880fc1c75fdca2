using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Training;

/// <summary>A NaN or infinite loss stops the fit with a message naming the epoch and batch, or skips the batch when asked; never a NaN model.</summary>
[TestClass]
public sealed class DivergenceTests
{
    private static IDataView Unnormalized(MLContext ml, int rows = 128, Func<int, bool>? huge = null)
        => ml.Data.LoadFromEnumerable(TestData.Generate(rows, seed: 31).Select((r, i) => new GeneratedRow
        {
            // Features in the thousands and a target in the thousands: no normalization, as a careless pipeline would have it.
            Features = r.Features.Select(v => huge?.Invoke(i) == true ? 1e20f : v * 1000).ToArray(),
            Target = r.Target * 1000,
        }));

    private static DeepNetworkOptions Sgd(double learningRate, double? clip = null, int epochs = 2)
    {
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs);
        // Without the network's own standardization, which would rescue the careless pipeline these tests are about.
        options.Architecture = ((MlpArchitecture)options.Architecture) with { StandardizeInputs = false };
        options.Optimizer = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = learningRate, GradientClipNorm = clip };
        options.Shuffle = false;
        return options;
    }

    [TestMethod]
    public void Fit_HugeLearningRate_ThrowsNamingEpochBatchAndTheFixes()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.DeepNetwork(Sgd(1e6)).Fit(Unnormalized(ml)));
        StringAssert.Matches(error.Message, new System.Text.RegularExpressions.Regex(@"^Training diverged in epoch 1: the loss of batch \d of 4 was (NaN|Infinity|-Infinity)\."));
        StringAssert.Contains(error.Message, "Lower OptimizerSettings.LearningRate (now 1000000)");
        StringAssert.Contains(error.Message, "set OptimizerSettings.GradientClipNorm");
        StringAssert.Contains(error.Message, "set SkipNonFiniteBatches");
    }

    [TestMethod]
    public void Fit_HugeLearningRateWithGradientClipping_TrainsToFiniteWeights()
    {
        var ml = new MLContext(seed: 1);
        var data = Unnormalized(ml);
        // Each step moves the weights by at most 1e6 × 1e-7 = 0.1.
        using var model = ml.Regression.Trainers.DeepNetwork(Sgd(1e6, clip: 1e-7)).Fit(data);
        Assert.IsTrue(model.History.All(h => double.IsFinite(h.TrainingLoss)));
        Assert.IsTrue(model.Network.Module.parameters().All(p => p.isfinite().all().item<bool>()), "every weight finite");
        Assert.IsTrue(TestData.ReadScores(model.Transform(data)).All(s => float.IsFinite(s[0])), "every prediction finite");
    }

    [TestMethod]
    public void Fit_OneBatchWithAnInfiniteLoss_ThrowsNamingThatBatch()
    {
        var ml = new MLContext(seed: 1);
        // Row 70 of 128 (batch 3 of 4, unshuffled) has finite features so large that the squared error overflows.
        var data = Unnormalized(ml, huge: i => i == 70);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.DeepNetwork(Sgd(1e-9)).Fit(data));
        StringAssert.StartsWith(error.Message, "Training diverged in epoch 1: the loss of batch 3 of 4 was ");
    }

    [TestMethod]
    public void Fit_SkipNonFiniteBatches_SkipsTheBatchWarnsAndTrains()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var data = Unnormalized(ml, huge: i => i == 70);
        var options = Sgd(1e-9);
        options.SkipNonFiniteBatches = true;
        using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);

        Assert.AreEqual(1, log.Count(m => m.Contains("Epoch 1: skipped 1 of 4 batches whose loss was NaN or infinite (SkipNonFiniteBatches)")));
        Assert.AreEqual(1, log.Count(m => m.Contains("Epoch 2: skipped 1 of 4 batches")));
        Assert.IsTrue(model.History.All(h => double.IsFinite(h.TrainingLoss)));
        Assert.IsTrue(model.Network.Module.parameters().All(p => p.isfinite().all().item<bool>()), "every weight finite");
    }

    [TestMethod]
    public void Fit_SkipNonFiniteBatches_EveryBatchBad_Throws()
    {
        var ml = new MLContext(seed: 1);
        var options = Sgd(1e-9);
        options.SkipNonFiniteBatches = true;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.DeepNetwork(options).Fit(Unnormalized(ml, huge: _ => true)));
        StringAssert.StartsWith(error.Message, "Training diverged in epoch 1: the loss of every batch (4) was NaN or infinite, so SkipNonFiniteBatches skipped them all.");
    }

    [TestMethod]
    public void Fit_SkipNonFiniteBatches_HugeLearningRate_StillThrows()
    {
        var ml = new MLContext(seed: 1);
        var options = Sgd(1e6);
        options.SkipNonFiniteBatches = true;
        // Overflowing batches are skipped, but steps of learning rate 1e6 on finite losses blow the weights up anyway.
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.DeepNetwork(options).Fit(Unnormalized(ml)));
        StringAssert.StartsWith(error.Message, "Training diverged in epoch ");
    }

    [TestMethod]
    public void Fit_WeightsBecomeNonFiniteAfterTheLastBatch_Throws()
    {
        var ml = new MLContext(seed: 1);
        var options = Sgd(1e-9);
        options.Callbacks.Add(new PoisonAfterBatch(epoch: 1, batch: 4));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.DeepNetwork(options).Fit(Unnormalized(ml)));
        StringAssert.StartsWith(error.Message, "Training diverged in epoch 1: the network's weights became NaN or infinite although every loss was finite");
    }

    /// <summary>Writes NaN into the first weight after one batch, as an overflowing gradient would with a finite loss.</summary>
    private sealed class PoisonAfterBatch(int epoch, int batch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, int epochNumber, int batchNumber)
        {
            if (epochNumber == epoch && batchNumber == batch)
            {
                using var noGrad = TorchSharp.torch.no_grad();
                context.Module.parameters().First().fill_(float.NaN);
            }
        }
    }
}
