using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Samples;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Training;

/// <summary>
/// <c>Fit(data, initialModel)</c> (ML.NET's warm start) for every architecture and both heads, and frozen layers for
/// fine-tuning: frozen weights and batch-norm statistics stay bitwise unchanged, the rest trains.
/// </summary>
[TestClass]
public sealed class ContinueTrainingTests
{
    private static readonly MLContext Ml = new(seed: 1);

    /// <summary>Every weight and buffer of a fitted network, copied to arrays.</summary>
    private static Dictionary<string, float[]> Weights(NetworkTransformerBase model)
        => model.Network.Module.state_dict().ToDictionary(p => p.Key, p =>
        {
            using var values = p.Value.detach().cpu().to_type(ScalarType.Float32);
            return values.data<float>().ToArray();
        });

    private static NetworkTransformerBase FitTestNetwork(IEstimator<ITransformer> estimator, IDataView data, NetworkTransformerBase? initial)
        => estimator switch
        {
            DeepNetworkEstimator network => initial is null ? network.Fit(data) : network.Fit(data, (DeepNetworkTransformer)initial),
            AutoencoderEstimator autoencoder => initial is null ? autoencoder.Fit(data) : autoencoder.Fit(data, (AutoencoderTransformer)initial),
            _ => throw new ArgumentException(estimator.GetType().Name),
        };

    [TestMethod]
    public void Continue_StartsFromTheFittedWeights_ForEveryArchitecture_AndLeavesTheModelAlone()
    {
        var data = Ml.Data.LoadFromEnumerable(TestNetworks.Rows(256, seed: 3));
        foreach (string kind in TestNetworks.Kinds)
        {
            var estimator = TestNetworks.Estimator(Ml, kind, epochs: 3);
            using var first = FitTestNetwork(estimator, data, null);
            var before = Weights(first);
            var scoresBefore = TestNetworks.Scores(first, data);
            using var continued = FitTestNetwork(estimator, data, first);

            // Training loss at the first epoch of the continued fit starts where the first fit ended, far below a fresh start.
            Assert.IsLessThan(first.History[0].TrainingLoss, continued.History[0].TrainingLoss, kind);
            Assert.IsLessThan(first.History[^1].TrainingLoss * 1.5, continued.History[0].TrainingLoss, kind);
            Assert.HasCount(3, continued.History, kind);
            CollectionAssert.AreEqual(scoresBefore, TestNetworks.Scores(first, data), $"{kind}: the initial model still scores as before");
            foreach (var (name, values) in Weights(first))
                CollectionAssert.AreEqual(before[name], values, $"{kind}: {name} of the initial model unchanged");
            Assert.IsTrue(Weights(continued).Any(w => !w.Value.SequenceEqual(before[w.Key])), $"{kind}: the continued network trained");
        }
    }

    [TestMethod]
    public void Continue_WithPlainSgdAndNoShuffle_EqualsOneLongerFit()
    {
        var data = Ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 2));
        DeepNetworkOptions Options(int epochs) => TestData.Tiny(nameof(GeneratedRow.Target), epochs) with
        {
            Optimizer = OptimizerSettings.Sgd(0.05),
            Shuffle = false,
            Architecture = new MlpArchitecture(16) { BatchNormalization = true },
            // A continued fit trains on the raw label (its weights answer in the label's units); so must the longer one.
            StandardizeLabel = false,
        };
        using var longer = Ml.Regression.Trainers.DeepNetwork(Options(6)).Fit(data);
        using var firstPart = Ml.Regression.Trainers.DeepNetwork(Options(4)).Fit(data);
        using var continued = Ml.Regression.Trainers.DeepNetwork(Options(2)).Fit(data, firstPart);
        CollectionAssert.AreEqual(TestData.SavedNetwork(Ml, longer, data.Schema), TestData.SavedNetwork(Ml, continued, data.Schema),
            "4 + 2 epochs of plain SGD without shuffling = 6 epochs");
        CollectionAssert.AreNotEqual(TestData.SavedNetwork(Ml, firstPart, data.Schema), TestData.SavedNetwork(Ml, continued, data.Schema));
    }

    [TestMethod]
    public void FineTune_CnnWithFrozenConvolutions_InAPipeline_KeepsThemAndTheirBatchNormStatistics()
    {
        var (train, test) = TestData.Fashion(Ml, train: 1500, test: 500);
        var options = new DeepNetworkOptions
        {
            Architecture = new CnnArchitecture(new ImageShape(1, 28, 28))
            {
                ConvolutionBlocks = [new ConvolutionBlock(8) { BatchNormalization = true, Pooling = PoolingKind.Max }],
                HiddenLayers = [32],
            },
            Optimizer = OptimizerSettings.AdamW(0.002),
            Epochs = 2,
            Seed = 1,
        };
        var pipeline = TestData.FashionPipeline(Ml, options);
        using var fitted = (TransformerChain<DeepNetworkTransformer>)pipeline.Fit(train);
        var network = (DeepNetworkTransformer)fitted.LastTransformer;
        CollectionAssert.AreEqual(new[] { "features.conv0", "features.norm0", "head.dense0", "head.output" }, network.LayerNames.ToArray());
        var before = Weights(network);

        // Fine-tune on new rows: transform them with the steps before the network, then continue the network alone.
        var (more, _) = TestData.Fashion(Ml, train: 3000);
        var newRows = Ml.Data.TakeRows(Ml.Data.SkipRows(more, 1500), 1500);
        var keyed = fitted.Take(fitted.Count() - 1).Aggregate(newRows, (view, step) => step.Transform(view));
        options.FrozenLayers = LayerSelection.Named("features");
        options.Epochs = 1;
        options.FeatureColumnName = nameof(FashionImage.Pixels);
        using var tuned = Ml.MulticlassClassification.Trainers.DeepNetwork(options).Fit(keyed, network);

        var after = Weights(tuned);
        foreach (string name in before.Keys.Where(n => n.StartsWith("features.", StringComparison.Ordinal)))
            CollectionAssert.AreEqual(before[name], after[name], $"{name} is frozen");
        foreach (string name in new[] { "head.dense0.weight", "head.output.weight" })
            Assert.IsFalse(before[name].SequenceEqual(after[name]), $"{name} trained");
        var accuracy = Ml.MulticlassClassification.Evaluate(tuned.Transform(fitted.Take(fitted.Count() - 1).Aggregate(test, (view, step) => step.Transform(view)))).MicroAccuracy;
        Assert.IsGreaterThan(0.5, accuracy, "the fine-tuned CNN still classifies");
    }

    [TestMethod]
    public void FrozenLayers_ByDepth_TrainOnlyTheRest()
    {
        var data = Ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 2));
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 2) with { Optimizer = OptimizerSettings.AdamW(0.01) };
        using var first = Ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        CollectionAssert.AreEqual(new[] { "layers.hidden0", "layers.hidden1", "layers.output" }, first.LayerNames.ToArray());
        var before = Weights(first);

        using var lastOnly = Ml.Regression.Trainers.DeepNetwork(options with { FrozenLayers = LayerSelection.AllButLast(1) }).Fit(data, first);
        using var afterFirst = Ml.Regression.Trainers.DeepNetwork(options with { FrozenLayers = LayerSelection.First(1) }).Fit(data, first);
        // The input standardization's buffers never train: they stay what the first fit measured.
        static bool Standardization(string name) => name.StartsWith("standardize.", StringComparison.Ordinal);
        foreach (var (name, values) in Weights(lastOnly))
            Assert.AreEqual(!name.StartsWith("layers.output.", StringComparison.Ordinal), values.SequenceEqual(before[name]), $"AllButLast(1): {name}");
        foreach (var (name, values) in Weights(afterFirst))
            Assert.AreEqual(name.StartsWith("layers.hidden0.", StringComparison.Ordinal) || Standardization(name), values.SequenceEqual(before[name]), $"First(1): {name}");
    }

    [TestMethod]
    public void BadInitialModelsAndSelections_GetClearErrors()
    {
        var data = Ml.Data.LoadFromEnumerable(TestData.Generate(100, seed: 2));
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1);
        var disposed = Ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        disposed.Dispose();
        var gone = Assert.ThrowsExactly<ObjectDisposedException>(() => Ml.Regression.Trainers.DeepNetwork(options).Fit(data, disposed));
        StringAssert.Contains(gone.Message, "initialModel (DeepNetworkTransformer) was disposed");

        using var model = Ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        var architecture = Assert.ThrowsExactly<ArgumentException>(() =>
            Ml.Regression.Trainers.DeepNetwork(options with { Architecture = new MlpArchitecture(8) }).Fit(data, model));
        StringAssert.Contains(architecture.Message, "initialModel was trained with architecture MLP [32, 16]");

        var vectorTask = Assert.ThrowsExactly<ArgumentException>(() =>
            Ml.Regression.Trainers.DeepNetwork(options with { LabelColumnName = nameof(GeneratedRow.Targets) }).Fit(data, model));
        StringAssert.Contains(vectorTask.Message, "initialModel was trained for regression, 1 outputs; this data and these options ask for vector regression, 2 outputs");

        var unknown = Assert.ThrowsExactly<ArgumentException>(() =>
            Ml.Regression.Trainers.DeepNetwork(options with { FrozenLayers = LayerSelection.Named("features") }).Fit(data, model));
        StringAssert.Contains(unknown.Message, "FrozenLayers names layer 'features', which the network does not have. Its layers are: layers.hidden0, layers.hidden1, layers.output.");

        var everything = Assert.ThrowsExactly<ArgumentException>(() =>
            Ml.Regression.Trainers.DeepNetwork(options with { FrozenLayers = LayerSelection.First(3) }).Fit(data, model));
        StringAssert.Contains(everything.Message, "freezes every layer that has weights");

        var none = Assert.ThrowsExactly<ArgumentException>(() => Ml.Regression.Trainers.DeepNetwork(options with { FrozenLayers = LayerSelection.Named() }));
        StringAssert.Contains(none.Message, "FrozenLayers names no layer");
    }
}
