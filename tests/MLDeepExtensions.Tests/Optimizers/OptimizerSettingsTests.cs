using System;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Optimizers;

/// <summary>Optimizer settings: documented defaults, every problem reported at once, and the learning-rate schedules.</summary>
[TestClass]
public sealed class OptimizerOptionsTests
{
    private const double Tolerance = 1e-12;

    /// <remarks>NaN stands for a setting the kind does not use, whose value does not matter.</remarks>
    [TestMethod]
    [DataRow(OptimizerKind.Sgd, 0.01, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0.0)]
    [DataRow(OptimizerKind.SgdMomentum, 0.01, 0.9, double.NaN, double.NaN, double.NaN, double.NaN, 0.0)]
    [DataRow(OptimizerKind.Nesterov, 0.01, 0.9, double.NaN, double.NaN, double.NaN, double.NaN, 0.0)]
    [DataRow(OptimizerKind.Adadelta, 1.0, double.NaN, 0.9, double.NaN, double.NaN, 1e-6, 0.0)]
    [DataRow(OptimizerKind.RmsProp, 0.001, 0.0, 0.9, double.NaN, double.NaN, 1e-8, 0.0)]
    [DataRow(OptimizerKind.Adam, 0.001, double.NaN, double.NaN, 0.9, 0.999, 1e-8, 0.0)]
    [DataRow(OptimizerKind.AdamW, 0.001, double.NaN, double.NaN, 0.9, 0.999, 1e-8, 0.01)]
    public void Defaults_PerKind_AreAsDocumented(OptimizerKind kind, double learningRate, double momentum, double rho,
        double beta1, double beta2, double epsilon, double weightDecay)
    {
        var options = new OptimizerSettings { Kind = kind };
        AssertDefault(learningRate, options.EffectiveLearningRate, kind, "learning rate");
        AssertDefault(momentum, options.EffectiveMomentum, kind, "momentum");
        AssertDefault(rho, options.EffectiveRho, kind, "rho");
        AssertDefault(beta1, options.EffectiveBeta1, kind, "beta1");
        AssertDefault(beta2, options.EffectiveBeta2, kind, "beta2");
        AssertDefault(epsilon, options.EffectiveEpsilon, kind, "epsilon");
        AssertDefault(weightDecay, options.EffectiveWeightDecay, kind, "weight decay");
        Assert.IsNull(options.GradientClipNorm);
        Assert.IsNull(options.Schedule);
    }

    [TestMethod]
    public void Defaults_FactoriesAndOptions_AreAsDocumented()
    {
        Assert.AreEqual(OptimizerKind.Adam, new OptimizerSettings().Kind);
        Assert.AreEqual(OptimizerKind.Adam, new DeepNetworkOptions().Optimizer.Kind);
        Assert.AreEqual(0.001, new DeepNetworkOptions().Optimizer.EffectiveLearningRate, Tolerance);
        Assert.AreEqual(0.01, OptimizerSettings.Sgd().EffectiveLearningRate, Tolerance);
        Assert.AreEqual(0.9, OptimizerSettings.SgdMomentum().EffectiveMomentum, Tolerance);
        Assert.AreEqual(OptimizerKind.SgdMomentum, OptimizerSettings.SgdMomentum().Kind);
        Assert.AreEqual(OptimizerKind.Nesterov, OptimizerSettings.Nesterov().Kind);
        Assert.AreEqual(1.0, OptimizerSettings.Adadelta().EffectiveLearningRate, Tolerance);
        Assert.AreEqual(0.9, OptimizerSettings.RmsProp().EffectiveRho, Tolerance);
        Assert.AreEqual(0.001, OptimizerSettings.Adam().EffectiveLearningRate, Tolerance);
        Assert.AreEqual(0.01, OptimizerSettings.AdamW().EffectiveWeightDecay, Tolerance);
    }

    [TestMethod]
    public void DeepNetwork_FactoryOptions_AreValid()
    {
        var ml = new MLContext(seed: 1);
        foreach (var optimizer in new[]
        {
            OptimizerSettings.Sgd(), OptimizerSettings.SgdMomentum(), OptimizerSettings.Nesterov(), OptimizerSettings.Adadelta(),
            OptimizerSettings.RmsProp(), OptimizerSettings.Adam(), OptimizerSettings.AdamW(),
        })
        {
            Assert.IsNotNull(ml.Transforms.DeepNetwork(new DeepNetworkOptions { Optimizer = optimizer }), optimizer.ToString());
        }
    }

    [TestMethod]
    public void DeepNetwork_SeveralInvalidSettings_ReportsAllAtOnce()
    {
        var options = new DeepNetworkOptions
        {
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.SgdMomentum, LearningRate = -1, Momentum = 1.5 },
            BatchSize = 0,
        };

        // Numbers read the same in every culture: a German one writes 1.5 as "1,5" unless told otherwise.
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        ArgumentException error;
        try
        {
            error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.DeepNetwork(options));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }

        // The message names the settings; no parameter the caller never passed.
        Assert.IsNull(error.ParamName);
        Assert.DoesNotContain("(Parameter", error.Message);
        StringAssert.Contains(error.Message, "LearningRate is -1;");
        StringAssert.Contains(error.Message, "Momentum is 1.5;");
        StringAssert.Contains(error.Message, "BatchSize is 0;");
        StringAssert.Contains(error.Message, "3 problems");
    }

    [TestMethod]
    public void DeepNetwork_SettingsTheKindDoesNotUse_AreReported()
    {
        var sgd = new DeepNetworkOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Sgd, Beta1 = 0.9 } };
        var adam = new DeepNetworkOptions { Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, Rho = 0.9, Momentum = 0.5 } };

        var sgdError = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.DeepNetwork(sgd));
        var adamError = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.DeepNetwork(adam));

        StringAssert.Contains(sgdError.Message, $"Beta1 is set to {0.9} but Sgd does not use it");
        StringAssert.Contains(adamError.Message, $"Rho is set to {0.9} but Adam does not use it");
        StringAssert.Contains(adamError.Message, $"Momentum is set to {0.5} but Adam does not use it");
    }

    [TestMethod]
    public void DeepNetwork_InvalidSchedules_AreReportedWithTheOtherProblems()
    {
        var cases = new (LearningRateSchedule Schedule, string[] Expected)[]
        {
            (LearningRateSchedule.StepDecay(0), new[] { "StepDecay stepSize is 0" }),
            (LearningRateSchedule.StepDecay(2, gamma: 1.5), new[] { $"StepDecay gamma is {1.5}" }),
            (LearningRateSchedule.Exponential(0), new[] { "Exponential gamma is 0" }),
            (LearningRateSchedule.Cosine(-1), new[] { $"Cosine minimumLearningRate is {-1.0}" }),
            (LearningRateSchedule.ReduceOnPlateau(factor: 2), new[] { "ReduceOnPlateau factor is 2" }),
            (LearningRateSchedule.ReduceOnPlateau(patience: -1, minimumLearningRate: double.NaN),
                new[] { $"ReduceOnPlateau patience is {-1}", $"ReduceOnPlateau minimumLearningRate is {double.NaN}" }),
        };
        foreach (var (schedule, expected) in cases)
        {
            var options = new DeepNetworkOptions { Optimizer = new OptimizerSettings { LearningRate = 0, Schedule = schedule } };

            var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).Transforms.DeepNetwork(options), schedule.ToString());

            StringAssert.Contains(error.Message, "LearningRate is 0");
            foreach (string text in expected)
                StringAssert.Contains(error.Message, text);
        }
    }

    [TestMethod]
    public void StepDecay_MultipliesByGammaEveryStepSizeEpochs()
    {
        var schedule = LearningRateSchedule.StepDecay(2, gamma: 0.5);
        double[] expected = { 0.1, 0.05, 0.05, 0.025, 0.025 };
        for (int epoch = 1; epoch <= expected.Length; epoch++)
            Assert.AreEqual(expected[epoch - 1], schedule.Next(0.1, 0.1, epoch, 10, 1.0), Tolerance, $"after epoch {epoch}");
    }

    [TestMethod]
    public void Exponential_MultipliesByGammaEveryEpoch()
    {
        var schedule = LearningRateSchedule.Exponential(0.9);
        double[] expected = { 0.09, 0.081, 0.0729 };
        for (int epoch = 1; epoch <= expected.Length; epoch++)
            Assert.AreEqual(expected[epoch - 1], schedule.Next(0.1, 0.1, epoch, 10, 1.0), Tolerance, $"after epoch {epoch}");
    }

    [TestMethod]
    public void Cosine_AnnealsFromInitialToMinimumOverTheTraining()
    {
        var schedule = LearningRateSchedule.Cosine(minimumLearningRate: 0.01);
        // λ = min + (λ₀ − min)(1 + cos(π·epoch/total))/2 with λ₀ = 0.1 over 4 epochs.
        Assert.AreEqual(0.01 + 0.09 * (1 + Math.Sqrt(0.5)) / 2, schedule.Next(0.1, 0.1, 1, 4, 1.0), Tolerance);
        Assert.AreEqual(0.055, schedule.Next(0.1, 0.1, 2, 4, 1.0), Tolerance, "half way: the mean of λ₀ and the minimum");
        Assert.AreEqual(0.01 + 0.09 * (1 - Math.Sqrt(0.5)) / 2, schedule.Next(0.1, 0.1, 3, 4, 1.0), Tolerance);
        Assert.AreEqual(0.01, schedule.Next(0.1, 0.1, 4, 4, 1.0), Tolerance, "at the end: the minimum");
        Assert.AreEqual(0.01, schedule.Next(0.1, 0.1, 6, 4, 1.0), Tolerance, "past the end: stays at the minimum");
    }

    [TestMethod]
    public void ReduceOnPlateau_MoreThanPatienceEpochsWithoutImprovement_ReducesDownToMinimum()
    {
        var schedule = LearningRateSchedule.ReduceOnPlateau(factor: 0.5, patience: 2, minimumLearningRate: 0.02).Fresh();
        // Loss per epoch and the rate expected for the next epoch. With patience 2 the rate holds through two epochs
        // without improvement and drops on the third (as PyTorch's ReduceLROnPlateau); an equal loss is no improvement,
        // a lower one resets the count.
        (double Loss, double Rate)[] epochs =
        {
            (1.0, 0.1), (0.9, 0.1), (0.95, 0.1), (0.9, 0.1), (0.85, 0.1),
            (0.9, 0.1), (0.9, 0.1), (0.9, 0.05),
            (0.9, 0.05), (0.9, 0.05), (0.9, 0.025),
            (0.9, 0.025), (0.9, 0.025), (0.9, 0.02),
            (0.9, 0.02), (0.9, 0.02), (0.9, 0.02),
        };
        double rate = 0.1;
        for (int i = 0; i < epochs.Length; i++)
        {
            rate = schedule.Next(0.1, rate, i + 1, 100, epochs[i].Loss);
            Assert.AreEqual(epochs[i].Rate, rate, Tolerance, $"after epoch {i + 1} (loss {epochs[i].Loss})");
        }
    }

    [TestMethod]
    public void ReduceOnPlateau_Fresh_ForgetsTheBestLoss()
    {
        var used = LearningRateSchedule.ReduceOnPlateau(factor: 0.5, patience: 0);
        Assert.AreEqual(0.1, used.Next(0.1, 0.1, 1, 10, 1.0), Tolerance);
        var fresh = used.Fresh();
        Assert.AreEqual(0.05, used.Next(0.1, 0.1, 2, 10, 2.0), Tolerance, "2.0 is no improvement on 1.0");
        Assert.AreEqual(0.1, fresh.Next(0.1, 0.1, 1, 10, 2.0), Tolerance, "a fresh copy has seen no loss yet");
    }

    private static void AssertDefault(double expected, double actual, OptimizerKind kind, string setting)
    {
        if (!double.IsNaN(expected))
            Assert.AreEqual(expected, actual, Tolerance, $"{kind} default {setting}");
    }
}
