using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Training;

[TestClass]
public sealed class TrainingBudgetTests
{
    private static DeepNetworkOptions NoEpochs(string label) => TestData.Tiny(label) with { Epochs = null };

    [TestMethod]
    public void Fit_NoEpochsOnSmallData_HoldsOutAFifth_StopsEarly_AndKeepsTheBestEpoch()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(400, seed: 1));
        var model = ml.Regression.Trainers.DeepNetwork(NoEpochs(nameof(GeneratedRow.Target))).Fit(data);
        var history = model.History;

        // 320 training rows in batches of 32: 10 steps an epoch, so 100 epochs make the 1,000-step budget.
        Assert.IsTrue(history.All(h => h.ValidationLoss is not null), "every epoch was validated on the held-out fifth");
        Assert.IsLessThanOrEqualTo(100, history.Count);
        Assert.IsGreaterThan(10, history.Count, "far more than 0.2.0's 10 epochs");
        double best = history.Min(h => h.ValidationLoss!.Value);
        Assert.AreEqual(best, history[history.SelectedEpoch - 1].ValidationLoss!.Value, "the selected epoch is the best one");
        if (history.StoppedEarly)
            Assert.IsGreaterThanOrEqualTo(10, history.Count - history.SelectedEpoch, "stops only after the patience of at least 10 epochs");
    }

    [TestMethod]
    public void Fit_EpochsGiven_TrainsExactlyThem_OnEveryRow()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(400, seed: 1));
        var history = ml.Regression.Trainers.DeepNetwork(NoEpochs(nameof(GeneratedRow.Target)) with { Epochs = 10 }).Fit(data).History;
        Assert.HasCount(10, history);
        Assert.IsTrue(history.All(h => h.ValidationLoss is null), "no rows held out when the caller chose the epochs");
    }

    [TestMethod]
    public void Fit_NoEpochsButOwnValidation_TrainsTheDefaultTenEpochs()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(400, seed: 1));
        var validation = ml.Data.LoadFromEnumerable(TestData.Generate(100, seed: 2));
        var history = ml.BinaryClassification.Trainers.DeepNetwork(NoEpochs(nameof(GeneratedRow.Positive)) with { ValidationData = validation }).Fit(data).History;
        Assert.HasCount(10, history);
        Assert.IsFalse(history.StoppedEarly);
    }

    [TestMethod]
    public void Fit_NoEpochsOnMoreThanTenThousandRows_TrainsTenEpochsOnEveryRow()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(10_001, seed: 3));
        var options = NoEpochs(nameof(GeneratedRow.Positive)) with { Architecture = new MlpArchitecture(8), BatchSize = 1024 };
        var history = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data).History;
        Assert.HasCount(10, history);
        Assert.IsTrue(history.All(h => h.ValidationLoss is null));
    }

    [TestMethod]
    public void Fit_NoEpochsOnStreamedData_TrainsTenEpochsOnEveryRow()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(400, seed: 1));
        var options = NoEpochs(nameof(GeneratedRow.Target)) with { DataLoading = new DataLoadingOptions { Mode = DataLoadingMode.Streaming } };
        var history = ml.Regression.Trainers.DeepNetwork(options).Fit(data).History;
        Assert.HasCount(10, history, "streamed rows are not counted before the fit: the budget does not apply");
        Assert.IsTrue(history.All(h => h.ValidationLoss is null));
    }

    [TestMethod]
    public void CatalogShortOverload_LeavesTheEpochsToTheData()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Regression.Trainers.DeepNetwork(labelColumnName: nameof(GeneratedRow.Target));
        Assert.IsNull(estimator.Options.Epochs);
        Assert.AreEqual(7, ml.Regression.Trainers.DeepNetwork(labelColumnName: nameof(GeneratedRow.Target), epochs: 7).Options.Epochs);
    }
}
