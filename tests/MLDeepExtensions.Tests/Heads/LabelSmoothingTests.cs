using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Heads;

/// <summary>LabelSmoothing: classifiers train against targets softened towards uniform, as PyTorch and Keras define them.</summary>
[TestClass]
public sealed class LabelSmoothingTests
{
    // 128 rows: four batches of the tiny options' 32, so every batch mean weighs alike.
    private static (MLContext Ml, IDataView Data) Generated()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(TestData.Generate(128, seed: 5));
        return (ml, ml.Transforms.Conversion.MapValueToKey(nameof(GeneratedRow.Class)).Fit(raw).Transform(raw));
    }

    /// <summary>
    /// The validation loss (on the training rows, with the fitted weights) equals the cross entropy of the network's own
    /// class probabilities against 1 − ε + ε / K on the row's class and ε / K elsewhere, and differs from the unsmoothed one.
    /// </summary>
    [TestMethod]
    [DataRow(0.1f)]
    [DataRow(0.3f)]
    public void Multiclass_LossIsTheCrossEntropyAgainstSmoothedTargets(float smoothing)
    {
        var (ml, data) = Generated();
        var options = TestData.Tiny(nameof(GeneratedRow.Class), epochs: 3) with { LabelSmoothing = smoothing, ValidationData = data };
        using var network = ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(data);
        var scored = network.Transform(data);
        var labels = scored.GetColumn<uint>(nameof(GeneratedRow.Class)).ToArray();
        var probabilities = scored.GetColumn<float[]>("Score").ToArray();
        int classes = probabilities[0].Length;
        double smoothed = 0, plain = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                double target = smoothing / classes + (k == labels[i] - 1 ? 1 - smoothing : 0);
                smoothed -= target * Math.Log(probabilities[i][k]);
            }
            plain -= Math.Log(probabilities[i][labels[i] - 1]);
        }
        smoothed /= labels.Length;
        plain /= labels.Length;
        double reported = network.History[^1].ValidationLoss!.Value;
        Assert.AreEqual(smoothed, reported, 1e-4 * smoothed, "validation loss against the smoothed targets");
        Assert.IsGreaterThan(1e-3, Math.Abs(plain - reported), $"the loss is the unsmoothed one ({plain})");
        // The LogLoss metric is the plain cross entropy of the same probabilities.
        Assert.AreEqual(plain, network.History[^1].ValidationMetrics["LogLoss"], 1e-3 * plain, "LogLoss is not smoothed");
    }

    /// <summary>Binary: the loss is the binary cross entropy of the sigmoid against ε / 2 and 1 − ε / 2.</summary>
    [TestMethod]
    public void Binary_LossIsTheBinaryCrossEntropyAgainstSmoothedTargets()
    {
        const float smoothing = 0.2f;
        var (ml, data) = Generated();
        var options = TestData.Tiny(nameof(GeneratedRow.Positive), epochs: 3) with { LabelSmoothing = smoothing, ValidationData = data };
        using var network = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data);
        var scored = network.Transform(data);
        var labels = scored.GetColumn<bool>(nameof(GeneratedRow.Positive)).ToArray();
        var probabilities = scored.GetColumn<float>("Probability").ToArray();
        double expected = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double target = labels[i] ? 1 - smoothing / 2 : smoothing / 2;
            expected -= target * Math.Log(probabilities[i]) + (1 - target) * Math.Log(1 - probabilities[i]);
        }
        expected /= labels.Length;
        Assert.AreEqual(expected, network.History[^1].ValidationLoss!.Value, 1e-4 * expected);
    }

    /// <summary>Training with smoothing keeps the most probable class's probability near its target instead of near 1.</summary>
    [TestMethod]
    public void Multiclass_Smoothing_CapsTheConfidenceNearItsTarget()
    {
        var (ml, data) = Generated();
        double MeanTopProbability(float smoothing)
        {
            var options = TestData.Tiny(nameof(GeneratedRow.Class), epochs: 60) with { LabelSmoothing = smoothing };
            using var network = ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(data);
            return network.Transform(data).GetColumn<float[]>("Score").Average(p => p.Max());
        }
        double plain = MeanTopProbability(0), smoothed = MeanTopProbability(0.4f);
        // Four classes, ε = 0.4: the target on the row's class is 0.7.
        Assert.IsGreaterThan(0.9, plain, "the unsmoothed network is confident on its training rows");
        Assert.IsLessThan(0.8, smoothed, $"smoothed mean top probability (plain {plain})");
    }

    [TestMethod]
    public void Regression_WithLabelSmoothing_ThrowsNamingTheOption()
    {
        var (ml, data) = Generated();
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1) with { LabelSmoothing = 0.1f };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(options).Fit(data));
        StringAssert.Contains(error.Message, "LabelSmoothing is 0.1, but the task is Regression");
    }

    [TestMethod]
    [DataRow(-0.1f)]
    [DataRow(1f)]
    [DataRow(float.NaN)]
    public void OutOfRange_IsRefusedNamingTheOption(float smoothing)
    {
        var (ml, data) = Generated();
        var options = TestData.Tiny(nameof(GeneratedRow.Class), epochs: 1) with { LabelSmoothing = smoothing };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(data));
        StringAssert.Contains(error.Message, "LabelSmoothing is");
        StringAssert.Contains(error.Message, "it must be in [0, 1)");
    }
}
