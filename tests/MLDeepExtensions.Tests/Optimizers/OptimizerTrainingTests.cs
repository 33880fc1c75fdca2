using System;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Optimizers;

/// <summary>Every optimizer kind trains a small MLP on real Fashion-MNIST through the full ML.NET pipeline.</summary>
[TestClass]
public sealed class OptimizerTrainingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(OptimizerKind.Sgd, 0.1, 0.0)]
    [DataRow(OptimizerKind.Momentum, 0.01, 0.0)]
    [DataRow(OptimizerKind.Nesterov, 0.01, 0.0)]
    [DataRow(OptimizerKind.Adadelta, 1.0, 0.0)]
    [DataRow(OptimizerKind.RmsProp, 0.001, 0.0)]
    [DataRow(OptimizerKind.Adam, 0.001, 0.0)]
    [DataRow(OptimizerKind.AdamW, 0.001, 0.0)]
    public void Fit_FashionSubset_ReachesSensibleAccuracy(OptimizerKind kind, double learningRate, double minimumAccuracy)
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 2000, test: 500);
        var options = new DeepNetworkOptions
        {
            Architecture = new MlpArchitecture(64),
            Optimizer = new OptimizerOptions { Kind = kind, LearningRate = learningRate },
            Epochs = 5,
            BatchSize = 64,
            Seed = 1,
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var metrics = ml.MulticlassClassification.Evaluate(TestData.FashionPipeline(ml, options).Fit(train).Transform(test));
        TestContext.WriteLine($"MEASURE {kind} lr {learningRate}: accuracy {metrics.MicroAccuracy:F4}, log-loss {metrics.LogLoss:F4}, {clock.Elapsed.TotalSeconds:F1}s");

        Assert.IsGreaterThan(minimumAccuracy, metrics.MicroAccuracy, $"{kind} accuracy {metrics.MicroAccuracy}");
    }
}
