using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.ModelRunner;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Architectures;

/// <summary>
/// Modules written outside the library (<see cref="ExampleModules"/>: a residual MLP and a self-attention network) trained
/// by DeepNetwork through <see cref="CustomArchitecture"/>: learning, every optimizer, save → load in a new process, and
/// what goes wrong with unregistered or ill-fitting modules.
/// </summary>
[TestClass]
public sealed class CustomModuleTests
{
    private static readonly MLContext Ml = new(seed: 1);

    [ClassInitialize]
    public static void RegisterModules(TestContext _) => ExampleModules.Register();

    /// <summary>Generated rows (class = quadrant of two of the four features), labels as keys: 600 to train, 300 to test.</summary>
    private static (IDataView Train, IDataView Test) Data()
    {
        var toKey = Ml.Transforms.Conversion.MapValueToKey("Label", nameof(GeneratedRow.Class)).Fit(Ml.Data.LoadFromEnumerable(TestData.Generate(600, seed: 21)));
        return (toKey.Transform(Ml.Data.LoadFromEnumerable(TestData.Generate(600, seed: 21))), toKey.Transform(Ml.Data.LoadFromEnumerable(TestData.Generate(300, seed: 22))));
    }

    private static DeepNetworkOptions Options(string module, int epochs = 15) => new()
    {
        Architecture = new CustomArchitecture(module),
        Optimizer = OptimizerSettings.AdamW(0.01),
        Epochs = epochs,
        BatchSize = 32,
        Seed = 2,
    };

    [TestMethod]
    [DataRow(ExampleModules.ResidualMlpName, 0.9)]
    [DataRow(ExampleModules.AttentionName, 0.85)]
    public void CustomModule_Learns_LikeABuiltInNetwork(string module, double minimumAccuracy)
    {
        var (train, test) = Data();
        using var model = Ml.MulticlassClassification.Trainers.DeepNetwork(Options(module)).Fit(train);
        double accuracy = Ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Assert.IsGreaterThan(minimumAccuracy, accuracy, $"{module}: test accuracy {accuracy}");
        Assert.AreEqual($"custom module '{module}' [4]", model.Architecture.ToString());
        Assert.IsLessThan(model.History[0].TrainingLoss, model.History[^1].TrainingLoss);
    }

    [TestMethod]
    [DataRow(OptimizerKind.Sgd)]
    [DataRow(OptimizerKind.SgdMomentum)]
    [DataRow(OptimizerKind.Nesterov)]
    [DataRow(OptimizerKind.Adadelta)]
    [DataRow(OptimizerKind.RmsProp)]
    [DataRow(OptimizerKind.Adam)]
    [DataRow(OptimizerKind.AdamW)]
    public void CustomModule_TrainsWithEveryOptimizer(OptimizerKind kind)
    {
        var (train, _) = Data();
        var options = Options(ExampleModules.ResidualMlpName, epochs: 5) with
        {
            Optimizer = new OptimizerSettings { Kind = kind, LearningRate = kind switch { OptimizerKind.Adadelta => 1.0, OptimizerKind.Sgd => 0.1, _ => 0.01 } },
        };
        using var model = Ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(train);
        Assert.IsLessThan(0.7 * model.History[0].TrainingLoss, model.History[^1].TrainingLoss, $"{kind}: {string.Join(", ", model.History.Select(m => m.TrainingLoss))}");
    }

    [TestMethod]
    public void CustomModule_SavedAndLoadedInANewProcess_ScoresBitwiseTheSame_AndNeedsItsRegistration()
    {
        var (train, _) = Data();
        using var model = Ml.MulticlassClassification.Trainers.DeepNetwork(Options(ExampleModules.AttentionName, epochs: 3)).Fit(train);
        var rows = TestData.Generate(40, seed: 23);
        string folder = Path.Combine(Path.GetTempPath(), $"mlde-custom-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string modelPath = Path.Combine(folder, "model.zip"), rowsPath = Path.Combine(folder, "rows.bin"), scoresPath = Path.Combine(folder, "scores.bin");
            var featuresOnly = Ml.Transforms.SelectColumns(nameof(GeneratedRow.Features)).Fit(train).Transform(train);
            Ml.Model.Save(model, featuresOnly.Schema, modelPath);
            ModelRunnerProcess.WriteRows(rowsPath, rows.Select(r => r.Features).ToArray());
            var expected = TestData.ReadScores(model.Transform(Ml.Data.LoadFromEnumerable(rows)));

            ModelRunnerProcess.Run("score-custom", modelPath, rowsPath, scoresPath);
            ModelRunnerProcess.AssertBitwiseEqual(expected, ModelRunnerProcess.ReadScores(scoresPath));

            // A process that never registered the module: the load names it and the call to make.
            using var unregistered = ModelRunnerProcess.Start(modelPath, rowsPath, scoresPath);
            string output = unregistered.StandardOutput.ReadToEnd() + unregistered.StandardError.ReadToEnd();
            unregistered.WaitForExit();
            Assert.AreNotEqual(0, unregistered.ExitCode);
            StringAssert.Contains(output, $"CustomModules.Register(\"{ExampleModules.AttentionName}\"");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void CustomModule_LayersCanBeFrozenAndTheFitContinued()
    {
        var (train, _) = Data();
        using var first = Ml.MulticlassClassification.Trainers.DeepNetwork(Options(ExampleModules.ResidualMlpName, epochs: 2)).Fit(train);
        CollectionAssert.AreEqual(new[] { "input", "blocks.0.norm", "blocks.0.dense0", "blocks.0.dense1", "blocks.1.norm", "blocks.1.dense0", "blocks.1.dense1", "output" },
            first.LayerNames.ToArray());
        var options = Options(ExampleModules.ResidualMlpName, epochs: 1) with { FrozenLayers = LayerSelection.Named("input", "blocks") };
        using var tuned = Ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(train, first);
        var before = TestData.SavedNetwork(Ml, first, train.Schema);
        var after = TestData.SavedNetwork(Ml, tuned, train.Schema);
        CollectionAssert.AreNotEqual(before, after, "the output layer trained");
    }

    [TestMethod]
    public void UnregisteredName_MalformedName_OrOtherFactory_AreErrors()
    {
        var unknown = Assert.ThrowsExactly<ArgumentException>(() => Ml.MulticlassClassification.Trainers.DeepNetwork(Options("tests.never-registered")));
        StringAssert.Contains(unknown.Message, "CustomModules.Register(\"tests.never-registered\"");
        var malformed = Assert.ThrowsExactly<ArgumentException>(() => Ml.MulticlassClassification.Trainers.DeepNetwork(Options("no spaces")));
        StringAssert.Contains(malformed.Message, "CustomArchitecture.ModuleName is 'no spaces'");
        Assert.ThrowsExactly<ArgumentException>(() => CustomModules.Register("a/b", _ => nn.Linear(1, 1)));
        var clash = Assert.ThrowsExactly<InvalidOperationException>(() => CustomModules.Register(ExampleModules.ResidualMlpName, context => nn.Linear(context.InputSize, context.OutputSize)));
        StringAssert.Contains(clash.Message, "registered already");
    }

    [TestMethod]
    public void ModuleWithTheWrongOutputSize_OrNoWeights_OrFloat64_IsRefusedBeforeTraining()
    {
        var (train, _) = Data();
        CustomModules.Register("tests.wrong-output", context => nn.Linear(context.InputSize, context.OutputSize + 3));
        CustomModules.Register("tests.no-weights", _ => nn.Identity());
        CustomModules.Register("tests.float64", context => nn.Linear(context.InputSize, context.OutputSize, dtype: ScalarType.Float64));

        var wrong = Assert.ThrowsExactly<InvalidOperationException>(() => Ml.MulticlassClassification.Trainers.DeepNetwork(Options("tests.wrong-output")).Fit(train));
        StringAssert.Contains(wrong.Message, "maps a batch of [2, 4] to Float32 [2, 7]; the task needs float32 [2, 4]");
        var empty = Assert.ThrowsExactly<InvalidOperationException>(() => Ml.MulticlassClassification.Trainers.DeepNetwork(Options("tests.no-weights")).Fit(train));
        StringAssert.Contains(empty.Message, "has no weights to train");
        var float64 = Assert.ThrowsExactly<InvalidOperationException>(() => Ml.MulticlassClassification.Trainers.DeepNetwork(Options("tests.float64")).Fit(train));
        StringAssert.Contains(float64.Message, "weight 'weight' of type Float64");
    }

    [TestMethod]
    public void CustomModule_ToOnnx_SaysItCannot()
    {
        var (train, _) = Data();
        using var model = Ml.MulticlassClassification.Trainers.DeepNetwork(Options(ExampleModules.ResidualMlpName, epochs: 1)).Fit(train);
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<NotSupportedException>(() => Ml.Model.ConvertToOnnx(model, train, stream));
        StringAssert.Contains(error.Message, "cannot be exported to ONNX");
    }

    [TestMethod]
    public void CustomAutoencoder_ReconstructsDetectsAnomalies_AndScoresTheSameInANewProcess()
    {
        var ml = new MLContext(seed: 3);
        var (train, test) = TestData.Fashion(ml, train: 1500, test: 500);
        var pixels = ml.Transforms.SelectColumns(nameof(MLDeepExtensions.Samples.FashionImage.Pixels)).Fit(train);
        var options = new AutoencoderOptions
        {
            FeatureColumnName = nameof(MLDeepExtensions.Samples.FashionImage.Pixels),
            Architecture = AutoencoderArchitecture.Custom(ExampleModules.AutoencoderName, latentSize: 16),
            Optimizer = OptimizerSettings.Adam(0.003),
            Epochs = 8,
            Seed = 4,
        };
        using var model = ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(pixels.Transform(train));
        var scored = model.Transform(pixels.Transform(test));
        double error = scored.GetColumn<float>("Score").Average();
        var testPixels = test.GetColumn<float[]>(nameof(MLDeepExtensions.Samples.FashionImage.Pixels)).ToArray();
        var trainMean = Enumerable.Range(0, 784).Select(j => train.GetColumn<float[]>(nameof(MLDeepExtensions.Samples.FashionImage.Pixels)).Average(r => r[j])).ToArray();
        double meanImageError = testPixels.Average(r => r.Select((v, j) => (v - trainMean[j]) * (v - trainMean[j])).Average());
        Assert.IsLessThan(0.6 * meanImageError, error, $"reconstruction MSE {error:F4} against {meanImageError:F4} for the mean image");
        Assert.AreEqual(16, scored.Schema["Embedding"].Type.GetVectorSize());
        double flagged = scored.GetColumn<bool>("PredictedLabel").Average(b => b ? 1.0 : 0.0);
        Assert.IsTrue(flagged is > 0.01 and < 0.2, $"{flagged:P1} of the test images flagged at the 95% training quantile");
        Assert.AreEqual($"custom autoencoder '{ExampleModules.AutoencoderName}' → 16", model.Architecture.ToString());
        using (var onnx = new MemoryStream())
            StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.ConvertToOnnx(model, pixels.Transform(test), onnx)).Message, "a custom autoencoder");

        string folder = Path.Combine(Path.GetTempPath(), $"mlde-custom-ae-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string modelPath = Path.Combine(folder, "model.zip"), rowsPath = Path.Combine(folder, "rows.bin"), scoresPath = Path.Combine(folder, "scores.bin");
            var renamed = ml.Transforms.CopyColumns("Features", nameof(MLDeepExtensions.Samples.FashionImage.Pixels)).Fit(pixels.Transform(test));
            var featuresOnly = ml.Transforms.SelectColumns("Features").Fit(renamed.Transform(pixels.Transform(test)));
            using var onFeatures = ml.AnomalyDetection.Trainers.Autoencoder(options with { FeatureColumnName = "Features", Epochs = 1 })
                .Fit(featuresOnly.Transform(renamed.Transform(pixels.Transform(train))));
            ml.Model.Save(onFeatures, featuresOnly.Transform(renamed.Transform(pixels.Transform(test))).Schema, modelPath);
            var rows = testPixels.Take(30).ToArray();
            ModelRunnerProcess.WriteRows(rowsPath, rows);
            var expected = onFeatures.Transform(featuresOnly.Transform(renamed.Transform(pixels.Transform(test)))).GetColumn<float>("Score").Take(30).Select(v => new[] { v }).ToArray();
            ModelRunnerProcess.Run("score-custom", modelPath, rowsPath, scoresPath);
            ModelRunnerProcess.AssertBitwiseEqual(expected, ModelRunnerProcess.ReadScores(scoresPath));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void CustomAutoencoder_OfTheWrongKindOrLatentSize_IsRefused()
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(100, seed: 5));
        var options = new AutoencoderOptions { Architecture = AutoencoderArchitecture.Custom(ExampleModules.ResidualMlpName, latentSize: 2), Epochs = 1 };
        var kind = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Autoencoder(options).Fit(data));
        StringAssert.Contains(kind.Message, "must derive from CustomAutoencoderModule");
        CustomModules.Register("tests.latent-five", context => new ExampleModules.TanhAutoencoder(context.InputSize, 8, latentSize: 5));
        var latent = Assert.ThrowsExactly<InvalidOperationException>(() =>
            ml.Transforms.Autoencoder(options with { Architecture = AutoencoderArchitecture.Custom("tests.latent-five", latentSize: 2) }).Fit(data));
        StringAssert.Contains(latent.Message, "encodes a batch of [2, 4] to Float32 [2, 5]; the autoencoder's latent size needs float32 [2, 2]");
        var mixed = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Autoencoder(options with
        {
            Architecture = AutoencoderArchitecture.Custom(ExampleModules.AutoencoderName) with { DenoisingNoise = 0.1f },
        }));
        StringAssert.Contains(mixed.Message, "the module decides its layers");
    }
}
