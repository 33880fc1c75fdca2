using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Tests.Onnx;

namespace MLDeepExtensions.Tests.Data;

/// <summary>
/// ML.NET does not hold a row's vector to its column's declared size (a PredictionEngine's input array, rows from
/// LoadFromEnumerable), so every place that reads rows checks the length itself: a row of another length is an error
/// naming the column, the row and both lengths, never a row scored with the previous row's values.
/// </summary>
[TestClass]
public sealed class InputWidthTests
{
    public sealed class WidthRow
    {
        [VectorType(4)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Target { get; set; }
    }

    public sealed class Prediction
    {
        public float Score { get; set; }
    }

    private static readonly MLContext Ml = new(seed: 1);

    private static ITransformer Regressor(out IDataView data)
    {
        data = Ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 3));
        return Ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target), epochs: 2)).Fit(data);
    }

    private static void AssertNamesTheMismatch(Exception error, string column, int expected, int actual, long? row = null)
    {
        Assert.IsInstanceOfType<ArgumentException>(error, error.ToString());
        StringAssert.Contains(error.Message, $"'{column}'");
        StringAssert.Contains(error.Message, $"holds {actual} values");
        StringAssert.Contains(error.Message, $"reads {expected} per row");
        if (row is long r)
            StringAssert.Contains(error.Message, $"at row {r};");
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(6)]
    [DataRow(0)]
    public void PredictionEngine_FeatureVectorOfAnotherLength_ThrowsInsteadOfReusingThePreviousRow(int length)
    {
        using var model = (DeepNetworkTransformer)Regressor(out _);
        using var engine = Ml.Model.CreatePredictionEngine<GeneratedRow, Prediction>(model);
        var good = TestData.Generate(1, seed: 9)[0];
        float expected = engine.Predict(good).Score;
        var bad = new GeneratedRow { Features = Enumerable.Range(1, length).Select(i => (float)i).ToArray() };
        AssertNamesTheMismatch(Assert.Throws<Exception>(() => engine.Predict(bad)), nameof(GeneratedRow.Features), 4, length);
        Assert.AreEqual(expected, engine.Predict(good).Score, "the engine still scores good rows after refusing a bad one");
    }

    [TestMethod]
    public void TransformAndRowMapper_RowOfAnotherLength_ThrowNamingTheRow()
    {
        using var model = (DeepNetworkTransformer)Regressor(out _);
        var rows = TestData.Generate(10, seed: 4);
        rows[6].Features = rows[6].Features.Take(3).ToArray();
        var data = Ml.Data.LoadFromEnumerable(rows);
        AssertNamesTheMismatch(Assert.Throws<Exception>(() => model.Transform(data).GetColumn<float>("Score").ToArray()), "Features", 4, 3, row: 6);

        var mapper = ((ITransformer)model).GetRowToRowMapper(data.Schema);
        using var cursor = data.GetRowCursor(data.Schema);
        using var row = mapper.GetRow(cursor, mapper.OutputSchema.Where(c => c.Name == "Score"));
        var score = row.GetGetter<float>(row.Schema["Score"]);
        float value = 0;
        for (int i = 0; i < 6; i++)
        {
            Assert.IsTrue(cursor.MoveNext());
            score(ref value);
        }
        Assert.IsTrue(cursor.MoveNext());
        AssertNamesTheMismatch(Assert.Throws<Exception>(() => score(ref value)), "Features", 4, 3, row: 6);
    }

    [TestMethod]
    [DataRow(DataLoadingMode.InMemory)]
    [DataRow(DataLoadingMode.Streaming)]
    public void Fit_FeatureOrLabelVectorOfAnotherLength_Throws(DataLoadingMode mode)
    {
        var rows = TestData.Generate(100, seed: 5);
        rows[40].Features = rows[40].Features.Concat(new[] { 1f }).ToArray();
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1) with { DataLoading = new DataLoadingOptions { Mode = mode } };
        var error = Assert.Throws<Exception>(() => Ml.Regression.Trainers.DeepNetwork(options).Fit(Ml.Data.LoadFromEnumerable(rows)));
        AssertNamesTheMismatch(error, "Features", 4, 5, row: 40);

        rows = TestData.Generate(100, seed: 5);
        rows[70].Targets = new[] { 1f };
        options = TestData.Tiny(nameof(GeneratedRow.Targets), epochs: 1) with { DataLoading = new DataLoadingOptions { Mode = mode } };
        error = Assert.Throws<Exception>(() => Ml.Transforms.DeepNetwork(options).Fit(Ml.Data.LoadFromEnumerable(rows)));
        AssertNamesTheMismatch(error, "Targets", 2, 1, row: 70);
    }

    [TestMethod]
    public void CategoricalNetwork_FeatureVectorOfAnotherLength_Throws()
    {
        var train = Ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 6));
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1) with { CategoricalColumns = new[] { new CategoricalColumn("ClassKey") } };
        var model = Ml.Transforms.Conversion.MapValueToKey("ClassKey", nameof(GeneratedRow.Class))
            .Append(Ml.Regression.Trainers.DeepNetwork(options)).Fit(train);
        using var engine = Ml.Model.CreatePredictionEngine<GeneratedRow, Prediction>(model);
        var row = TestData.Generate(1, seed: 7)[0];
        Assert.IsTrue(float.IsFinite(engine.Predict(row).Score));
        row.Features = new[] { 1f, 2f };
        AssertNamesTheMismatch(Assert.Throws<Exception>(() => engine.Predict(row)), "Features", 4, 2);
        model.LastTransformer.Dispose();
    }

    [TestMethod]
    public void ExportedGraph_DeclaresTheInputWidth_SoOnnxRuntimeRefusesAnotherOne()
    {
        var data = Ml.Data.LoadFromEnumerable(TestData.Generate(100, seed: 3).Select(r => new WidthRow { Features = r.Features, Target = r.Target }));
        using var model = Ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(WidthRow.Target), epochs: 1)).Fit(data);
        using var session = new InferenceSession(OnnxRunner.Export(Ml, model, data));
        var declared = session.InputMetadata["Features"].Dimensions;
        Assert.AreEqual(4, declared[^1], "the graph declares the width");
        var tooShort = NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(new float[] { 1, 2 }, new[] { 1, 2 }));
        var inputs = session.InputMetadata.Keys.Where(k => k != "Features")
            .Select(k => NamedOnnxValue.CreateFromTensor(k, new DenseTensor<float>(new float[] { 0 }, new[] { 1, 1 }))).Prepend(tooShort).ToList();
        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(inputs).Dispose());
        StringAssert.Contains(error.Message, "Features");
    }
}
