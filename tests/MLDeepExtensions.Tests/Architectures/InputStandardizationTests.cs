using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Architectures;

/// <summary>The MLP's built-in input standardization (<see cref="MlpArchitecture.StandardizeInputs"/>).</summary>
[TestClass]
public sealed class InputStandardizationTests
{
    /// <summary>
    /// The generated rows with their features on very different scales and far from zero, as raw tabular data comes:
    /// x0 in the thousands around 5,000, x1 in thousandths, x2 around 300, x3 as it is. The label still depends on x0, x1, x2.
    /// </summary>
    private static List<GeneratedRow> Raw(int count, int seed) => TestData.Generate(count, seed).Select(r => new GeneratedRow
    {
        Features = [r.Features[0] * 1000 + 5000, r.Features[1] * 0.001f, r.Features[2] + 300, r.Features[3]],
        Positive = r.Positive,
        Target = r.Target,
    }).ToList();

    private static DeepNetworkOptions Binary(bool standardize, int epochs = 10)
    {
        var options = TestData.Tiny(nameof(GeneratedRow.Positive), epochs);
        options.Architecture = ((MlpArchitecture)options.Architecture) with { StandardizeInputs = standardize };
        return options;
    }

    private static float[] Buffer(ITransformer model, string name)
    {
        var module = ((DeepNetworkTransformer)model).Network.Module;
        using var values = module.state_dict()[name].cpu();
        return values.data<float>().ToArray();
    }

    [TestMethod]
    public void RawFeaturesOnDifferentScales_TrainWellOnlyWhenStandardized()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Raw(1500, seed: 1));
        var test = ml.Data.LoadFromEnumerable(Raw(500, seed: 2));
        double Accuracy(bool standardize)
        {
            using var model = ml.BinaryClassification.Trainers.DeepNetwork(Binary(standardize)).Fit(train);
            return ml.BinaryClassification.Evaluate(model.Transform(test), nameof(GeneratedRow.Positive)).Accuracy;
        }

        double standardized = Accuracy(true), raw = Accuracy(false);
        // The label is a linear rule with 5% flipped (best accuracy about 0.95); without standardization x1's thousandths
        // barely move the first layer and x0's thousands saturate it.
        Assert.IsGreaterThan(0.88, standardized, $"accuracy standardized {standardized}, raw {raw}");
        Assert.IsGreaterThan(raw + 0.05, standardized, $"accuracy standardized {standardized}, raw {raw}");
    }

    [TestMethod]
    public void Measure_GivesEachFeaturesMeanAndSpread_AcrossBatchesAndLargeOffsets()
    {
        // 10,000 rows (three batches of the pass), a feature of spread 0.5 around a million, where a running sum of squares in
        // single precision would lose every digit of the spread.
        var random = new Random(5);
        const int rows = 10_000;
        var values = new double[rows, 3];
        for (int i = 0; i < rows; i++)
        {
            values[i, 0] = 1e6 + 0.5 * (random.NextDouble() * 2 - 1) * Math.Sqrt(3);
            values[i, 1] = random.NextDouble() * 10 - 3;
            values[i, 2] = 7;
        }
        var features = new float[rows * 3];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < 3; j++)
                features[i * 3 + j] = (float)values[i, j];

        using var source = new InMemoryBatchSource(new TrainingSet(tensor(features, [rows, 3]), zeros(rows)));
        var moments = FeatureStatistics.Measure(source, 3, CancellationToken.None);

        Assert.AreEqual(rows, moments.Rows);
        for (int j = 0; j < 3; j++)
        {
            // The reference: two passes in double over the same float values.
            double mean = Enumerable.Range(0, rows).Average(i => (double)features[i * 3 + j]);
            double spread = Math.Sqrt(Enumerable.Range(0, rows).Average(i => Math.Pow(features[i * 3 + j] - mean, 2)));
            Assert.AreEqual(mean, moments.Mean[j], 1e-9 * Math.Max(1, Math.Abs(mean)), $"mean of feature {j}");
            Assert.AreEqual(spread, moments.Spread[j], 1e-9 * Math.Max(1, spread), $"spread of feature {j}");
        }
        Assert.AreEqual(0.5, moments.Spread[0], 0.02, "the spread around a million is measured, not lost");
        Assert.AreEqual(1, moments.ConstantCount, "feature 2 is constant");
    }

    [TestMethod]
    public void FittedNetwork_HoldsTheTrainingRowsStatistics_AndAConstantFeatureIsOnlyCentered()
    {
        var ml = new MLContext(seed: 1);
        var rows = Raw(600, seed: 3);
        foreach (var row in rows)
            row.Features[3] = 7; // constant in training
        using var model = ml.BinaryClassification.Trainers.DeepNetwork(Binary(true, epochs: 2)).Fit(ml.Data.LoadFromEnumerable(rows));

        float[] mean = Buffer(model, "standardize.mean"), scale = Buffer(model, "standardize.scale");
        for (int j = 0; j < 3; j++)
        {
            double expectedMean = rows.Average(r => (double)r.Features[j]);
            double expectedSpread = Math.Sqrt(rows.Average(r => Math.Pow(r.Features[j] - expectedMean, 2)));
            Assert.AreEqual(expectedMean, mean[j], 1e-6 * Math.Max(1, Math.Abs(expectedMean)), $"mean of feature {j}");
            Assert.AreEqual(1 / expectedSpread, scale[j], 1e-5 / expectedSpread, $"scale of feature {j}");
        }
        Assert.AreEqual(7f, mean[3]);
        Assert.AreEqual(1f, scale[3], "a constant feature is centered, not divided by its zero spread");

        // Rows where the constant feature moves still score finite values.
        var moved = Raw(50, seed: 4);
        foreach (var row in moved)
            row.Features[3] = 8;
        var scores = model.Transform(ml.Data.LoadFromEnumerable(moved)).GetColumn<float>("Score").ToArray();
        Assert.IsTrue(scores.All(float.IsFinite), "every score finite");
    }

    [TestMethod]
    public void StreamedTraining_MeasuresTheSameStatisticsAsInMemory()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Raw(5000, seed: 6));
        float[][] Statistics(DataLoadingMode mode)
        {
            var options = Binary(true, epochs: 1);
            options.DataLoading = new DataLoadingOptions { Mode = mode };
            using var model = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data);
            return [Buffer(model, "standardize.mean"), Buffer(model, "standardize.scale")];
        }

        var inMemory = Statistics(DataLoadingMode.InMemory);
        var streamed = Statistics(DataLoadingMode.Streaming);
        CollectionAssert.AreEqual(inMemory[0], streamed[0], "means");
        CollectionAssert.AreEqual(inMemory[1], streamed[1], "scales");
    }

    [TestMethod]
    public void ImportedWeightsWithoutStandardization_TakeRawInputs_AndWithItKeepIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Raw(400, seed: 7));
        string plainFile = Path.Combine(Path.GetTempPath(), $"mlde-{Guid.NewGuid():N}.safetensors");
        string standardizedFile = Path.Combine(Path.GetTempPath(), $"mlde-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var plain = ml.BinaryClassification.Trainers.DeepNetwork(Binary(false, epochs: 3)).Fit(data);
            plain.ExportWeights(plainFile);
            using var standardized = ml.BinaryClassification.Trainers.DeepNetwork(Binary(true, epochs: 3)).Fit(data);
            standardized.ExportWeights(standardizedFile);

            // Continue each in a standardizing network with steps too small to change anything.
            ITransformer Continue(string file)
            {
                var options = Binary(true, epochs: 1);
                options.InitialWeights = file;
                options.Optimizer = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 1e-12 };
                return ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data);
            }

            var fromPlain = Continue(plainFile);
            CollectionAssert.AreEqual(new float[4], Buffer(fromPlain, "standardize.mean"), "no standardization in the file: the identity");
            CollectionAssert.AreEqual(Enumerable.Repeat(1f, 4).ToArray(), Buffer(fromPlain, "standardize.scale"));
            float[] expected = plain.Transform(data).GetColumn<float>("Score").ToArray();
            float[] actual = fromPlain.Transform(data).GetColumn<float>("Score").ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(expected[i], actual[i], 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"row {i}: the imported network scores raw rows as before");

            var fromStandardized = Continue(standardizedFile);
            CollectionAssert.AreEqual(Buffer(standardized, "standardize.mean"), Buffer(fromStandardized, "standardize.mean"), "the file's statistics are kept");
            CollectionAssert.AreEqual(Buffer(standardized, "standardize.scale"), Buffer(fromStandardized, "standardize.scale"));
            (fromPlain as IDisposable)?.Dispose();
            (fromStandardized as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(plainFile);
            File.Delete(standardizedFile);
        }
    }
}
