using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Samples;
using TorchSharp;

namespace MLDeepExtensions.Tests.Architectures;

[TestClass]
public sealed class ConvAutoencoderTests
{
    /// <summary>A Fashion-MNIST image whose column carries image dimensions, as ExtractPixels would give.</summary>
    public sealed class ShapedImage
    {
        [VectorType(1, 28, 28)]
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }

    public sealed class Prediction
    {
        public float[] Embedding { get; set; } = Array.Empty<float>();

        public float[] Reconstruction { get; set; } = Array.Empty<float>();

        public float Score { get; set; }
    }

    private static AutoencoderArchitecture Small(ImageShape? shape, PixelLayout layout = PixelLayout.Planar) => new(latentSize: 16)
    {
        InputShape = shape,
        PixelLayout = layout,
        ConvolutionBlocks = new[] { new ConvolutionBlock(8) { Pooling = PoolingKind.Max }, new ConvolutionBlock(16) { Pooling = PoolingKind.Max } },
    };

    private static AutoencoderOptions Options(AutoencoderArchitecture architecture, int epochs) => new()
    {
        FeatureColumnName = "Pixels",
        Architecture = architecture,
        Optimizer = OptimizerSettings.Adam(0.003),
        Epochs = epochs,
        BatchSize = 64,
        Seed = 1,
    };

    private static double MeanSquare(float[] a, float[] b) => a.Zip(b).Average(p => (p.First - p.Second) * (p.First - p.Second));

    [TestMethod]
    public void ShapeFromColumnDimensions_ReconstructsFashionImagesFarBetterThanTheMeanImage()
    {
        var ml = new MLContext(seed: 1);
        var (trainImages, testImages, _) = FashionMnist.Load(subsetOnly: true);
        var train = ml.Data.LoadFromEnumerable(trainImages.Take(1500).Select(i => new ShapedImage { Pixels = i.Pixels }));
        var test = ml.Data.LoadFromEnumerable(testImages.Take(200).Select(i => new ShapedImage { Pixels = i.Pixels }));

        var model = ml.Transforms.Autoencoder(Options(Small(shape: null), epochs: 10)).Fit(train);
        Assert.AreEqual(new ImageShape(1, 28, 28), model.Architecture.InputShape, "shape from the column's dimensions");
        Assert.IsTrue(model.Architecture.IsConvolutional);

        var scored = model.Transform(test);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 16), scored.Schema["Embedding"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 784), scored.Schema["Reconstruction"].Type);
        var pixels = scored.GetColumn<float[]>("Pixels").ToArray();
        var reconstructions = scored.GetColumn<float[]>("Reconstruction").ToArray();
        var scores = scored.GetColumn<float>("Score").ToArray();
        for (int i = 0; i < pixels.Length; i++)
            Assert.AreEqual(MeanSquare(pixels[i], reconstructions[i]), scores[i], 1e-5, $"row {i}: Score is the reconstruction's mean squared error");

        var mean = Enumerable.Range(0, 784).Select(j => trainImages.Take(1500).Average(image => image.Pixels[j])).ToArray();
        double meanImageError = pixels.Average(p => MeanSquare(p, mean));
        Assert.IsLessThan(0.4 * meanImageError, scores.Average(), $"convolutional autoencoder {scores.Average()} vs mean image {meanImageError}");
    }

    [TestMethod]
    public void AnomalyDetector_SavesAndLoads_PredictionEngineMatchesTransform()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 400, test: 20);
        var options = Options(Small(new ImageShape(1, 28, 28)), epochs: 1);
        options.FeatureColumnName = nameof(FashionImage.Pixels);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"mlde-convae-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = (AutoencoderTransformer)new MLContext().Model.Load(path, out _);
            Assert.AreEqual(model.Architecture.ToString(), loaded.Architecture.ToString());
            Assert.AreEqual(model.Threshold, loaded.Threshold);

            var expected = model.Transform(test).GetColumn<float[]>("Reconstruction").ToArray();
            var actual = loaded.Transform(test).GetColumn<float[]>("Reconstruction").ToArray();
            for (int i = 0; i < expected.Length; i++)
                CollectionAssert.AreEqual(expected[i], actual[i], $"row {i} after loading");

            var batched = loaded.Transform(test).GetColumn<float>("Score").ToArray();
            var engine = ml.Model.CreatePredictionEngine<FashionImage, Prediction>(loaded);
            var images = FashionMnist.Load(subsetOnly: true).Test.Take(20).ToArray();
            for (int i = 0; i < images.Length; i++)
            {
                var prediction = engine.Predict(images[i]);
                Assert.HasCount(16, prediction.Embedding);
                Assert.AreEqual(batched[i], prediction.Score, 1e-6f, $"row {i}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void OddSizesStridesAndEvenKernels_ReconstructTheInputShape()
    {
        // 13×11 → conv 4×4 stride 2 → 6×5 → pool 2 → 3×2 → conv 3×3 → 3×2 (no pooling): the decoder must come back to 13×11.
        var architecture = new AutoencoderArchitecture(latentSize: 5, 12)
        {
            InputShape = new ImageShape(3, 13, 11),
            PixelLayout = PixelLayout.Interleaved,
            ConvolutionBlocks = new[]
            {
                new ConvolutionBlock(4) { Pooling = PoolingKind.Max, KernelSize = 4, Stride = 2, BatchNormalization = true },
                new ConvolutionBlock(6) { Pooling = PoolingKind.None, Activation = Activation.Tanh },
            },
        };
        using var scope = torch.NewDisposeScope();
        using var module = (AutoencoderModule)architecture.CreateModule(3 * 13 * 11, 3 * 13 * 11);
        module.eval();
        var rows = torch.rand(7, 3 * 13 * 11);
        CollectionAssert.AreEqual(new long[] { 7, 5 }, module.Encode(rows).shape);
        CollectionAssert.AreEqual(new long[] { 7, 3 * 13 * 11 }, module.forward(rows).shape);
    }

    [TestMethod]
    public void ImagesToRows_IsTheInverseOfRowsToImages_InBothLayouts()
    {
        using var scope = torch.NewDisposeScope();
        var shape = new ImageShape(3, 4, 5);
        var rows = torch.arange(2 * shape.Size, dtype: torch.float32).view(2, shape.Size);
        foreach (var layout in new[] { PixelLayout.Planar, PixelLayout.Interleaved })
        {
            var back = ImageInput.ToRows(ImageInput.ToImages(rows, shape, layout), layout);
            CollectionAssert.AreEqual(rows.data<float>().ToArray(), back.contiguous().data<float>().ToArray(), layout.ToString());
        }
    }

    [TestMethod]
    public void InterleavedColourImages_AreReconstructedInTheirOwnLayout()
    {
        // 6×6 RGB images, interleaved: a solid square of one random colour at a random place on black.
        var random = new Random(3);
        ShapedRgb Image()
        {
            var pixels = new float[6 * 6 * 3];
            var colour = new[] { (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble() };
            int top = random.Next(0, 3), left = random.Next(0, 3);
            for (int y = top; y < top + 3; y++)
                for (int x = left; x < left + 3; x++)
                    for (int c = 0; c < 3; c++)
                        pixels[(y * 6 + x) * 3 + c] = colour[c];
            return new ShapedRgb { Pixels = pixels };
        }
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 1500).Select(_ => Image()).ToArray());
        var testRows = Enumerable.Range(0, 100).Select(_ => Image()).ToArray();
        var architecture = new AutoencoderArchitecture(latentSize: 12, 32)
        {
            InputShape = new ImageShape(3, 6, 6),
            PixelLayout = PixelLayout.Interleaved,
            ConvolutionBlocks = new[] { new ConvolutionBlock(16) { Pooling = PoolingKind.Max } },
        };
        var model = ml.Transforms.Autoencoder(Options(architecture, epochs: 15)).Fit(train);

        var scores = model.Transform(ml.Data.LoadFromEnumerable(testRows)).GetColumn<float>("Score").ToArray();
        double meanSquare = testRows.Average(r => r.Pixels.Average(p => p * p));
        Assert.IsLessThan(0.25 * meanSquare, scores.Average(), $"reconstruction error {scores.Average()} vs an all-black guess {meanSquare}");
    }

    public sealed class ShapedRgb
    {
        [VectorType(108)]
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }

    [TestMethod]
    public void BadShapesAndSettings_GetClearErrors()
    {
        var ml = new MLContext(seed: 1);
        var (train, _) = TestData.Fashion(ml, train: 50, test: 10);

        var wrongSize = Options(Small(new ImageShape(1, 28, 27)), epochs: 1);
        wrongSize.FeatureColumnName = nameof(FashionImage.Pixels);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Autoencoder(wrongSize).Fit(train));
        StringAssert.Contains(error.Message, "feature column 'Pixels'");
        StringAssert.Contains(error.Message, "756");
        StringAssert.Contains(error.Message, "got a vector of 784");

        var noShape = Options(Small(shape: null), epochs: 1);
        noShape.FeatureColumnName = nameof(FashionImage.Pixels);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Autoencoder(noShape).Fit(train)).Message,
            "AutoencoderArchitecture.InputShape");

        var shapeWithoutBlocks = Options(new AutoencoderArchitecture(16, 64) { InputShape = new ImageShape(1, 28, 28) }, epochs: 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Autoencoder(shapeWithoutBlocks)).Message,
            "apply to the convolutional autoencoder only");

        var shrinking = new AutoencoderArchitecture(16)
        {
            InputShape = new ImageShape(1, 28, 28),
            ConvolutionBlocks = Enumerable.Range(0, 5).Select(_ => new ConvolutionBlock(4) { Pooling = PoolingKind.Max }).ToArray(),
        };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Autoencoder(Options(shrinking, 1))).Message,
            "shrinks to nothing");

        var badBlock = new AutoencoderArchitecture(16) { InputShape = new ImageShape(1, 28, 28), ConvolutionBlocks = new[] { new ConvolutionBlock(0) { Pooling = PoolingKind.Max } } };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Autoencoder(Options(badBlock, 1))).Message,
            "AutoencoderArchitecture.ConvolutionBlocks[0].Filters is 0");
    }
}
