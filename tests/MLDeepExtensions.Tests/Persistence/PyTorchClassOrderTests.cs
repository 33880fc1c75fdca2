using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Persistence;

/// <summary>
/// A classifier's weights carry their class order to and from PyTorch: the export writes the class names in key order
/// beside the weights, and an import into a label numbered in another order is refused, never a permuted model.
/// </summary>
[TestClass]
public sealed class PyTorchClassOrderTests
{
    private sealed class ClassName
    {
        public string Class { get; set; } = "";
    }

    /// <summary>Generated rows (class = quadrant of two of the four features) with the label mapped in <paramref name="order"/> (null: order of appearance).</summary>
    private static (IDataView Train, IDataView Test) Data(MLContext ml, IEnumerable<string>? order = null,
        ValueToKeyMappingEstimator.KeyOrdinality ordinality = ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence)
    {
        var train = ml.Data.LoadFromEnumerable(TestData.Generate(400, seed: 21));
        var test = ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 22));
        var keyData = order is null ? null : ml.Data.LoadFromEnumerable(order.Select(c => new ClassName { Class = c }));
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label", nameof(GeneratedRow.Class), keyOrdinality: ordinality, keyData: keyData).Fit(train);
        return (toKey.Transform(train), toKey.Transform(test));
    }

    private static string[] LabelOrder(IDataView data)
    {
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        data.Schema["Label"].GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    private static DeepNetworkOptions Options(int epochs = 10) => new()
    {
        FeatureColumnName = nameof(GeneratedRow.Features),
        Architecture = new MlpArchitecture(16),
        Optimizer = OptimizerSettings.Adam(0.01),
        Epochs = epochs,
        BatchSize = 32,
        Seed = 2,
    };

    private static string[] PredictedClasses(ITransformer model, IDataView test)
    {
        var scored = model.Transform(test);
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["PredictedLabel"].GetKeyValues(ref names);
        var classes = names.DenseValues().Select(n => n.ToString()).ToArray();
        return scored.GetColumn<uint>("PredictedLabel").Select(k => classes[k - 1]).ToArray();
    }

    private static string TempWeights(string extension) => Path.Combine(Path.GetTempPath(), $"mlde-classes-{Guid.NewGuid():N}{extension}");

    private static void Delete(string weights)
    {
        File.Delete(weights);
        File.Delete(weights + ".classes.json");
    }

    [TestMethod]
    [DataRow(".pt")]
    [DataRow(".safetensors")]
    public void ExportedClassifier_WritesItsClassNamesInKeyOrder_BesideTheWeights(string extension)
    {
        var ml = new MLContext(seed: 1);
        var (train, _) = Data(ml);
        using var model = ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 1)).Fit(train);
        string weights = TempWeights(extension);
        try
        {
            model.ExportWeights(weights);
            using var json = JsonDocument.Parse(File.ReadAllBytes(weights + ".classes.json"));
            Assert.AreEqual(1, json.RootElement.GetProperty("version").GetInt32());
            var classes = json.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()).ToArray();
            CollectionAssert.AreEqual(LabelOrder(train), classes);

            // A regressor exported to the same path leaves no class list behind.
            using var regressor = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1)).Fit(train);
            regressor.ExportWeights(weights);
            Assert.IsFalse(File.Exists(weights + ".classes.json"));
        }
        finally
        {
            Delete(weights);
        }
    }

    [TestMethod]
    public void ImportIntoALabelNumberedInAnotherOrder_IsRefusedNamingBothOrdersAndTheFix()
    {
        var ml = new MLContext(seed: 1);
        var (train, _) = Data(ml);
        using var model = ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 1)).Fit(train);
        string weights = TempWeights(".pt");
        try
        {
            model.ExportWeights(weights);
            var exported = LabelOrder(train);
            var (reversed, _) = Data(ml, exported.Reverse());
            CollectionAssert.AreNotEqual(exported, LabelOrder(reversed));
            var error = Assert.ThrowsExactly<InvalidDataException>(() =>
                ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 0) with { InitialWeights = weights }).Fit(reversed));
            StringAssert.Contains(error.Message, $"for the classes in the order {string.Join(", ", exported)}");
            StringAssert.Contains(error.Message, $"the label column 'Label' numbers them {string.Join(", ", exported.Reverse())}");
            StringAssert.Contains(error.Message, "MapValueToKey(\"Label\", keyData:");

            // Fine-tuning is refused the same way.
            Assert.ThrowsExactly<InvalidDataException>(() =>
                ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 2) with { InitialWeights = weights }).Fit(reversed));
        }
        finally
        {
            Delete(weights);
        }
    }

    [TestMethod]
    public void ImportIntoTheWeightsOrder_ScoresAsTheExportedModel_WhateverTheRowOrder()
    {
        var ml = new MLContext(seed: 1);
        // Sorted class names, as torchvision's ImageFolder numbers its folders.
        var (sorted, sortedTest) = Data(ml, ordinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        using var model = ml.MulticlassClassification.Trainers.DeepNetwork(Options()).Fit(sorted);
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(sortedTest)).MicroAccuracy;
        Assert.IsGreaterThan(0.85, accuracy, "the quadrant classifier learns");
        string weights = TempWeights(".safetensors");
        try
        {
            model.ExportWeights(weights);
            var (byOccurrence, _) = Data(ml);
            CollectionAssert.AreNotEqual(LabelOrder(sorted), LabelOrder(byOccurrence), "the rows' order of appearance is not sorted");
            var error = Assert.ThrowsExactly<InvalidDataException>(() =>
                ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 0) with { InitialWeights = weights }).Fit(byOccurrence));
            StringAssert.Contains(error.Message, "keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue");

            // Each fix the message names: ByValue, and keyData in the class file's order.
            using var classes = JsonDocument.Parse(File.ReadAllBytes(weights + ".classes.json"));
            var fileOrder = classes.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToArray();
            foreach (var (train, test) in new[] { Data(ml, ordinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue), Data(ml, fileOrder) })
            {
                using var imported = ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 0) with { InitialWeights = weights }).Fit(train);
                CollectionAssert.AreEqual(PredictedClasses(model, sortedTest), PredictedClasses(imported, test));
                Assert.AreEqual(accuracy, ml.MulticlassClassification.Evaluate(imported.Transform(test)).MicroAccuracy);
            }
        }
        finally
        {
            Delete(weights);
        }
    }

    [TestMethod]
    public void InitialWeightsClasses_ChecksWeightsWithoutAClassFile_AndWithoutEitherTheImportWarns()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var (train, _) = Data(ml);
        using var model = ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 1)).Fit(train);
        string weights = TempWeights(".pt");
        try
        {
            model.ExportWeights(weights);
            File.Delete(weights + ".classes.json"); // as torch.save(net.state_dict(), path) writes it
            var order = LabelOrder(train);
            var swapped = order.ToArray();
            (swapped[0], swapped[1]) = (swapped[1], swapped[0]);

            var error = Assert.ThrowsExactly<ArgumentException>(() =>
                ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 0) with { InitialWeights = weights, InitialWeightsClasses = swapped }).Fit(train));
            Assert.AreEqual(nameof(DeepNetworkOptions.InitialWeightsClasses), error.ParamName);
            StringAssert.Contains(error.Message, $"in the order {string.Join(", ", swapped)}");
            StringAssert.Contains(error.Message, $"numbers them {string.Join(", ", order)}");

            var other = Assert.ThrowsExactly<ArgumentException>(() =>
                ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 0) with { InitialWeights = weights, InitialWeightsClasses = ["a", "b", "c", "d"] }).Fit(train));
            StringAssert.Contains(other.Message, "the weights were trained for other classes");

            using (ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 0) with { InitialWeights = weights, InitialWeightsClasses = order }).Fit(train))
            lock (log)
                Assert.IsFalse(log.Any(m => m.Contains("without its class order")), string.Join("\n", log));

            using (ml.MulticlassClassification.Trainers.DeepNetwork(Options(epochs: 0) with { InitialWeights = weights }).Fit(train))
            lock (log)
                Assert.AreEqual(1, log.Count(m => m.Contains("without its class order") && m.Contains(string.Join(", ", order)) && m.Contains("InitialWeightsClasses")), string.Join("\n", log));
        }
        finally
        {
            Delete(weights);
        }
    }

    [TestMethod]
    public void InitialWeightsClasses_BadValues_AreErrors()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            ml.MulticlassClassification.Trainers.DeepNetwork(Options() with { InitialWeightsClasses = ["a", "b", "a"] }));
        StringAssert.Contains(error.Message, "InitialWeightsClasses is set but InitialWeights is null");
        StringAssert.Contains(error.Message, "names 'a' twice");
    }
}
