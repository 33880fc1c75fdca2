using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Persistence;

[TestClass]
public sealed class ModelFileTests
{
    private static string TempPath(string name) => Path.Combine(Path.GetTempPath(), $"mlde-{name}-{Guid.NewGuid():N}");

    private static (MLContext Ml, IDataView Test, ITransformer Model, string Path) TrainAndSaveFashion()
    {
        var ml = new MLContext(seed: 2);
        var (train, test) = TestData.Fashion(ml, train: 1000, test: 100);
        var model = TestData.FashionPipeline(ml, new DeepNetworkOptions { Architecture = new MlpArchitecture(32) { BatchNormalization = true, Dropout = 0.1f }, Epochs = 2 }).Fit(train);
        string path = TempPath("fashion") + ".zip";
        ml.Model.Save(model, train.Schema, path);
        return (ml, test, model, path);
    }

    [TestMethod]
    public void SaveLoad_InNewProcess_GivesIdenticalScores()
    {
        var ml = new MLContext(seed: 4);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 8));
        var model = ml.Transforms.Conversion.MapValueToKey("Label", nameof(GeneratedRow.Class))
            .Append(ml.Transforms.DeepNetwork(TestData.Tiny("Label", epochs: 3)))
            .Fit(data);
        var rows = TestData.Generate(50, seed: 9);
        string modelPath = TempPath("model") + ".zip", rowsPath = TempPath("rows"), scoresPath = TempPath("scores");
        try
        {
            // The other process sees only the features column, as a model's consumer would.
            var featuresOnly = ml.Transforms.SelectColumns(nameof(GeneratedRow.Features)).Fit(data).Transform(data);
            var deepOnly = model.LastTransformer;
            ml.Model.Save(deepOnly, featuresOnly.Schema, modelPath);
            ModelRunnerProcess.WriteRows(rowsPath, rows.Select(r => r.Features).ToArray());
            var expected = TestData.ReadScores(deepOnly.Transform(ml.Data.LoadFromEnumerable(rows)));

            StringAssert.Contains(ModelRunnerProcess.Run(modelPath, rowsPath, scoresPath), "DeepNetworkTransformer");

            var scores = ModelRunnerProcess.ReadScores(scoresPath);
            Assert.HasCount(4, scores[0], "four classes");
            ModelRunnerProcess.AssertBitwiseEqual(expected, scores);
        }
        finally
        {
            foreach (string path in new[] { modelPath, rowsPath, scoresPath })
                File.Delete(path);
        }
    }

    [TestMethod]
    public void SaveLoad_KeepsArchitectureHistoryAndClassNames()
    {
        var (_, test, model, path) = TrainAndSaveFashion();
        try
        {
            var loaded = new MLContext().Model.Load(path, out _);
            var original = ((System.Collections.Generic.IEnumerable<ITransformer>)model).Last() as DeepNetworkTransformer;
            var reloaded = ((System.Collections.Generic.IEnumerable<ITransformer>)loaded).Last() as DeepNetworkTransformer;
            Assert.IsNotNull(original);
            Assert.IsNotNull(reloaded);
            Assert.AreEqual(original.Architecture.ToString(), reloaded.Architecture.ToString());
            Assert.AreEqual(original.ParameterCount, reloaded.ParameterCount);
            CollectionAssert.AreEqual(original.History.ToList(), reloaded.History.ToList());
            Assert.AreEqual(DeepNetworkTask.MulticlassClassification, reloaded.Task);
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            loaded.Transform(test).Schema["PredictedLabel"].GetKeyValues(ref names);
            CollectionAssert.AreEquivalent(MLDeepExtensions.Samples.FashionMnist.ClassNames, names.DenseValues().Select(v => v.ToString()).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Load_TruncatedFile_ThrowsFormatExceptionFromMLNet()
    {
        var (ml, _, _, path) = TrainAndSaveFashion();
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            // ML.NET opens the zip before our code runs: it reports a FormatException around the zip reader's InvalidDataException.
            var error = Assert.ThrowsExactly<FormatException>(() => ml.Model.Load(path, out _));
            Assert.IsInstanceOfType<InvalidDataException>(error.InnerException);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Load_CorruptedWeights_ThrowsInvalidDataNamingTheNetwork()
    {
        var (ml, _, _, path) = TrainAndSaveFashion();
        try
        {
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.Entries.Single(e => e.FullName.EndsWith("Network", StringComparison.Ordinal));
                string name = entry.FullName;
                byte[] content;
                using (var stream = entry.Open())
                using (var memory = new MemoryStream())
                {
                    stream.CopyTo(memory);
                    content = memory.ToArray();
                }
                entry.Delete();
                // Keep the architecture, cut the weights short.
                using var replaced = zip.CreateEntry(name).Open();
                replaced.Write(content, 0, content.Length / 3);
            }
            // ML.NET calls our loader through reflection, which wraps what it throws; the cause is ours.
            Exception error = Assert.Throws<Exception>(() => ml.Model.Load(path, out _));
            while (error is System.Reflection.TargetInvocationException { InnerException: { } inner })
                error = inner;
            Assert.IsInstanceOfType<InvalidDataException>(error);
            // The weights no longer match the checksum saved with them (HostileModelFileTests reseal to reach the reader's own checks).
            StringAssert.Contains(error.Message, "its 'Network' entry does not match the checksum saved with it");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
