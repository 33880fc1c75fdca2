using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Architectures;

[TestClass]
public sealed class RnnTests
{
    public sealed class VariableRow
    {
        /// <summary>A variable-length sequence of (x, y) pairs, flattened.</summary>
        public float[] Steps { get; set; } = Array.Empty<float>();

        /// <summary>True when the sum of the x values is positive.</summary>
        public bool Label { get; set; }
    }

    public sealed class Sentence
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    public sealed class SeriesPoint
    {
        public float Value { get; set; }
    }

    private static readonly string[] Good = { "great", "good", "lovely", "fine", "excellent" };
    private static readonly string[] Bad = { "awful", "bad", "poor", "terrible", "dull" };
    private static readonly string[] Filler = { "the", "film", "was", "plot", "and", "acting", "very", "a", "story", "it" };

    private static List<VariableRow> Variable(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int steps = random.Next(1, 12);
            var values = Enumerable.Range(0, steps * 2).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float sum = Enumerable.Range(0, steps).Sum(s => values[2 * s]);
            return new VariableRow { Steps = values, Label = sum > 0 };
        }).ToList();
    }

    private static List<Sentence> Sentences(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            bool positive = random.Next(2) == 0;
            var words = Enumerable.Range(0, random.Next(3, 12)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
            words.Insert(random.Next(words.Count + 1), (positive ? Good : Bad)[random.Next(5)]);
            return new Sentence { Text = string.Join(' ', words), Label = positive };
        }).ToList();
    }

    private static DeepNetworkOptions Options(string features, RnnArchitecture architecture, int epochs) => new()
    {
        FeatureColumnName = features,
        Architecture = architecture,
        Optimizer = OptimizerSettings.Adam(0.01),
        Epochs = epochs,
        BatchSize = 32,
        Seed = 1,
    };

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, false, SequencePooling.Last)]
    [DataRow(RecurrentCell.Gru, true, SequencePooling.Mean)]
    [DataRow(RecurrentCell.Rnn, true, SequencePooling.Max)]
    public void VariableLength_SequenceAloneOrAmongLongerOnes_ScoresTheSame(RecurrentCell cell, bool bidirectional, SequencePooling pooling)
    {
        var ml = new MLContext(seed: 1);
        var rows = Variable(400, seed: 1);
        var architecture = new RnnArchitecture { Cell = cell, HiddenSize = 16, Bidirectional = bidirectional, Pooling = pooling, FeaturesPerStep = 2 };
        var model = ml.BinaryClassification.Trainers.DeepNetwork(Options(nameof(VariableRow.Steps), architecture, epochs: 8)).Fit(ml.Data.LoadFromEnumerable(rows));

        var test = Variable(200, seed: 2);
        var accuracy = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test))).Accuracy;
        Assert.IsGreaterThan(0.85, accuracy, $"accuracy {accuracy}");

        // A short sequence scored alone, then in one batch with much longer ones.
        var shortOne = new VariableRow { Steps = new[] { 0.5f, -0.2f, -0.1f, 0.3f } };
        float alone = model.Transform(ml.Data.LoadFromEnumerable(new[] { shortOne })).GetColumn<float>("Score").Single();
        var batch = new[] { test.First(r => r.Steps.Length >= 20), shortOne, test.Last(r => r.Steps.Length >= 20) };
        float inBatch = model.Transform(ml.Data.LoadFromEnumerable(batch)).GetColumn<float>("Score").ElementAt(1);
        Assert.AreEqual(alone, inBatch, 1e-5f);
    }

    [TestMethod]
    public void Tokens_TextClassificationInAnMLNetTextPipeline()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Sentences(600, seed: 1));
        var architecture = new RnnArchitecture { Cell = RecurrentCell.Gru, HiddenSize = 16, EmbeddingSize = 8, Bidirectional = true };
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Sentence.Text))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
            .Append(ml.BinaryClassification.Trainers.DeepNetwork(Options("Tokens", architecture, epochs: 6)));
        var model = pipeline.Fit(train);
        var rnn = (RnnArchitecture)model.LastTransformer.Architecture;
        StringAssert.Contains(rnn.ToString(), "tokens of 20"); // 10 filler + 5 good + 5 bad words
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(Sentences(200, seed: 2))));
        Assert.IsGreaterThan(0.95, metrics.Accuracy, $"accuracy {metrics.Accuracy}");

        // An unseen word maps to the missing key and is read as "unknown", not an error.
        var unseen = ml.Data.LoadFromEnumerable(new[] { new Sentence { Text = "the zebra was lovely" } });
        Assert.IsTrue(model.Transform(unseen).GetColumn<bool>("PredictedLabel").Single());
    }

    [TestMethod]
    public void FixedShape_FromColumnDimensions_ForecastingBeatsNaive()
    {
        var ml = new MLContext(seed: 1);
        // A noisy seasonal series: period 12 with a slow trend.
        var random = new Random(4);
        var series = Enumerable.Range(0, 600).Select(t => new SeriesPoint
        {
            Value = (float)(Math.Sin(2 * Math.PI * t / 12) + 0.002 * t + 0.05 * (random.NextDouble() - 0.5)),
        }).ToList();
        var windows = ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(series), nameof(SeriesPoint.Value), lookback: 24);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 24, 1), windows.Schema["Features"].Type);
        var split = ml.Data.TrainTestSplit(windows, testFraction: 0.2, seed: 1);
        var architecture = new RnnArchitecture { Cell = RecurrentCell.Gru, HiddenSize = 16 };
        var model = ml.Regression.Trainers.DeepNetwork(Options("Features", architecture, epochs: 15)).Fit(split.TrainSet);
        StringAssert.Contains(model.Architecture.ToString(), "24×1 steps");

        var scored = model.Transform(split.TestSet);
        var last = scored.GetColumn<float[]>("Features").Select(w => w[^1]).ToArray();
        var truth = scored.GetColumn<float>("Label").ToArray();
        var predicted = scored.GetColumn<float>("Score").ToArray();
        double mae = truth.Zip(predicted).Average(p => Math.Abs(p.First - p.Second));
        double naive = truth.Zip(last).Average(p => Math.Abs(p.First - p.Second));
        Assert.IsLessThan(0.5 * naive, mae, $"MAE {mae} vs naive {naive}");
    }

    [TestMethod]
    public void ForecastingWindows_HoldTheRightValues()
    {
        var ml = new MLContext();
        var series = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new SeriesPoint { Value = i }));
        var windows = ml.Data.CreateForecastingWindows(series, nameof(SeriesPoint.Value), lookback: 3, horizon: 2, featureColumnName: "Past", labelColumnName: "Next");
        var past = windows.GetColumn<float[]>("Past").ToArray();
        var next = windows.GetColumn<float[]>("Next").ToArray();
        Assert.HasCount(6, past);
        CollectionAssert.AreEqual(new float[] { 2, 3, 4 }, past[2]);
        CollectionAssert.AreEqual(new float[] { 5, 6 }, next[2]);
        Assert.ThrowsExactly<ArgumentException>(() => ml.Data.CreateForecastingWindows(series, nameof(SeriesPoint.Value), lookback: 9, horizon: 2));
    }

    [TestMethod]
    public void BadSequences_GetClearErrors()
    {
        var ml = new MLContext(seed: 1);
        var architecture = new RnnArchitecture { HiddenSize = 4, FeaturesPerStep = 2 };
        var options = Options(nameof(VariableRow.Steps), architecture, epochs: 1);
        var odd = Variable(20, seed: 3);
        odd[5] = new VariableRow { Steps = new float[] { 1, 2, 3 }, Label = true };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(ml.Data.LoadFromEnumerable(odd)));
        StringAssert.Contains(error.Message, "holds 3 values at row 5, which is not a whole number of steps of 2");

        var empty = Variable(20, seed: 3);
        empty[7] = new VariableRow { Steps = Array.Empty<float>() };
        error = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(ml.Data.LoadFromEnumerable(empty)));
        StringAssert.Contains(error.Message, "empty sequence at row 7");

        // Token keys of another vocabulary than the training one.
        var train = ml.Data.LoadFromEnumerable(Sentences(50, seed: 1));
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Sentence.Text)).Append(ml.Transforms.Conversion.MapValueToKey("Tokens"));
        var model = tokens.Append(ml.BinaryClassification.Trainers.DeepNetwork(Options("Tokens", new RnnArchitecture { HiddenSize = 4 }, epochs: 1))).Fit(train);
        var other = ml.Data.LoadFromEnumerable(new[] { new Sentence { Text = "entirely different words here" } });
        var otherTokens = tokens.Fit(other).Transform(other);
        var mismatch = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.LastTransformer.Transform(otherTokens));
        StringAssert.Contains(mismatch.Message, "the training vocabulary");
    }

    [TestMethod]
    public void SaveLoad_TokenModel_ScoresIdentically()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Sentences(200, seed: 1));
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Sentence.Text))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
            .Append(ml.BinaryClassification.Trainers.DeepNetwork(Options("Tokens", new RnnArchitecture { HiddenSize = 8, RecurrentLayers = 2, RecurrentDropout = 0.2f, Pooling = SequencePooling.Max }, epochs: 2)));
        var model = pipeline.Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"mlde-rnn-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var test = ml.Data.LoadFromEnumerable(Sentences(50, seed: 5));
            CollectionAssert.AreEqual(model.Transform(test).GetColumn<float>("Score").ToArray(), loaded.Transform(test).GetColumn<float>("Score").ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
