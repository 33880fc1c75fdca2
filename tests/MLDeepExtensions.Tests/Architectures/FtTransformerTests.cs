using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Tests.Onnx;

namespace MLDeepExtensions.Tests.Architectures;

/// <summary>
/// The FT-Transformer (<see cref="FtTransformerArchitecture"/>): one token per numeric feature and per categorical
/// column, on generated rows of raw-scale features and a colour whose category shifts the class boundary.
/// </summary>
[TestClass]
public sealed class FtTransformerTests
{
    public sealed class Row
    {
        [VectorType(3)]
        public float[] Features { get; set; } = [];

        public string Colour { get; set; } = "";

        public bool Label { get; set; }

        public float Target { get; set; }
    }

    private static readonly string[] Colours = ["red", "green", "blue", "grey"];

    /// <summary>
    /// Features on raw scales (a length in hundreds, a ratio near 1, a count in thousands); Label says whether the
    /// standardized length plus the colour's shift (−1.5, −0.5, 0.5, 1.5) exceeds the standardized ratio. Without the
    /// colour a classifier gets about 75%; with it, all but the 3% of flipped labels. Target is the same sum, as a number.
    /// </summary>
    internal static Row[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return Enumerable.Range(0, count).Select(_ =>
        {
            int colour = random.Next(Colours.Length);
            float length = Normal(), ratio = Normal(), count = Normal();
            float margin = length + (colour - 1.5f) - ratio;
            bool label = margin > 0;
            if (random.NextDouble() < 0.03)
                label = !label;
            return new Row
            {
                Features = [300 + 80 * length, 1 + 0.05f * ratio, 5000 + 1000 * count],
                Colour = Colours[colour], Label = label, Target = margin + 0.05f * Normal(),
            };
        }).ToArray();
    }

    private static IEstimator<ITransformer> Keys(MLContext ml) => ml.Transforms.Conversion.MapValueToKey("ColourKey", nameof(Row.Colour));

    private static DeepNetworkOptions Options(string label, int epochs) => new()
    {
        LabelColumnName = label,
        Architecture = new FtTransformerArchitecture { ModelSize = 16, Heads = 2 },
        CategoricalColumns = [new CategoricalColumn("ColourKey")],
        Optimizer = OptimizerSettings.AdamW(3e-3),
        Epochs = epochs,
        BatchSize = 32,
        Seed = 1,
    };

    [TestMethod]
    public void Fit_RawFeaturesAndACategoricalColumn_ClassifiesWell_AndSavesLoadsAndExportsWhole()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(1200, seed: 1));
        var test = ml.Data.LoadFromEnumerable(Rows(400, seed: 2));
        var model = Keys(ml).Append(ml.BinaryClassification.Trainers.DeepNetwork(Options(nameof(Row.Label), epochs: 15))).Fit(train);
        var network = model.LastTransformer;
        StringAssert.Contains(network.Architecture.ToString(), "FT-Transformer 2×16 (2 heads, feed-forward 32)");
        StringAssert.Contains(network.Architecture.ToString(), "ColourKey (4 keys)");
        CollectionAssert.IsSubsetOf(new[] { "tokenizer", "embed.0", "layers.0.self_attn", "norm", "head.output" }, network.LayerNames.ToArray());
        StringAssert.Contains(network.Summary().ToString(), "tokenizer");

        double accuracy = ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(test), nameof(Row.Label)).Accuracy;
        // The colour is worth about 20 points here: only a network that reads its token gets near the 97% ceiling.
        Assert.IsGreaterThan(0.9, accuracy, $"test accuracy {accuracy:F3}");

        var rows = ml.Data.LoadFromEnumerable(Rows(40, seed: 3));
        float[] Scores(ITransformer m) => m.Transform(rows).GetColumn<float>("Score").ToArray();
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 2).Model.Load(stream, out _);
        CollectionAssert.AreEqual(Scores(model), Scores(loaded), "saved and loaded");

        byte[] onnx = OnnxRunner.Export(ml, model, rows);
        OnnxRunner.AssertClose(OnnxRunner.CompareOnnxRuntime(onnx, rows, model.OnLibtorch().Transform(rows), ["Score"], rowByRow: false), "FT-Transformer, ONNX Runtime");
        (loaded as IDisposable)?.Dispose();
        model.Dispose();
    }

    [TestMethod]
    public void Regression_LearnsTheMargin()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(1000, seed: 4));
        var test = ml.Data.LoadFromEnumerable(Rows(300, seed: 5));
        using var model = Keys(ml).Append(ml.Regression.Trainers.DeepNetwork(Options(nameof(Row.Target), epochs: 15))).Fit(train);
        double r2 = ml.Regression.Evaluate(model.Transform(test), nameof(Row.Target)).RSquared;
        Assert.IsGreaterThan(0.9, r2, $"test R² {r2:F3}");
    }

    [TestMethod]
    public void Options_Invalid_SayWhatToChange()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            Architecture = new FtTransformerArchitecture
            {
                ModelSize = 30, Heads = 4, EncoderLayers = 0, FeedForwardSize = 0, EncoderDropout = 1.5f, HiddenLayers = [8, 0], Dropout = -0.1f,
                Activation = (Activation)42,
            },
        }));
        foreach (string message in new[]
        {
            "FtTransformerArchitecture.ModelSize is 30 and Heads 4; the model size must be a multiple of the heads", "FtTransformerArchitecture.EncoderLayers is 0",
            "FtTransformerArchitecture.FeedForwardSize is 0; it must be ≥ 1, or null for 2 × ModelSize", "FtTransformerArchitecture.EncoderDropout is 1.5",
            "FtTransformerArchitecture.HiddenLayers[1] is 0", "FtTransformerArchitecture.Dropout is -0.1", "FtTransformerArchitecture.Activation is 42",
        })
        {
            StringAssert.Contains(error.Message, message);
        }

        var size = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            Architecture = new FtTransformerArchitecture(), CategoricalColumns = [new CategoricalColumn("Colour") { EmbeddingSize = 4 }],
        }));
        StringAssert.Contains(size.Message, "CategoricalColumns[0] ('Colour') has EmbeddingSize 4; an FtTransformerArchitecture embeds each column as a token of its ModelSize (32) values");
    }

    [TestMethod]
    public void Settings_SurviveSaveAndLoad_AndANewerVersionIsRefused()
    {
        var architecture = new FtTransformerArchitecture
        {
            ModelSize = 24, Heads = 3, EncoderLayers = 3, FeedForwardSize = 40, EncoderDropout = 0.2f, HiddenLayers = [12],
            Activation = Activation.GELU, Dropout = 0.1f, StandardizeInputs = false, Categorical = [new CategoricalInput("Colour", 4, 24)],
        };
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            ArchitectureRegistry.Write(writer, architecture);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            Assert.AreEqual(architecture, ArchitectureRegistry.Read(reader, versioned: true));
        Assert.AreEqual(architecture with { FeedForwardSize = null }, Read(Written(architecture with { FeedForwardSize = null })), "the default feed-forward size stays the default");

        // The same settings under a layout version this release does not know.
        byte[] bytes = Written(architecture);
        int versionAt = 1 + "ft-transformer".Length;
        BitConverter.GetBytes(FtTransformerArchitecture.CurrentSettingsVersion + 1).CopyTo(bytes, versionAt);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Read(bytes));
        StringAssert.Contains(error.Message, "'ft-transformer' network settings have layout version 2, newer than this version of MLDeepExtensions reads (up to 1)");
    }

    private static byte[] Written(NetworkArchitecture architecture)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            ArchitectureRegistry.Write(writer, architecture);
        return stream.ToArray();
    }

    private static NetworkArchitecture Read(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return ArchitectureRegistry.Read(reader, versioned: true);
    }
}
