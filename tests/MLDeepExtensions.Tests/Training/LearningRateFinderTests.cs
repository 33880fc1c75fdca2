using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace MLDeepExtensions.Tests.Training;

[TestClass]
public sealed class LearningRateFinderTests
{
    private static (MLContext Ml, IDataView Data) Generated(int rows = 400)
    {
        var ml = new MLContext(seed: 5);
        return (ml, ml.Data.LoadFromEnumerable(TestData.Generate(rows, seed: 21)));
    }

    [TestMethod]
    public void FindLearningRate_GivesAnIncreasingSweepOfFiniteLosses_AndASuggestionInRange()
    {
        var (ml, data) = Generated();
        var result = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target))).FindLearningRate(data);

        Console.WriteLine(result);
        for (int i = 0; i < result.LearningRates.Count; i += 10)
            Console.WriteLine(FormattableString.Invariant($"  lr {result.LearningRates[i]:G3}: loss {result.Losses[i]:F4}"));
        Assert.HasCount(result.LearningRates.Count, result.Losses);
        Assert.IsTrue(result.LearningRates.Count is > 20 and <= 200, $"{result.LearningRates.Count} steps");
        Assert.AreEqual(1e-7, result.LearningRates[0], 1e-12);
        Assert.IsTrue(result.LearningRates.Zip(result.LearningRates.Skip(1)).All(p => p.Second > p.First), "rates increase");
        Assert.IsTrue(result.Losses.All(double.IsFinite), "every recorded loss is finite");
        Assert.IsTrue(result.Suggested is >= 1e-7 and <= 10, $"suggested {result.Suggested}");
        Assert.IsTrue(result.MinimumLossRate is >= 1e-7 and <= 10, $"minimum-loss rate {result.MinimumLossRate}");
        Assert.AreEqual(result.MinimumLossRate / 10, result.SuggestedFromMinimum, 1e-15);
        // The sweep either stopped when the smoothed loss passed 4 times its best, or reached the end rate.
        if (result.StoppedEarly)
            Assert.IsGreaterThan(4 * result.Losses.Min(), result.Losses[^1]);
        else
        {
            Assert.HasCount(200, result.LearningRates);
            Assert.AreEqual(10, result.LearningRates[^1], 1e-9);
        }
    }

    [TestMethod]
    public void FindLearningRate_LeavesNoState_FitAfterwardsGivesTheSameModel()
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        byte[] FitBytes(bool findFirst)
        {
            var (ml, data) = Generated();
            var estimator = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target), epochs: 3));
            if (findFirst)
            {
                using var before = torch.random.get_rng_state();
                long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                estimator.FindLearningRate(data, steps: 30);
                Assert.AreEqual(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount, "tensors left alive by the finder");
                using var after = torch.random.get_rng_state();
                CollectionAssert.AreEqual(before.bytes.ToArray(), after.bytes.ToArray(), "libtorch's random generator is restored");
            }
            using var model = estimator.Fit(data);
            return TestData.SavedNetwork(ml, model, data.Schema);
        }

        CollectionAssert.AreEqual(FitBytes(findFirst: false), FitBytes(findFirst: true));
    }

    [TestMethod]
    public void FindLearningRate_BadArguments_ThrowNamingThem()
    {
        var (ml, data) = Generated(40);
        var estimator = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target)));

        void Throws(string parameter, string message, Action find)
        {
            var error = Assert.Throws<ArgumentException>(find);
            Assert.AreEqual(parameter, error.ParamName);
            StringAssert.Contains(error.Message, message);
        }
        Throws("startLearningRate", "startLearningRate must be", () => estimator.FindLearningRate(data, startLearningRate: 0));
        Throws("startLearningRate", "startLearningRate must be", () => estimator.FindLearningRate(data, startLearningRate: double.NaN));
        Throws("endLearningRate", "endLearningRate must be", () => estimator.FindLearningRate(data, endLearningRate: -1));
        Throws("endLearningRate", "must be greater than startLearningRate", () => estimator.FindLearningRate(data, startLearningRate: 0.1, endLearningRate: 0.01));
        Throws("endLearningRate", "must be greater than startLearningRate", () => estimator.FindLearningRate(data, startLearningRate: 0.1, endLearningRate: 0.1));
        Throws("steps", "steps must be ≥ 10", () => estimator.FindLearningRate(data, steps: 9));
        Assert.ThrowsExactly<ArgumentNullException>(() => estimator.FindLearningRate(null!));
    }

    [TestMethod]
    public void FindLearningRate_MissingLabel_ThrowsAsFitDoes()
    {
        var (ml, data) = Generated(40);
        var options = TestData.Tiny("NoSuchColumn");
        var error = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(options).FindLearningRate(data));
        StringAssert.Contains(error.Message, "NoSuchColumn");
    }

    /// <summary>
    /// The suggestion is a good rate, measured: on the generated data, training at it reaches a validation loss (the best
    /// epoch's: at high rates the last epoch's jumps) no worse than 1.5 times the best of the grid 1e-4 … 1 (Adam, 20
    /// epochs, batches of 32), for regression and binary classification.
    /// </summary>
    [TestMethod]
    [DataRow(nameof(GeneratedRow.Target))]
    [DataRow(nameof(GeneratedRow.Positive))]
    public void SuggestedRate_TrainsAboutAsWellAsTheBestOfAGrid(string label)
    {
        var (ml, data) = Generated(800);
        DeepNetworkOptions Options(double learningRate)
        {
            var options = TestData.Tiny(label);
            options.ValidationFraction = 0.25f;
            options.Optimizer = OptimizerSettings.Adam(learningRate);
            return options;
        }
        (double Best, double Last) ValidationLoss(double learningRate)
        {
            var options = Options(learningRate);
            using var model = label == nameof(GeneratedRow.Target)
                ? (IDisposable)ml.Regression.Trainers.DeepNetwork(options).Fit(data)
                : ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data);
            var history = ((NetworkTransformerBase)model).History;
            return (history.Min(e => e.ValidationLoss!.Value), history[^1].ValidationLoss!.Value);
        }

        var finder = label == nameof(GeneratedRow.Target)
            ? ml.Regression.Trainers.DeepNetwork(Options(1e-3)).FindLearningRate(data)
            : ml.BinaryClassification.Trainers.DeepNetwork(Options(1e-3)).FindLearningRate(data);
        var grid = new[] { 1e-4, 1e-3, 1e-2, 1e-1, 1 }.Select(rate => (Rate: rate, Loss: ValidationLoss(rate))).ToArray();
        var suggested = ValidationLoss(finder.Suggested);

        Console.WriteLine($"{label}: {finder}");
        foreach (var (rate, loss) in grid)
            Console.WriteLine(FormattableString.Invariant($"  grid lr {rate:G3}: validation loss best {loss.Best:F4}, last {loss.Last:F4}"));
        Console.WriteLine(FormattableString.Invariant($"  suggested lr {finder.Suggested:G3}: validation loss best {suggested.Best:F4}, last {suggested.Last:F4}"));
        double best = grid.Min(g => g.Loss.Best);
        Assert.IsLessThanOrEqualTo(1.5 * best, suggested.Best, FormattableString.Invariant($"suggested {finder.Suggested:G3} gave {suggested.Best:F4}; the grid's best {best:F4}"));
    }
}
