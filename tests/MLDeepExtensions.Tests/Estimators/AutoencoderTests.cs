using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Samples;
using TorchSharp;

namespace MLDeepExtensions.Tests.Estimators;

[TestClass]
public sealed class AutoencoderTests
{
    public sealed class AnomalyRow
    {
        [VectorType(FashionMnist.PixelCount)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        /// <summary>1 for an anomaly (not the normal class), 0 for normal, as ML.NET's anomaly evaluator reads it.</summary>
        public float Label { get; set; }
    }

    public sealed class Prediction
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();

        public float Score { get; set; }
    }

    private static AutoencoderOptions Small(int epochs = 5) => new()
    {
        FeatureColumnName = nameof(FashionImage.Pixels),
        Architecture = new AutoencoderArchitecture(latentSize: 16, 128),
        Epochs = epochs,
        BatchSize = 64,
        Seed = 1,
    };

    [TestMethod]
    public void Transforms_AddsEmbeddingReconstructionAndTheirError()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 2000, test: 200);
        var model = ml.Transforms.Autoencoder(Small()).Fit(train);
        var scored = model.Transform(test);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 16), scored.Schema["Embedding"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 784), scored.Schema["Reconstruction"].Type);
        Assert.IsNull(scored.Schema.GetColumnOrNull("PredictedLabel"), "feature extraction adds no PredictedLabel");
        var pixels = scored.GetColumn<float[]>("Pixels").ToArray();
        var reconstructions = scored.GetColumn<float[]>("Reconstruction").ToArray();
        var scores = scored.GetColumn<float>("Score").ToArray();
        for (int i = 0; i < pixels.Length; i++)
            Assert.AreEqual(pixels[i].Zip(reconstructions[i]).Average(p => (p.First - p.Second) * (p.First - p.Second)), scores[i], 1e-5);

        // Far better than the best constant image (the training mean).
        var mean = Enumerable.Range(0, 784).Select(j => train.GetColumn<float[]>("Pixels").Average(p => p[j])).ToArray();
        double meanImageError = pixels.Average(p => p.Zip(mean).Average(q => (q.First - q.Second) * (q.First - q.Second)));
        Assert.IsLessThan(0.4 * meanImageError, scores.Average(), $"autoencoder {scores.Average()} vs mean image {meanImageError}");
    }

    [TestMethod]
    public void AnomalyDetection_OneClassAsNormal_RanksOtherClassesHigher()
    {
        var ml = new MLContext(seed: 1);
        var (train, test, _) = FashionMnist.Load(subsetOnly: true);
        const string normal = "Trouser";
        var normalTrain = ml.Data.LoadFromEnumerable(train.Where(i => i.Label == normal).Select(i => new AnomalyRow { Pixels = i.Pixels }));
        var testRows = ml.Data.LoadFromEnumerable(test.Select(i => new AnomalyRow { Pixels = i.Pixels, Label = i.Label == normal ? 0 : 1 }));
        var options = Small(epochs: 15);
        options.ThresholdQuantile = 0.9;
        var model = ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(normalTrain);

        var metrics = ml.AnomalyDetection.Evaluate(model.Transform(testRows));
        Assert.IsGreaterThan(0.9, metrics.AreaUnderRocCurve, $"AUC {metrics.AreaUnderRocCurve}");
        // The threshold is the 0.9 quantile of the training errors: about 10% of training rows are above it.
        double flagged = model.Transform(normalTrain).GetColumn<bool>("PredictedLabel").Average(p => p ? 1.0 : 0.0);
        Assert.AreEqual(0.1, flagged, 0.02);
        Assert.IsNotNull(model.Threshold);
    }

    [TestMethod]
    public void EmbeddingThenMLNetTrainer_FitsPredictsSavesAndLoads()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 1500, test: 300);
        var pipeline = ml.Transforms.Autoencoder(Small(epochs: 5))
            .Append(ml.Transforms.Concatenate("Features", "Embedding"))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        var model = pipeline.Fit(train);
        var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Assert.IsGreaterThan(0.6, accuracy, $"accuracy on 16 learned features {accuracy}");

        string path = Path.Combine(Path.GetTempPath(), $"mlde-ae-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var expected = model.Transform(test).GetColumn<float[]>("Score").ToArray();
            var actual = loaded.Transform(test).GetColumn<float[]>("Score").ToArray();
            for (int i = 0; i < expected.Length; i++)
                CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PredictionEngine_MatchesTransform_AfterSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 500, test: 20);
        var options = Small(epochs: 2);
        options.Architecture = new AutoencoderArchitecture(8, 64) { DenoisingNoise = 0.2f, InputDropout = 0.1f };
        var model = ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"mlde-ae-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = (AutoencoderTransformer)new MLContext().Model.Load(path, out _);
            Assert.AreEqual(model.Threshold, loaded.Threshold);
            Assert.AreEqual(model.Architecture.ToString(), loaded.Architecture.ToString());
            var batched = loaded.Transform(test).GetColumn<float>("Score").ToArray();
            var engine = ml.Model.CreatePredictionEngine<FashionImage, Prediction>(loaded);
            var images = FashionMnist.Load(subsetOnly: true).Test.Take(20).ToArray();
            for (int i = 0; i < images.Length; i++)
            {
                var prediction = engine.Predict(images[i]);
                Assert.HasCount(8, prediction.Embedding);
                Assert.AreEqual(batched[i], prediction.Score, 1e-6f, $"row {i}: denoising must be off when scoring");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void BadInput_AndMisuse_GetClearErrors()
    {
        var ml = new MLContext(seed: 1);
        var (train, _) = TestData.Fashion(ml, train: 100, test: 10);
        var missing = Small();
        missing.FeatureColumnName = "Image";
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Autoencoder(missing).Fit(train)).Message, "Could not find feature column 'Image'");

        var invalid = Small();
        invalid.ThresholdQuantile = 1.5;
        invalid.Architecture = new AutoencoderArchitecture(0, 64);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(invalid));
        StringAssert.Contains(error.Message, "ThresholdQuantile is 1.5");
        StringAssert.Contains(error.Message, "LatentSize is 0");

        var wrongEntry = new DeepNetworkOptions { Architecture = new AutoencoderArchitecture() };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.DeepNetwork(wrongEntry)).Message, "mlContext.Transforms.Autoencoder");
    }
}
