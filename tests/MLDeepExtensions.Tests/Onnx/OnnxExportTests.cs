using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Tests.Onnx;

/// <summary>
/// ONNX export of every architecture and task: the exported graph, run by ONNX Runtime and by ML.NET's
/// ApplyOnnxModel, gives our Transform's outputs within 1e-5 (relative above 1) on real or generated data.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    private static readonly string[] MulticlassColumns = ["Score", "PredictedLabel"];

    public sealed class ImageRow
    {
        [VectorType(3 * 6 * 5)]
        public float[] Pixels { get; set; } = [];

        public float Brightness { get; set; }
    }

    public sealed class VariableRow
    {
        public float[] Steps { get; set; } = [];

        public bool Label { get; set; }
    }

    public sealed class Sentence
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    public sealed class RawRow
    {
        [VectorType(4)]
        public float[] Raw { get; set; } = [];

        public float Target { get; set; }
    }

    public sealed class Features4
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    private static void AssertMatches(MLContext ml, ITransformer model, IDataView data, string[] columns, string what, bool rowByRow = false, bool applyOnnxModel = true)
    {
        byte[] onnx = OnnxRunner.Export(ml, model, data);
        var expected = model.Transform(data);
        OnnxRunner.AssertClose(OnnxRunner.CompareOnnxRuntime(onnx, data, expected, columns, rowByRow), what + ", ONNX Runtime");
        if (applyOnnxModel)
            OnnxRunner.AssertClose(OnnxRunner.CompareApplyOnnxModel(ml, onnx, data, expected, columns), what + ", ApplyOnnxModel");
    }

    [TestMethod]
    public void Mlp_FashionPipelineWithNormalizerAndKeys_ExportsWhole()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 1000, test: 200);
        var options = new DeepNetworkOptions
        {
            FeatureColumnName = nameof(FashionImage.Pixels),
            Architecture = new MlpArchitecture(64, 32) { Activation = Activation.GELU, BatchNormalization = true, Dropout = 0.1f },
            Epochs = 2,
            Seed = 1,
        };
        var model = ml.Transforms.NormalizeMinMax(nameof(FashionImage.Pixels))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.DeepNetwork(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"))
            .Fit(train).OnLibtorch();

        byte[] onnx = OnnxRunner.Export(ml, model, test);
        using (var session = new InferenceSession(onnx))
        {
            // The silent failure of 0.1.0: a graph whose inputs were the network's own outputs.
            CollectionAssert.Contains(session.InputMetadata.Keys.ToList(), nameof(FashionImage.Pixels));
            CollectionAssert.DoesNotContain(session.InputMetadata.Keys.ToList(), "Score");
            CollectionAssert.IsSubsetOf(new[] { "Score.output", "PredictedLabel.output", "PredictedClass.output" }, session.OutputMetadata.Keys.ToList());

            // The class names come out of the graph too (MapKeyToValue after the network).
            using var results = session.Run(OnnxRunner.Inputs(session, test, Enumerable.Range(0, 200).ToArray()));
            var names = ((DenseTensor<string>)results.Single(r => r.Name == "PredictedClass.output").Value).ToArray();
            CollectionAssert.AreEqual(model.Transform(test).GetColumn<string>("PredictedClass").ToArray(), names);
        }
        AssertMatches(ml, model, test, MulticlassColumns, "MLP multiclass");
    }

    [TestMethod]
    [DataRow(nameof(GeneratedRow.Positive), Activation.LeakyReLU)]
    [DataRow(nameof(GeneratedRow.Target), Activation.ELU)]
    [DataRow(nameof(GeneratedRow.Target), Activation.Sigmoid)]
    [DataRow(nameof(GeneratedRow.Targets), Activation.Tanh)]
    [DataRow(nameof(GeneratedRow.Target), Activation.ReLU)]
    public void Mlp_BinaryAndRegression_EveryActivation(string label, Activation activation)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TestData.Generate(600, seed: 1));
        var test = ml.Data.LoadFromEnumerable(TestData.Generate(150, seed: 2));
        var options = TestData.Tiny(label, epochs: 5);
        options.Architecture = new MlpArchitecture(16, 8) { Activation = activation };
        var model = ml.Transforms.NormalizeMeanVariance(nameof(GeneratedRow.Features))
            .Append(ml.Transforms.DeepNetwork(options))
            .Fit(train).OnLibtorch();
        string[] columns = label == nameof(GeneratedRow.Positive) ? ["Score", "Probability", "PredictedLabel"] : ["Score"];
        AssertMatches(ml, model, test, columns, $"MLP {label} {activation}");
    }

    [TestMethod]
    public void Cnn_BatchNormMaxAndAveragePoolingStridesAndPadding_OnFashion()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 600, test: 100);
        var options = new DeepNetworkOptions
        {
            FeatureColumnName = nameof(FashionImage.Pixels),
            Architecture = new CnnArchitecture
            {
                InputShape = new ImageShape(1, 28, 28),
                ConvolutionBlocks = [
                    new ConvolutionBlock(8) { BatchNormalization = true, Pooling = PoolingKind.Max },
                    new ConvolutionBlock(6) { KernelSize = 2, Padding = 1, Stride = 2, Pooling = PoolingKind.Average, Activation = Activation.ELU },
                ],
                HiddenLayers = [16],
                Dropout = 0.2f,
            },
            Epochs = 1,
            Seed = 1,
        };
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.DeepNetwork(options)).Fit(train).OnLibtorch();
        AssertMatches(ml, model, test, MulticlassColumns, "CNN");
    }

    [TestMethod]
    public void Cnn_InterleavedPixels_TransposedAsInTraining()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        ImageRow Row()
        {
            var pixels = Enumerable.Range(0, 90).Select(_ => (float)random.NextDouble()).ToArray();
            return new ImageRow { Pixels = pixels, Brightness = pixels.Where((_, i) => i % 3 == 0).Average() };
        }
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 300).Select(_ => Row()).ToList());
        var test = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 50).Select(_ => Row()).ToList());
        var options = new DeepNetworkOptions
        {
            FeatureColumnName = nameof(ImageRow.Pixels),
            LabelColumnName = nameof(ImageRow.Brightness),
            Architecture = new CnnArchitecture
            {
                InputShape = new ImageShape(3, 6, 5),
                PixelLayout = PixelLayout.Interleaved,
                ConvolutionBlocks = [new ConvolutionBlock(4) { Padding = 1 }],
                HiddenLayers = [8],
            },
            Epochs = 3,
            Seed = 1,
        };
        var model = ml.Regression.Trainers.DeepNetwork(options).Fit(train).OnLibtorch();
        AssertMatches(ml, model, test, ["Score"], "CNN interleaved");
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, true, SequencePooling.Last, 2)]
    [DataRow(RecurrentCell.Gru, false, SequencePooling.Mean, 1)]
    [DataRow(RecurrentCell.Rnn, true, SequencePooling.Max, 2)]
    public void Rnn_FixedLength_ImagesAsRows(RecurrentCell cell, bool bidirectional, SequencePooling pooling, int layers)
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 400, test: 100);
        var options = new DeepNetworkOptions
        {
            FeatureColumnName = nameof(FashionImage.Pixels),
            Architecture = new RnnArchitecture
            {
                Cell = cell, HiddenSize = 12, Bidirectional = bidirectional, Pooling = pooling, RecurrentLayers = layers,
                RecurrentDropout = 0.1f, InputShape = new SequenceShape(28, 28), HiddenLayers = [8],
            },
            Epochs = 1,
            Seed = 1,
        };
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.DeepNetwork(options)).Fit(train).OnLibtorch();
        AssertMatches(ml, model, test, MulticlassColumns, $"RNN fixed {cell}");
    }

    private static List<VariableRow> Variable(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int steps = random.Next(1, 12);
            var values = Enumerable.Range(0, steps * 2).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return new VariableRow { Steps = values, Label = Enumerable.Range(0, steps).Sum(s => values[2 * s]) > 0 };
        }).ToList();
    }

    [TestMethod]
    [DataRow(RecurrentCell.Lstm, false, SequencePooling.Last, null)]
    [DataRow(RecurrentCell.Gru, true, SequencePooling.Mean, null)]
    [DataRow(RecurrentCell.Rnn, true, SequencePooling.Max, null)]
    [DataRow(RecurrentCell.Lstm, true, SequencePooling.Last, 6)]
    [DataRow(RecurrentCell.Gru, true, SequencePooling.Last, null)]
    public void Rnn_VariableLength_PaddingNeverChangesAResult(RecurrentCell cell, bool bidirectional, SequencePooling pooling, int? maxSteps)
    {
        var ml = new MLContext(seed: 1);
        var architecture = new RnnArchitecture { Cell = cell, HiddenSize = 8, Bidirectional = bidirectional, Pooling = pooling, FeaturesPerStep = 2, MaxSteps = maxSteps };
        var options = new DeepNetworkOptions { FeatureColumnName = nameof(VariableRow.Steps), Architecture = architecture, Epochs = 3, BatchSize = 32, Seed = 1 };
        var model = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(ml.Data.LoadFromEnumerable(Variable(300, seed: 1))).OnLibtorch();
        var rows = Variable(60, seed: 2);
        var test = ml.Data.LoadFromEnumerable(rows);
        string[] columns = ["Score", "Probability", "PredictedLabel"];
        // ML.NET's ONNX scorer feeds one row at a time; so does ONNX Runtime here: every sequence at its own length.
        AssertMatches(ml, model, test, columns, $"RNN variable {cell}", rowByRow: true);

        // One batch for ONNX Runtime: shorter sequences padded at the end with steps of NaN.
        byte[] onnx = OnnxRunner.Export(ml, model, test);
        int width = rows.Max(r => r.Steps.Length);
        var padded = rows.SelectMany(r => r.Steps.Concat(Enumerable.Repeat(float.NaN, width - r.Steps.Length))).ToArray();
        using var session = new InferenceSession(onnx);
        var inputs = OnnxRunner.Inputs(session, test, [0]).Where(i => i.Name != nameof(VariableRow.Steps)).Select(i => Repeat(i, rows.Count)).ToList();
        inputs.Add(NamedOnnxValue.CreateFromTensor(nameof(VariableRow.Steps), new DenseTensor<float>(padded, [rows.Count, width])));
        using var results = session.Run(inputs);
        double difference = OnnxRunner.MaxDifference(OnnxRunner.Read(model.Transform(test), "Score"), OnnxRunner.Output(results, "Score.output"));
        Console.WriteLine($"padded batch: Score {difference:G3}");
        Assert.IsLessThanOrEqualTo(1e-5, difference, "a padded batch scores like each sequence alone");
    }

    /// <summary>A one-row input repeated for <paramref name="rows"/> rows (the label inputs the graph also declares).</summary>
    private static NamedOnnxValue Repeat(NamedOnnxValue input, int rows) => input.Value switch
    {
        DenseTensor<bool> b => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<bool>(Enumerable.Repeat(b.GetValue(0), rows).ToArray(), [rows, 1])),
        DenseTensor<float> f => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(Enumerable.Repeat(f.GetValue(0), rows).ToArray(), [rows, 1])),
        _ => throw new ArgumentException(input.Name),
    };

    [TestMethod]
    public void Rnn_Tokens_GatherWithUnknownAndPaddingRows()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        string[] words = ["great", "good", "awful", "bad", "the", "film", "was", "plot", "and", "very"];
        List<Sentence> Sentences(int count) => Enumerable.Range(0, count).Select(_ =>
        {
            var picked = Enumerable.Range(0, random.Next(2, 10)).Select(_ => words[random.Next(words.Length)]).ToList();
            return new Sentence { Text = string.Join(' ', picked), Label = picked.Count(w => w is "great" or "good") > picked.Count(w => w is "awful" or "bad") };
        }).ToList();
        var keys = ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Sentence.Text)).Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
            .Fit(ml.Data.LoadFromEnumerable(Sentences(300))).OnLibtorch();
        var architecture = new RnnArchitecture { Cell = RecurrentCell.Gru, HiddenSize = 8, EmbeddingSize = 4, Bidirectional = true, MaxSteps = 6 };
        var options = new DeepNetworkOptions { FeatureColumnName = "Tokens", Architecture = architecture, Epochs = 3, BatchSize = 32, Seed = 1 };
        var network = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(keys.Transform(ml.Data.LoadFromEnumerable(Sentences(300)))).OnLibtorch();

        // Words the vocabulary never saw become missing keys (0): the network's unknown token.
        var testSentences = Sentences(40);
        testSentences.Add(new Sentence { Text = "the unseen film was wonderful" });
        var rawTest = ml.Data.LoadFromEnumerable(testSentences);
        string[] columns = ["Score", "Probability", "PredictedLabel"];
        // The whole text pipeline: ML.NET exports the tokenizer and the key mapping, so the graph reads the text.
        // Its tokenizer pads a batch's shorter sentences with missing keys, so text is fed one sentence per run.
        AssertMatches(ml, keys.Append(network), rawTest, columns, "RNN tokens from text", rowByRow: true);

        // From the keys on, as a service holding token ids would run it: a batch with shorter sequences padded with a key above the vocabulary.
        var tokens = keys.Transform(rawTest).GetColumn<uint[]>("Tokens").ToArray();
        var keyData = ml.Data.LoadFromEnumerable(tokens.Select(t => new TokenRow { Tokens = t }).ToList());
        AssertMatches(ml, network, keyData, columns, "RNN tokens from keys", rowByRow: true);
        byte[] onnx = OnnxRunner.Export(ml, network, keyData);
        int width = tokens.Max(t => t.Length);
        var padded = tokens.SelectMany(t => t.Concat(Enumerable.Repeat(uint.MaxValue, width - t.Length))).ToArray();
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Tokens", new DenseTensor<uint>(padded, [tokens.Length, width]))]);
        double difference = OnnxRunner.MaxDifference(OnnxRunner.Read(network.Transform(keyData), "Score"), OnnxRunner.Output(results, "Score.output"));
        Console.WriteLine($"padded token batch: Score {difference:G3}");
        Assert.IsLessThanOrEqualTo(1e-5, difference, "a padded batch of token sequences scores like each alone");
    }

    [TestMethod]
    [DataRow(SequencePooling.ClassToken, PositionEncoding.Learned)]
    [DataRow(SequencePooling.Last, PositionEncoding.Sinusoidal)]
    public void Transformer_Tokens_MaskedPaddingNeverChangesAResult(SequencePooling pooling, PositionEncoding positions)
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(2);
        string[] words = ["great", "good", "awful", "bad", "the", "film", "was", "plot", "and", "very"];
        List<Sentence> Sentences(int count) => Enumerable.Range(0, count).Select(_ =>
        {
            var picked = Enumerable.Range(0, random.Next(1, 10)).Select(_ => words[random.Next(words.Length)]).ToList();
            return new Sentence { Text = string.Join(' ', picked), Label = picked.Count(w => w is "great" or "good") > picked.Count(w => w is "awful" or "bad") };
        }).ToList();
        var keys = ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Sentence.Text)).Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
            .Fit(ml.Data.LoadFromEnumerable(Sentences(300))).OnLibtorch();
        var architecture = new TransformerArchitecture { ModelSize = 8, Heads = 2, FeedForwardSize = 16, Pooling = pooling, Positions = positions, MaxSteps = 6 };
        var options = new DeepNetworkOptions { FeatureColumnName = "Tokens", Architecture = architecture, Epochs = 3, BatchSize = 32, Seed = 1 };
        var network = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(keys.Transform(ml.Data.LoadFromEnumerable(Sentences(300)))).OnLibtorch();
        var testSentences = Sentences(40);
        testSentences.Add(new Sentence { Text = "the unseen film was wonderful" });
        var rawTest = ml.Data.LoadFromEnumerable(testSentences);
        string[] columns = ["Score", "Probability", "PredictedLabel"];
        AssertMatches(ml, keys.Append(network), rawTest, columns, $"Transformer ({pooling}) tokens from text", rowByRow: true);

        // One batch from the keys on: shorter sequences padded with a key above the vocabulary, masked out of the attention.
        var tokens = keys.Transform(rawTest).GetColumn<uint[]>("Tokens").ToArray();
        var keyData = ml.Data.LoadFromEnumerable(tokens.Select(t => new TokenRow { Tokens = t }).ToList());
        byte[] onnx = OnnxRunner.Export(ml, network, keyData);
        int width = tokens.Max(t => t.Length);
        var padded = tokens.SelectMany(t => t.Concat(Enumerable.Repeat(uint.MaxValue, width - t.Length))).ToArray();
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Tokens", new DenseTensor<uint>(padded, [tokens.Length, width]))]);
        double difference = OnnxRunner.MaxDifference(OnnxRunner.Read(network.Transform(keyData), "Score"), OnnxRunner.Output(results, "Score.output"));
        Console.WriteLine($"padded token batch: Score {difference:G3}");
        Assert.IsLessThanOrEqualTo(1e-5, difference, "a padded batch of token sequences scores like each alone");
    }

    public sealed class TokenRow
    {
        [KeyType(10)]
        public uint[] Tokens { get; set; } = [];
    }

    [TestMethod]
    public void Autoencoder_DenseAnomalyDetector_EveryColumnAndTheThreshold()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 800, test: 150);
        var options = new AutoencoderOptions
        {
            FeatureColumnName = nameof(FashionImage.Pixels),
            Architecture = new AutoencoderArchitecture(latentSize: 8, 32) { Activation = Activation.GELU },
            Epochs = 3,
            Seed = 1,
            ThresholdQuantile = 0.5,
        };
        var model = ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(train).OnLibtorch();
        var labels = model.Transform(test).GetColumn<bool>("PredictedLabel").ToArray();
        Assert.IsTrue(labels.Any(l => l) && labels.Any(l => !l), "the threshold splits the test images, so the comparison covers both sides");
        AssertMatches(ml, model, test, ["Embedding", "Reconstruction", "Score", "PredictedLabel"], "dense anomaly autoencoder");

        // A row that cannot be scored (NaN pixels) is flagged, in the exported graph as in our Transform.
        var images = test.GetColumn<float[]>(nameof(FashionImage.Pixels)).Take(4).Select(p => new FashionImage { Label = "x", Pixels = p }).ToArray();
        images[1].Pixels = images[1].Pixels.ToArray();
        images[1].Pixels[300] = float.NaN;
        var withNaN = ml.Data.LoadFromEnumerable(images);
        byte[] onnx = OnnxRunner.Export(ml, model, withNaN);
        using var session = new InferenceSession(onnx);
        using var results = session.Run(OnnxRunner.Inputs(session, withNaN, [0, 1, 2, 3]));
        var exported = OnnxRunner.Output(results, "PredictedLabel.output").Select(r => r[0] == 1f).ToArray();
        var ours = model.Transform(withNaN).GetColumn<bool>("PredictedLabel").ToArray();
        Assert.IsTrue(ours[1] && exported[1], "the NaN row is flagged");
        CollectionAssert.AreEqual(ours, exported);
    }

    [TestMethod]
    public void Autoencoder_Convolutional_UpsamplesAsTorchSharp()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 300, test: 60);
        var architecture = AutoencoderArchitecture.Convolutional(new ImageShape(1, 28, 28), latentSize: 8) with
        {
            // 28 → 14 → 7 → 3: the last upsampling goes 3 → 7, not a whole factor.
            ConvolutionBlocks = [
                new ConvolutionBlock(4) { Pooling = PoolingKind.Max, BatchNormalization = true },
                new ConvolutionBlock(4) { Pooling = PoolingKind.Max },
                new ConvolutionBlock(3) { Pooling = PoolingKind.Average },
            ],
        };
        var options = new AutoencoderOptions { FeatureColumnName = nameof(FashionImage.Pixels), Architecture = architecture, Epochs = 1, Seed = 1 };
        var model = ml.Transforms.Autoencoder(options).Fit(train).OnLibtorch();
        AssertMatches(ml, model, test, ["Embedding", "Reconstruction", "Score"], "convolutional autoencoder");
    }

    [TestMethod]
    [DataRow(9)]
    [DataRow(10)]
    public void LowestOpsets_CnnAndConvolutionalAutoencoder_ScoreTheSame(int opset)
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 200, test: 40);
        var cnn = new DeepNetworkOptions
        {
            FeatureColumnName = nameof(FashionImage.Pixels),
            Architecture = new CnnArchitecture
            {
                InputShape = new ImageShape(1, 28, 28),
                ConvolutionBlocks = [new ConvolutionBlock(4) { BatchNormalization = true, Pooling = PoolingKind.Max }, new ConvolutionBlock(4) { Pooling = PoolingKind.Average }],
                HiddenLayers = [8],
                Activation = Activation.GELU,
            },
            Epochs = 1,
            Seed = 1,
        };
        var classifier = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.DeepNetwork(cnn)).Fit(train).OnLibtorch();
        var autoencoder = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderOptions
        {
            FeatureColumnName = nameof(FashionImage.Pixels),
            Architecture = AutoencoderArchitecture.Convolutional(new ImageShape(1, 28, 28), latentSize: 4),
            Epochs = 1,
            Seed = 1,
        }).Fit(train).OnLibtorch();
        OnnxRunner.AssertClose(OnnxRunner.CompareOnnxRuntime(OnnxRunner.Export(ml, classifier, test, opset), test, classifier.Transform(test), MulticlassColumns, rowByRow: false), $"CNN at opset {opset}");
        OnnxRunner.AssertClose(OnnxRunner.CompareOnnxRuntime(OnnxRunner.Export(ml, autoencoder, test, opset), test, autoencoder.Transform(test),
            ["Embedding", "Reconstruction", "Score", "PredictedLabel"], rowByRow: false), $"convolutional autoencoder at opset {opset}");
    }

    [TestMethod]
    public void VariableLengthSequences_BelowOpset11_FailNamingWhatNeedsIt()
    {
        var ml = new MLContext(seed: 1);
        var architecture = new RnnArchitecture { Cell = RecurrentCell.Gru, HiddenSize = 4, FeaturesPerStep = 2 };
        var options = new DeepNetworkOptions { FeatureColumnName = nameof(VariableRow.Steps), Architecture = architecture, Epochs = 1, Seed = 1 };
        var data = ml.Data.LoadFromEnumerable(Variable(50, seed: 1));
        var model = ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data).OnLibtorch();
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OnnxRunner.Export(ml, model, data, opset: 10));
        StringAssert.Contains(error.Message, "variable-length sequences");
        StringAssert.Contains(error.Message, "11");
        Assert.IsNotEmpty(OnnxRunner.Export(ml, model, data, opset: 11));
    }

    [TestMethod]
    public void StepBeforeTheNetworkWithoutOnnx_FailsNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.Generate(200, seed: 1).Select(r => new RawRow { Raw = r.Features, Target = r.Target }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = TestData.Tiny(nameof(RawRow.Target), epochs: 1);
        var model = ml.Transforms.CustomMapping((RawRow input, Features4 output) => output.Features = input.Raw.Select(v => v * 2).ToArray(), contractName: null)
            .Append(ml.Transforms.DeepNetwork(options))
            .Fit(data).OnLibtorch();
        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxRunner.Export(ml, model, data));
        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "cannot be exported to ONNX");
    }
}
