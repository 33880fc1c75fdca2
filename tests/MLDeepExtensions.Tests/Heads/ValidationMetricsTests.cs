using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Heads;

/// <summary>
/// Each head's validation metrics, per epoch in History: checked against ML.NET's own evaluators on the same rows scored
/// by the fitted network (the last epoch's weights), watched by early stopping and checkpoints, and kept by a saved model.
/// </summary>
[TestClass]
public sealed class ValidationMetricsTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static (IDataView Train, IDataView Validation) Data()
    {
        var key = Ml.Transforms.Conversion.MapValueToKey("Class");
        var train = Ml.Data.LoadFromEnumerable(TestData.Generate(300, 21));
        var fitted = key.Fit(train);
        return (fitted.Transform(train), fitted.Transform(Ml.Data.LoadFromEnumerable(TestData.Generate(150, 22))));
    }

    /// <summary>A fit whose last epoch's weights are the model's (no early stopping), validated on the second set.</summary>
    private static DeepNetworkTransformer Fit(string label, IDataView train, IDataView validation, int epochs = 6)
        => Ml.Transforms.DeepNetwork(TestData.Tiny(label, epochs) with { ValidationData = validation }).Fit(train);

    [TestMethod]
    public void Binary_MetricsMatchMLNetEvaluator()
    {
        var (train, validation) = Data();
        using var model = Fit("Positive", train, validation);
        var reported = model.History[^1].ValidationMetrics;
        var expected = Ml.BinaryClassification.Evaluate(model.Transform(validation), "Positive");
        CollectionAssert.AreEqual(new[] { "Accuracy", "AreaUnderRocCurve", "F1Score", "LogLoss" }, reported.Keys.ToArray());
        Assert.AreEqual(expected.Accuracy, reported["Accuracy"], 1e-9);
        Assert.AreEqual(expected.AreaUnderRocCurve, reported["AreaUnderRocCurve"], 1e-6);
        Assert.AreEqual(expected.F1Score, reported["F1Score"], 1e-9);
        Assert.AreEqual(expected.LogLoss, reported["LogLoss"], 1e-4);
        Assert.AreEqual(expected.LogLoss * Math.Log(2), model.History[^1].ValidationLoss!.Value, 1e-4, "the validation loss is the log-loss in nats");
        Assert.AreEqual(expected.Accuracy, model.History[^1].ValidationMetric!.Value, 1e-9);
    }

    [TestMethod]
    public void Multiclass_MetricsMatchMLNetEvaluator()
    {
        var (train, validation) = Data();
        using var model = Fit("Class", train, validation);
        var reported = model.History[^1].ValidationMetrics;
        var expected = Ml.MulticlassClassification.Evaluate(model.Transform(validation), "Class");
        CollectionAssert.AreEqual(new[] { "Accuracy", "MacroAccuracy", "LogLoss", "MacroF1" }, reported.Keys.ToArray());
        Assert.AreEqual(expected.MicroAccuracy, reported["Accuracy"], 1e-9);
        Assert.AreEqual(expected.MacroAccuracy, reported["MacroAccuracy"], 1e-9);
        Assert.AreEqual(expected.LogLoss, reported["LogLoss"], 1e-4);
        var matrix = expected.ConfusionMatrix;
        double macroF1 = Enumerable.Range(0, matrix.NumberOfClasses).Average(k => 2 * matrix.PerClassPrecision[k] * matrix.PerClassRecall[k] /
            Math.Max(matrix.PerClassPrecision[k] + matrix.PerClassRecall[k], double.Epsilon));
        Assert.AreEqual(macroF1, reported["MacroF1"], 1e-9);
    }

    [TestMethod]
    public void Regression_MetricsMatchMLNetEvaluator()
    {
        var (train, validation) = Data();
        using var model = Fit("Target", train, validation);
        var reported = model.History[^1].ValidationMetrics;
        var expected = Ml.Regression.Evaluate(model.Transform(validation), "Target");
        CollectionAssert.AreEqual(new[] { "MeanAbsoluteError", "MeanSquaredError", "RootMeanSquaredError", "RSquared" }, reported.Keys.ToArray());
        Assert.AreEqual(expected.MeanAbsoluteError, reported["MeanAbsoluteError"], 1e-5);
        Assert.AreEqual(expected.MeanSquaredError, reported["MeanSquaredError"], 1e-5);
        Assert.AreEqual(expected.RootMeanSquaredError, reported["RootMeanSquaredError"], 1e-5);
        Assert.AreEqual(expected.RSquared, reported["RSquared"], 1e-5);
        Assert.AreEqual(-expected.MeanSquaredError, model.History[^1].ValidationMetric!.Value, 1e-5);
    }

    [TestMethod]
    public void EarlyStopping_OnAreaUnderRocCurve_KeepsTheBestEpoch()
    {
        var (train, validation) = Data();
        var options = TestData.Tiny("Positive", epochs: 40) with
        {
            ValidationData = validation,
            Optimizer = OptimizerSettings.Adam(0.05),
            EarlyStopping = new EarlyStoppingOptions { Metric = "AreaUnderRocCurve", Patience = 3 },
        };
        using var model = Ml.Transforms.DeepNetwork(options).Fit(train);
        var auc = model.History.Select(h => h.ValidationMetrics["AreaUnderRocCurve"]).ToArray();
        Assert.AreEqual(auc.Max(), auc[model.History.SelectedEpoch - 1], "the selected epoch has the best AUC");
        int best = Array.IndexOf(auc, auc.Max());
        Assert.AreEqual(best + 1 + 3, model.History.Count, "stopped three epochs without a better AUC after the best");
        var scored = Ml.BinaryClassification.Evaluate(model.Transform(validation), "Positive");
        Assert.AreEqual(auc.Max(), scored.AreaUnderRocCurve, 1e-6, "the model holds the best epoch's weights");
    }

    [TestMethod]
    public void Checkpoints_OnImprovementOfNamedMetric_WriteWhenItImproves()
    {
        var (train, validation) = Data();
        string directory = Path.Combine(Path.GetTempPath(), "mlde-metric-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = TestData.Tiny("Target", epochs: 8) with
            {
                ValidationData = validation,
                Checkpoints = new CheckpointOptions(directory) { EveryEpochs = 0, OnImprovement = true, Metric = "RSquared", KeepLast = 100 },
            };
            using var model = Ml.Transforms.DeepNetwork(options).Fit(train);
            var r2 = model.History.Select(h => h.ValidationMetrics["RSquared"]).ToArray();
            var improved = Enumerable.Range(0, r2.Length).Where(e => r2[e] > r2.Take(e).DefaultIfEmpty(double.NegativeInfinity).Max()).Select(e => e + 1).ToArray();
            var written = Directory.GetFiles(directory, "*.checkpoint").Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["epoch-".Length..])).Order().ToArray();
            CollectionAssert.AreEqual(improved, written);
        }
        finally
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Fit_UnknownMetric_ThrowsListingTheHeadsMetrics()
    {
        var (train, validation) = Data();
        var options = TestData.Tiny("Target") with { ValidationData = validation, EarlyStopping = new EarlyStoppingOptions { Metric = "AreaUnderRocCurve" } };
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.Transforms.DeepNetwork(options).Fit(train));
        StringAssert.Contains(error.Message, "EarlyStoppingOptions.Metric is 'AreaUnderRocCurve'");
        StringAssert.Contains(error.Message, "MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError, RSquared");
    }

    [TestMethod]
    public void Fit_MetricWithoutValidationData_Throws()
    {
        var (train, _) = Data();
        var options = TestData.Tiny("Positive") with { Checkpoints = new CheckpointOptions(Path.GetTempPath()) { OnImprovement = true, Metric = "F1Score" } };
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.Transforms.DeepNetwork(options).Fit(train));
        StringAssert.Contains(error.Message, "Checkpoints.Metric is 'F1Score', a validation metric, but the fit has no validation data");
    }

    [TestMethod]
    public void SaveLoad_KeepsValidationMetrics()
    {
        var (train, validation) = Data();
        using var model = Fit("Class", train, validation, epochs: 3);
        using var stream = new MemoryStream();
        Ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        using var loaded = (DeepNetworkTransformer)Ml.Model.Load(stream, out _);
        CollectionAssert.AreEqual(model.History.ToArray(), loaded.History.ToArray());
        Assert.HasCount(4, loaded.History[^1].ValidationMetrics);
    }
}
