using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Heads;

/// <summary>Example weights (ExampleWeightColumnName): a row of weight 2 trains and validates as the row twice.</summary>
[TestClass]
public sealed class ExampleWeightTests
{
    public sealed class WeightedRow
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public bool Positive { get; set; }

        public float Target { get; set; }

        public string Class { get; set; } = "";

        public float Weight { get; set; }
    }

    /// <summary>The generated rows with every third row weighted 2, and the same rows with each of those repeated instead.</summary>
    private static (WeightedRow[] Weighted, WeightedRow[] Repeated) Rows(int count, int seed)
    {
        var rows = TestData.Generate(count, seed).Select((r, i) => new WeightedRow
        {
            Features = r.Features, Positive = r.Positive, Target = r.Target, Class = r.Class, Weight = i % 3 == 0 ? 2f : 1f,
        }).ToArray();
        var repeated = rows.SelectMany(r => Enumerable.Repeat(new WeightedRow { Features = r.Features, Positive = r.Positive, Target = r.Target, Class = r.Class, Weight = 1f }, (int)r.Weight)).ToArray();
        return (rows, repeated);
    }

    private static DeepNetworkOptions Options(string label, bool weighted, bool streamed, IDataView? validation) => new()
    {
        LabelColumnName = label,
        ExampleWeightColumnName = weighted ? nameof(WeightedRow.Weight) : null,
        Architecture = new MlpArchitecture(16),
        Optimizer = OptimizerSettings.Adam(0.01),
        Epochs = 12,
        BatchSize = 256, // one batch: the gradient of the weighted rows is the gradient of the repeated ones
        Shuffle = false,
        Seed = 3,
        ValidationData = validation,
        DataLoading = new DataLoadingOptions { Mode = streamed ? DataLoadingMode.Streaming : DataLoadingMode.InMemory },
    };

    [TestMethod]
    [DataRow("Positive", false, null, DisplayName = "binary")]
    [DataRow("Positive", false, new[] { 1f, 3f }, DisplayName = "binary, class weights")]
    [DataRow("Class", false, null, DisplayName = "multiclass")]
    [DataRow("Target", false, null, DisplayName = "regression")]
    [DataRow("Target", true, null, DisplayName = "regression, streamed")]
    [DataRow("Class", true, new[] { 1f, 2f, 1f, 0.5f }, DisplayName = "multiclass, class weights, streamed")]
    public void Fit_WeightTwo_TrainsAndValidatesAsTheRowTwice(string label, bool streamed, float[]? classWeights)
    {
        var ml = new MLContext(seed: 1);
        var (train, trainRepeated) = Rows(90, seed: 11);
        var (validation, validationRepeated) = Rows(60, seed: 12);
        var test = ml.Data.LoadFromEnumerable(Rows(50, seed: 13).Weighted);

        (ITransformer Model, DeepNetworkTransformer Network) Fit(WeightedRow[] rows, WeightedRow[] validationRows, bool weighted)
        {
            var prepare = ml.Transforms.Conversion.MapValueToKey("Class", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
            var data = ml.Data.LoadFromEnumerable(rows);
            var fittedPrepare = prepare.Fit(data);
            var options = Options(label, weighted, streamed, fittedPrepare.Transform(ml.Data.LoadFromEnumerable(validationRows)));
            options.ClassWeights = classWeights;
            var network = ml.Transforms.DeepNetwork(options).Fit(fittedPrepare.Transform(data));
            return (fittedPrepare.Append(network), network);
        }

        var (weightedModel, weightedNetwork) = Fit(train, validation, weighted: true);
        var (repeatedModel, repeatedNetwork) = Fit(trainRepeated, validationRepeated, weighted: false);
        var weightedHistory = weightedNetwork.History;
        var repeatedHistory = repeatedNetwork.History;
        for (int e = 0; e < weightedHistory.Count; e++)
        {
            Assert.AreEqual(repeatedHistory[e].TrainingLoss, weightedHistory[e].TrainingLoss, 1e-4 * Math.Max(1, repeatedHistory[e].TrainingLoss), $"training loss, epoch {e + 1}");
            Assert.AreEqual(repeatedHistory[e].ValidationLoss!.Value, weightedHistory[e].ValidationLoss!.Value, 1e-4 * Math.Max(1, repeatedHistory[e].ValidationLoss!.Value), $"validation loss, epoch {e + 1}");
            foreach (var (name, value) in repeatedHistory[e].ValidationMetrics)
                Assert.AreEqual(value, weightedHistory[e].ValidationMetrics[name], 1e-4 * Math.Max(1, Math.Abs(value)), $"{name}, epoch {e + 1}");
        }
        // The untrained network would score both alike too: the weights must have moved the fit away from the unweighted one.
        var (unweighted, unweightedNetwork) = Fit(train, validation, weighted: false);
        var expected = TestData.ReadScores(repeatedModel.Transform(test));
        var actual = TestData.ReadScores(weightedModel.Transform(test));
        var other = TestData.ReadScores(unweighted.Transform(test));
        double difference = 0, unweightedDifference = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            for (int j = 0; j < expected[i].Length; j++)
            {
                difference = Math.Max(difference, Math.Abs(expected[i][j] - actual[i][j]));
                unweightedDifference = Math.Max(unweightedDifference, Math.Abs(expected[i][j] - other[i][j]));
            }
        }
        Assert.IsLessThan(1e-4, difference, "weighted vs repeated scores");
        Assert.IsGreaterThan(100 * Math.Max(difference, 1e-6), unweightedDifference, "the weights changed nothing");
        foreach (var network in new[] { weightedNetwork, repeatedNetwork, unweightedNetwork })
            network.Dispose();
    }

    [TestMethod]
    public void GetOutputSchema_MissingWeightColumn_Throws()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(20, 1));
        var estimator = ml.Transforms.DeepNetwork(TestData.Tiny("Target") with { ExampleWeightColumnName = "Weight" });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShape.Create(data.Schema)));
        StringAssert.Contains(error.Message, "Could not find example weight column 'Weight'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
    }

    [TestMethod]
    public void Fit_WeightNotSingle_Throws()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(20, 1));
        var estimator = ml.Transforms.DeepNetwork(TestData.Tiny("Target") with { ExampleWeightColumnName = nameof(GeneratedRow.Positive) });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(error.Message, "example weight column 'Positive'");
        StringAssert.Contains(error.Message, "Single");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Fit_NegativeWeight_ThrowsNamingTheColumnAndRow(bool streamed)
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(40, 2).Weighted;
        rows[7].Weight = -1;
        var options = Options("Target", weighted: true, streamed, validation: null);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.DeepNetwork(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "Example weight column 'Weight' has -1 in row 7");
    }

    [TestMethod]
    public void Fit_NaNWeight_IsABadRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(40, 2).Weighted;
        rows[3].Weight = float.NaN;
        var options = Options("Target", weighted: true, streamed: false, validation: null);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.DeepNetwork(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "weight column 'Weight'");
        StringAssert.Contains(error.Message, nameof(NetworkTrainingOptions.DropRowsWithNonFiniteValues));
        options.DropRowsWithNonFiniteValues = true;
        using var model = ml.Transforms.DeepNetwork(options).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.HasCount(options.Epochs!.Value, model.History);
    }

    [TestMethod]
    public void Options_WeightColumnIsTheLabel_Throws()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.DeepNetwork(TestData.Tiny("Target") with { ExampleWeightColumnName = "Target" }));
        StringAssert.Contains(error.Message, nameof(DeepNetworkOptions.ExampleWeightColumnName));
    }
}
