using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Architectures;

/// <summary>
/// The Transformer encoder: it learns real data (Fashion-MNIST images read as 28 rows of 28 pixels), variable-length
/// rows scored in one padded batch equal the same rows scored one by one, and its settings are checked (ONNX
/// export: OnnxExportTests). PyTorch equivalence is in PyTorchInterchangeTests; the ONNX Runtime engine, the conformance
/// suite and serving cover it through the conformance cases "transformer", "transformer-variable" and "transformer-tokens".
/// </summary>
[TestClass]
public sealed class TransformerTests
{
    public sealed class Sentence
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    private static readonly string[] Good = ["great", "good", "lovely", "fine", "excellent"];
    private static readonly string[] Bad = ["awful", "bad", "poor", "terrible", "dull"];
    private static readonly string[] Filler = ["the", "film", "was", "plot", "and", "acting", "very", "a", "story", "it"];

    /// <summary>Sentences of 2 to 14 words; the label says whether the one sentiment word among them is a good one.</summary>
    private static List<Sentence> Sentences(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            bool positive = random.Next(2) == 0;
            var words = Enumerable.Range(0, random.Next(1, 14)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
            words.Insert(random.Next(words.Count + 1), (positive ? Good : Bad)[random.Next(5)]);
            return new Sentence { Text = string.Join(' ', words), Label = positive };
        }).ToList();
    }

    private static IEstimator<ITransformer> Tokens(MLContext ml)
        => ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Sentence.Text)).Append(ml.Transforms.Conversion.MapValueToKey("Tokens"));

    [TestMethod]
    public void Fit_FashionImagesAsSequencesOfRows_Learns()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 2000, test: 500);
        var options = new DeepNetworkOptions
        {
            Architecture = new TransformerArchitecture
            {
                ModelSize = 32, Heads = 4, EncoderLayers = 2, FeedForwardSize = 64, Pooling = SequencePooling.ClassToken, InputShape = new SequenceShape(28, 28),
            },
            Optimizer = OptimizerSettings.AdamW(3e-3),
            Epochs = 6,
            BatchSize = 64,
            Seed = 1,
        };
        var model = TestData.FashionPipeline(ml, options).Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Console.WriteLine($"Transformer 2×32 on 2,000 Fashion-MNIST images as 28 rows: test accuracy {metrics.MicroAccuracy:F3}");
        Assert.IsGreaterThan(0.7, metrics.MicroAccuracy, "ten classes: chance is 0.1");
    }

    [TestMethod]
    [DataRow(SequencePooling.ClassToken)]
    [DataRow(SequencePooling.Mean)]
    [DataRow(SequencePooling.Max)]
    [DataRow(SequencePooling.Last)]
    public void Tokens_OnePaddedBatch_EqualsOneByOne(SequencePooling pooling)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Sentences(300, 3));
        var options = new DeepNetworkOptions
        {
            FeatureColumnName = "Tokens",
            Architecture = new TransformerArchitecture { ModelSize = 16, Heads = 2, FeedForwardSize = 32, Pooling = pooling },
            Optimizer = OptimizerSettings.Adam(3e-3),
            Epochs = 6,
            BatchSize = 32,
            Seed = 1,
            ScoringEngine = ScoringEngine.Torch,
        };
        var model = Tokens(ml).Append(ml.BinaryClassification.Trainers.DeepNetwork(options)).Fit(data);
        var test = ml.Data.LoadFromEnumerable(Sentences(100, 4));
        var batched = model.Transform(test).GetColumn<float>("Score").ToArray();
        var engine = ml.Model.CreatePredictionEngine<Sentence, ScoreRow>(model);
        var single = Sentences(100, 4).Select(s => engine.Predict(s).Score).ToArray();
        for (int i = 0; i < batched.Length; i++)
            Assert.AreEqual(batched[i], single[i], 1e-5, $"row {i}");
        var accuracy = ml.BinaryClassification.Evaluate(model.Transform(test)).Accuracy;
        Assert.IsGreaterThan(0.8, accuracy, $"{pooling}: finds the sentiment word");
    }

    public sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    [TestMethod]
    public void Options_Invalid_SayWhatToChange()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            Architecture = new TransformerArchitecture { ModelSize = 30, Heads = 4, EncoderDropout = 1.5f, Positions = (PositionEncoding)7 },
        }));
        StringAssert.Contains(error.Message, "TransformerArchitecture.ModelSize is 30 and Heads 4; the model size must be a multiple of the heads");
        StringAssert.Contains(error.Message, "TransformerArchitecture.EncoderDropout");
        StringAssert.Contains(error.Message, "TransformerArchitecture.Positions");
        var rnn = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            Architecture = new RnnArchitecture { Pooling = SequencePooling.ClassToken },
        }));
        StringAssert.Contains(rnn.Message, "ClassToken, which only a TransformerArchitecture has");
    }
}
