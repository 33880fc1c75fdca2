using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.ModelRunner;
using MLDeepExtensions.Tests.Estimators;

namespace MLDeepExtensions.Tests.Scoring;

/// <summary>
/// The scoring engines: ONNX Runtime, on the network's own ONNX graph, scores every built-in architecture and head with
/// the same columns, key values and NaN handling as libtorch, values within 1e-5; Auto picks it where it can; your own
/// modules stay on libtorch; Transform, PredictionEngine, Forecast, a loaded model and many threads all use it.
/// </summary>
[TestClass]
public sealed class ScoringEngineTests
{
    private const double Tolerance = 1e-5;

    [ClassInitialize]
    public static void RegisterModules(TestContext _) => ExampleModules.Register();

    public static IEnumerable<object[]> BuiltIn => ConformanceCase.Names
        .Where(n => !n.StartsWith("control", StringComparison.Ordinal) && n != "custom-module").Select(n => new object[] { n });

    /// <summary>Every output column the network adds, each row's values as doubles (keys as their number, Booleans as 0/1).</summary>
    internal static List<(string Column, double[][] Rows)> Outputs(IDataView output, int inputColumns)
        => output.Schema.Skip(inputColumns)
            .Select(column => (column.Name, Onnx.OnnxRunner.Read(output, column.Name).Select(row => row.Select(v => (double)v).ToArray()).ToArray()))
            .ToList();

    internal static void AssertClose(List<(string Column, double[][] Rows)> expected, List<(string Column, double[][] Rows)> actual, double tolerance, string what)
    {
        CollectionAssert.AreEqual(expected.Select(c => c.Column).ToArray(), actual.Select(c => c.Column).ToArray(), $"{what}: columns");
        for (int c = 0; c < expected.Count; c++)
        {
            var (name, rows) = expected[c];
            Assert.HasCount(rows.Length, actual[c].Rows, $"{what}: rows of {name}");
            for (int r = 0; r < rows.Length; r++)
            {
                for (int i = 0; i < rows[r].Length; i++)
                {
                    double e = rows[r][i], a = actual[c].Rows[r][i];
                    bool same = double.IsNaN(e) ? double.IsNaN(a) : Math.Abs(e - a) <= tolerance * Math.Max(1, Math.Abs(e));
                    Assert.IsTrue(same, $"{what}: {name} row {r} value {i} is {a:R}, libtorch gave {e:R}");
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIn))]
    public void EveryBuiltInNetwork_ScoresWithOnnxRuntime_AsLibtorchDoes_InTransformAndPredictionEngine(string name)
    {
        var c = ConformanceCase.Create(name);
        using var model = (NetworkTransformerBase)c.Estimator.Fit(c.Data);
        Assert.AreEqual(ScoringEngine.Auto, model.ScoringEngine);
        Assert.AreEqual(ScoringEngine.OnnxRuntime, model.ActiveScoringEngine, "Auto scores a built-in network with ONNX Runtime on the CPU");
        int inputs = c.Data.Schema.Count;

        model.ScoringEngine = ScoringEngine.Torch;
        Assert.AreEqual(ScoringEngine.Torch, model.ActiveScoringEngine);
        var torchView = model.Transform(c.Data);
        var torch = Outputs(torchView, inputs);
        model.ScoringEngine = ScoringEngine.OnnxRuntime;
        var onnxView = model.Transform(c.Data);
        Assert.AreEqual(torchView.Schema.Count, onnxView.Schema.Count);
        for (int i = 0; i < torchView.Schema.Count; i++)
            Assert.AreEqual(torchView.Schema[i].Type, onnxView.Schema[i].Type, torchView.Schema[i].Name);
        AssertClose(torch, Outputs(onnxView, inputs), Tolerance, "Transform");

        // One row at a time (PredictionEngine's path): the same as the batched ONNX Runtime scores.
        var mapper = ((ITransformer)model).GetRowToRowMapper(c.Data.Schema);
        var outputColumns = mapper.OutputSchema.Skip(inputs).ToArray();
        var single = outputColumns.Select(column => (column.Name, new List<double[]>())).ToList();
        using (var cursor = c.Data.GetRowCursor(c.Data.Schema))
        using (var row = mapper.GetRow(cursor, outputColumns))
        {
            var getters = outputColumns.Select(column => Getter(row, column)).ToArray();
            while (cursor.MoveNext())
            {
                for (int i = 0; i < getters.Length; i++)
                    single[i].Item2.Add(getters[i]());
            }
        }
        AssertClose(Outputs(onnxView, inputs), single.Select(s => (s.Name, s.Item2.ToArray())).ToList(), 1e-6, "one row at a time");
    }

    private static Func<double[]> Getter(DataViewRow row, DataViewSchema.Column column)
    {
        switch (column.Type)
        {
            case VectorDataViewType { ItemType: BooleanDataViewType }:
                var flags = row.GetGetter<VBuffer<bool>>(column);
                return () => { VBuffer<bool> v = default; flags(ref v); return v.DenseValues().Select(x => x ? 1.0 : 0.0).ToArray(); };
            case VectorDataViewType:
                var vector = row.GetGetter<VBuffer<float>>(column);
                return () => { VBuffer<float> v = default; vector(ref v); return v.DenseValues().Select(x => (double)x).ToArray(); };
            case KeyDataViewType:
                var key = row.GetGetter<uint>(column);
                return () => { uint k = 0; key(ref k); return [k]; };
            case BooleanDataViewType:
                var flag = row.GetGetter<bool>(column);
                return () => { bool b = false; flag(ref b); return [b ? 1 : 0]; };
            default:
                var single = row.GetGetter<float>(column);
                return () => { float f = 0; single(ref f); return [f]; };
        }
    }

    [TestMethod]
    public void CustomModule_AutoScoresWithLibtorch_AndOnnxRuntimeIsAClearError()
    {
        var c = ConformanceCase.Create("custom-module");
        using var model = (NetworkTransformerBase)c.Estimator.Fit(c.Data);
        Assert.AreEqual(ScoringEngine.Torch, model.ActiveScoringEngine);
        Assert.IsTrue(TestData.ReadScores(model.Transform(c.Data)).All(r => r.All(float.IsFinite)));
        model.ScoringEngine = ScoringEngine.OnnxRuntime;
        var error = Assert.ThrowsExactly<NotSupportedException>(() => model.ActiveScoringEngine);
        StringAssert.Contains(error.Message, "cannot score with ONNX Runtime");
        StringAssert.Contains(error.Message, "ScoringEngine.Torch");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.ScoringEngine = (ScoringEngine)7);
    }

    [TestMethod]
    public void RowsThatCannotBeScored_GetNaNAndTheMissingKey_WithEitherEngine()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Transforms.Conversion.MapValueToKey("Label", nameof(GeneratedRow.Class)).Fit(ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 2)));
        var rows = TestData.Generate(6, seed: 3);
        rows[2].Features[1] = float.NaN;
        rows[4].Features[0] = float.PositiveInfinity;
        var data = train.Transform(ml.Data.LoadFromEnumerable(rows));
        using var model = ml.MulticlassClassification.Trainers.DeepNetwork(TestData.Tiny("Label", epochs: 2)).Fit(train.Transform(ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 2))));
        foreach (var engine in new[] { ScoringEngine.Torch, ScoringEngine.OnnxRuntime })
        {
            model.ScoringEngine = engine;
            var output = model.Transform(data);
            var scores = output.GetColumn<float[]>("Score").ToArray();
            var keys = output.GetColumn<uint>("PredictedLabel").ToArray();
            foreach (int bad in new[] { 2, 4 })
            {
                Assert.IsTrue(scores[bad].All(float.IsNaN), $"{engine}: row {bad} scores NaN");
                Assert.AreEqual(0u, keys[bad], $"{engine}: row {bad} gets the missing key");
            }
            Assert.IsTrue(scores[0].All(float.IsFinite), $"{engine}: a good row scores");
        }
    }

    [TestMethod]
    public void LoadedModel_ForecastAndEightThreads_ScoreWithOnnxRuntime_AsLibtorchDoes()
    {
        var c = ConformanceCase.Create("forecasting");
        using var fitted = (ForecastingTransformer)c.Estimator.Fit(c.Data);
        using var stream = new MemoryStream();
        c.Ml.Model.Save(fitted, c.Data.Schema, stream);
        stream.Position = 0;
        using var loaded = (ForecastingTransformer)new MLContext(seed: 2).Model.Load(stream, out _);
        Assert.AreEqual(ScoringEngine.OnnxRuntime, loaded.ActiveScoringEngine, "a loaded model scores with ONNX Runtime (Auto)");
        Assert.IsTrue(loaded.IsCalibrated, "the conformance forecaster is calibrated");

        var history = Enumerable.Range(0, 30).Select(t => (float)(5 + Math.Sin(2 * Math.PI * t / 12))).ToArray();
        var onnx = loaded.Forecast(history);
        loaded.ScoringEngine = ScoringEngine.Torch;
        var torch = loaded.Forecast(history);
        AssertClose([("Forecast", [torch.Forecast.Select(v => (double)v).ToArray()])], [("Forecast", [onnx.Forecast.Select(v => (double)v).ToArray()])], Tolerance, "Forecast(history)");

        loaded.ScoringEngine = ScoringEngine.OnnxRuntime;
        int inputs = c.Data.Schema.Count;
        var expected = Outputs(loaded.Transform(c.Data), inputs);
        var threads = Enumerable.Range(0, 8).Select(_ => Task.Run(() => Outputs(loaded.Transform(c.Data), inputs))).ToArray();
        Task.WaitAll(threads);
        foreach (var thread in threads)
            AssertClose(expected, thread.Result, 0, "a thread of eight");
    }

    [TestMethod]
    public void SavedModel_CarriesItsOnnxGraph_Checksummed_AndScoresFromItAfterLoad()
    {
        string path = Persistence.ModelZip.SaveTinyRegressor();
        try
        {
            byte[] graph = Persistence.ModelZip.Read(path, "OnnxGraph");
            Assert.IsGreaterThan(100, graph.Length, "the graph is saved with the model");
            var ml = new MLContext(seed: 1);
            var rows = ml.Data.LoadFromEnumerable(TestData.Generate(20, seed: 9));
            using (var loaded = (NetworkTransformerBase)ml.Model.Load(path, out _))
            {
                CollectionAssert.AreEqual(graph, loaded.Network.OnnxGraph, "the loaded model holds the saved graph: no export at load");
                Assert.AreEqual(ScoringEngine.OnnxRuntime, loaded.ActiveScoringEngine);
                var onnx = loaded.Transform(rows).GetColumn<float>("Score").ToArray();
                loaded.ScoringEngine = ScoringEngine.Torch;
                var torch = loaded.Transform(rows).GetColumn<float>("Score").ToArray();
                for (int i = 0; i < onnx.Length; i++)
                    Assert.AreEqual(torch[i], onnx[i], Tolerance * Math.Max(1, Math.Abs(torch[i])), $"row {i}");
            }

            var damaged = graph.ToArray();
            damaged[damaged.Length / 2] ^= 0x10;
            Persistence.ModelZip.Replace(path, "OnnxGraph", damaged, reseal: false);
            var error = Persistence.ModelZip.LoadError(path);
            Assert.IsInstanceOfType<InvalidDataException>(error, error.ToString());
            StringAssert.Contains(error.Message, "'OnnxGraph' entry does not match the checksum");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void CustomModuleModel_IsSavedWithoutAGraph()
    {
        var c = ConformanceCase.Create("custom-module");
        using var model = (NetworkTransformerBase)c.Estimator.Fit(c.Data);
        string path = Persistence.ModelZip.TempPath();
        try
        {
            c.Ml.Model.Save(model, c.Data.Schema, path);
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            Assert.IsFalse(zip.Entries.Any(e => e.FullName.EndsWith("/OnnxGraph", StringComparison.Ordinal)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
