using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Estimators;

/// <summary>
/// The same workout for every task: schema from the estimator equals schema from the transformer, bad input fails
/// in both, batched Transform equals PredictionEngine, and save → load in a fresh MLContext scores identically.
/// </summary>
[TestClass]
public sealed class EstimatorContractTests
{
    public sealed class Input
    {
        [VectorType(4)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class ScalarOutput
    {
        public float Score { get; set; }
    }

    public sealed class VectorOutput
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private static (MLContext Ml, IDataView Data, IEstimator<ITransformer> Estimator) Setup(DeepNetworkTask task)
    {
        var ml = new MLContext(seed: 7);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(300, seed: 11));
        IEstimator<ITransformer> estimator = task switch
        {
            DeepNetworkTask.MulticlassClassification => ml.Transforms.Conversion.MapValueToKey("Label", nameof(GeneratedRow.Class))
                .Append(ml.MulticlassClassification.Trainers.DeepNetwork(TestData.Tiny("Label", epochs: 3))),
            DeepNetworkTask.BinaryClassification => ml.BinaryClassification.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Positive), epochs: 3)),
            DeepNetworkTask.Regression => ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target), epochs: 3)),
            _ => ml.Transforms.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Targets), epochs: 3)),
        };
        return (ml, data, estimator);
    }

    [TestMethod]
    [DataRow(DeepNetworkTask.MulticlassClassification)]
    [DataRow(DeepNetworkTask.BinaryClassification)]
    [DataRow(DeepNetworkTask.Regression)]
    [DataRow(DeepNetworkTask.Auto)]
    public void OutputSchema_FromEstimator_MatchesTransformer(DeepNetworkTask task)
    {
        var (_, data, estimator) = Setup(task);
        var shape = estimator.GetOutputSchema(SchemaShape.Create(data.Schema));
        var schema = estimator.Fit(data).GetOutputSchema(data.Schema);
        foreach (var column in schema)
        {
            Assert.IsTrue(shape.TryFindColumn(column.Name, out var expected), $"column {column.Name} missing from the estimator's schema");
            var actual = SchemaShape.Create(schema).Single(c => c.Name == column.Name && c.Kind == expected.Kind);
            Assert.AreEqual(expected.ItemType, actual.ItemType, column.Name);
            Assert.AreEqual(expected.IsKey, actual.IsKey, column.Name);
        }
        Assert.IsTrue(schema.GetColumnOrNull("Score").HasValue);
    }

    [TestMethod]
    [DataRow(DeepNetworkTask.MulticlassClassification)]
    [DataRow(DeepNetworkTask.BinaryClassification)]
    [DataRow(DeepNetworkTask.Regression)]
    [DataRow(DeepNetworkTask.Auto)]
    public void MissingFeatureColumn_FailsInGetOutputSchemaAndFit(DeepNetworkTask task)
    {
        var (ml, data, estimator) = Setup(task);
        var noFeatures = ml.Transforms.DropColumns(nameof(GeneratedRow.Features)).Fit(data).Transform(data);
        var schemaError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShape.Create(noFeatures.Schema)));
        var fitError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(noFeatures));
        StringAssert.Contains(schemaError.Message, "Could not find feature column 'Features'");
        StringAssert.Contains(fitError.Message, "Could not find feature column 'Features'");
    }

    [TestMethod]
    [DataRow(DeepNetworkTask.MulticlassClassification)]
    [DataRow(DeepNetworkTask.BinaryClassification)]
    [DataRow(DeepNetworkTask.Regression)]
    [DataRow(DeepNetworkTask.Auto)]
    public void SaveLoad_InFreshContext_ScoresIdentically(DeepNetworkTask task)
    {
        var (ml, data, estimator) = Setup(task);
        var model = estimator.Fit(data);
        var expected = TestData.ReadScores(model.Transform(data));
        string path = Path.Combine(Path.GetTempPath(), $"mlde-contract-{task}-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var fresh = new MLContext(seed: 99);
            var loaded = fresh.Model.Load(path, out var inputSchema);
            Assert.AreEqual(data.Schema.Count, inputSchema.Count);
            var actual = TestData.ReadScores(loaded.Transform(fresh.Data.LoadFromEnumerable(TestData.Generate(300, seed: 11))));
            AssertSameScores(expected, actual, 0f);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow(DeepNetworkTask.MulticlassClassification)]
    [DataRow(DeepNetworkTask.BinaryClassification)]
    [DataRow(DeepNetworkTask.Regression)]
    [DataRow(DeepNetworkTask.Auto)]
    public void PredictionEngine_MatchesBatchedTransform(DeepNetworkTask task)
    {
        var (ml, data, estimator) = Setup(task);
        var model = estimator.Fit(data);
        var batched = TestData.ReadScores(model.Transform(data));
        var rows = TestData.Generate(300, seed: 11);
        bool vector = model.GetOutputSchema(data.Schema)["Score"].Type is VectorDataViewType;
        Func<GeneratedRow, float[]> predict = vector
            ? ml.Model.CreatePredictionEngine<GeneratedRow, VectorOutput>(model) is var v ? row => v.Predict(row).Score : null!
            : ml.Model.CreatePredictionEngine<GeneratedRow, ScalarOutput>(model) is var s ? row => new[] { s.Predict(row).Score } : null!;
        for (int i = 0; i < rows.Count; i += 37)
            AssertSameScores(new[] { batched[i] }, new[] { predict(rows[i]) }, 1e-5f);
    }

    [TestMethod]
    public void Transform_ScoringBatchNotDividingRows_ScoresEveryRowOnce()
    {
        var (ml, data, _) = Setup(DeepNetworkTask.Regression);
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 2);
        options.ScoringBatchSize = 64;
        var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        var batched = TestData.ReadScores(model.Transform(data));
        var engine = ml.Model.CreatePredictionEngine<GeneratedRow, ScalarOutput>(model);
        var rows = TestData.Generate(300, seed: 11);
        Assert.HasCount(300, batched);
        for (int i = 0; i < rows.Count; i++)
            Assert.AreEqual(engine.Predict(rows[i]).Score, batched[i][0], 1e-5f, $"row {i}");
    }

    private static void AssertSameScores(float[][] expected, float[][] actual, float tolerance)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.HasCount(expected[i].Length, actual[i]);
            for (int j = 0; j < expected[i].Length; j++)
                Assert.AreEqual(expected[i][j], actual[i][j], tolerance, $"row {i}, value {j}");
        }
    }
}

