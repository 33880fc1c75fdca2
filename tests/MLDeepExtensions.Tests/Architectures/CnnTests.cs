using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Architectures;
using TorchSharp;

namespace MLDeepExtensions.Tests.Architectures;

[TestClass]
public sealed class CnnTests
{
    public sealed class BarImage
    {
        /// <summary>8×8 grey image, planar.</summary>
        [VectorType(1, 8, 8)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        /// <summary>True for a horizontal bar, false for a vertical one.</summary>
        public bool Label { get; set; }
    }

    public sealed class ColourImage
    {
        /// <summary>4×4 RGB image, interleaved (R, G, B per pixel) as ExtractPixels(interleavePixelColors: true) writes.</summary>
        [VectorType(4, 4, 3)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        /// <summary>True when the blob is red, false when it is blue.</summary>
        public bool Label { get; set; }
    }

    public sealed class FlatRow
    {
        [VectorType(64)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        public bool Label { get; set; }
    }

    public sealed class MegapixelRow
    {
        [VectorType(1000 * 1000)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        public bool Label { get; set; }
    }

    /// <summary>Noisy 8×8 images with one bright bar, horizontal or vertical, at a random row or column.</summary>
    private static List<BarImage> Bars(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            bool horizontal = random.Next(2) == 0;
            int at = random.Next(8);
            var pixels = Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble() * 0.3f).ToArray();
            for (int k = 0; k < 8; k++)
                pixels[horizontal ? at * 8 + k : k * 8 + at] += 1f;
            return new BarImage { Pixels = pixels, Label = horizontal };
        }).ToList();
    }

    private static CnnArchitecture TinyCnn(ImageAugmentation? augmentation = null) => new()
    {
        ConvolutionBlocks = new[] { new ConvolutionBlock(8) { Pooling = PoolingKind.Max }, new ConvolutionBlock(8) { Pooling = PoolingKind.Average } },
        HiddenLayers = new[] { 16 },
        Dropout = 0,
        Augmentation = augmentation,
    };

    private static DeepNetworkOptions Options(NetworkArchitecture architecture, int epochs = 6) => new()
    {
        FeatureColumnName = "Pixels",
        Architecture = architecture,
        Optimizer = OptimizerSettings.Adam(0.01),
        Epochs = epochs,
        BatchSize = 32,
        Seed = 1,
    };

    [TestMethod]
    public void Bars_LearnsHorizontalVersusVertical_NearPerfectly()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Bars(600, seed: 1));
        var test = ml.Data.LoadFromEnumerable(Bars(300, seed: 2));
        var model = ml.BinaryClassification.Trainers.DeepNetwork(Options(TinyCnn())).Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThan(0.97, metrics.Accuracy, $"accuracy {metrics.Accuracy}");
        Assert.AreEqual(new ImageShape(1, 8, 8), ((CnnArchitecture)model.Architecture).InputShape, "shape from the column's dimensions");
    }

    [TestMethod]
    public void ConvolutionBlocks_PoolOnlyWhenAsked_SoSmallImagesKeepTheirSize()
    {
        // Three blocks left at their defaults on 8×8 images: no pooling, so nothing has to be spelled out.
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Bars(300, seed: 11));
        var architecture = new CnnArchitecture { ConvolutionBlocks = [new ConvolutionBlock(4), new ConvolutionBlock(4), new ConvolutionBlock(4)], HiddenLayers = [] };
        Assert.AreEqual(PoolingKind.None, new ConvolutionBlock(4).Pooling);
        using var model = ml.BinaryClassification.Trainers.DeepNetwork(Options(architecture, epochs: 2)).Fit(train);
        // 4 filters × 8 × 8 values reach the output layer (plus its bias), after 3 convolutions of 3×3 kernels.
        Assert.AreEqual(4 * 8 * 8 + 1 + (1 * 9 + 1) * 4 + 2 * (4 * 9 + 1) * 4, model.ParameterCount);
    }

    [TestMethod]
    public void TooMuchPooling_ErrorNamesTheBlockTheSizeItReceivesAndTheFix()
    {
        var ml = new MLContext(seed: 1);
        var pooled = new ConvolutionBlock(4) { Pooling = PoolingKind.Max };
        var declared = new CnnArchitecture(new ImageShape(1, 8, 8)) { ConvolutionBlocks = [pooled, pooled, pooled, pooled] };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.DeepNetwork(Options(declared)));
        StringAssert.Contains(error.Message, "a 1×8×8 image shrinks to nothing: CnnArchitecture.ConvolutionBlocks[3]");
        StringAssert.Contains(error.Message, "pools the 1×1 output of its convolution with a 2×2 window");
        StringAssert.Contains(error.Message, "Pooling = PoolingKind.None");

        // The shape from the column's dimensions, and a kernel larger than what reaches it.
        var bigKernel = new CnnArchitecture { ConvolutionBlocks = [pooled, pooled, new ConvolutionBlock(4) { KernelSize = 5, Padding = 0 }] };
        var fromData = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.DeepNetwork(Options(bigKernel))
            .Fit(ml.Data.LoadFromEnumerable(Bars(10, seed: 1))));
        StringAssert.Contains(fromData.Message, "Feature column 'Pixels'");
        StringAssert.Contains(fromData.Message, "CnnArchitecture.ConvolutionBlocks[2] (conv5×5/1 4 ReLU) receives 2×2 pixels, too few for its 5×5 kernel with padding 0");
    }

    [TestMethod]
    public void DeclaredShape_NotMatchingVectorSize_ThrowsNamingColumnAndSizes()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new FlatRow { Pixels = new float[64], Label = true }, new FlatRow { Pixels = new float[64] } });
        var options = Options(new CnnArchitecture(new ImageShape(1, 28, 28)));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.DeepNetwork(options).Fit(data));
        StringAssert.Contains(error.Message, "feature column 'Pixels'");
        StringAssert.Contains(error.Message, "784");
        StringAssert.Contains(error.Message, "got a vector of 64");
    }

    [TestMethod]
    public void BlocksLeavingMoreValuesThanADenseLayerTakes_ThrowBeforeBuildingTheNetwork()
    {
        // 3,000 filters on a 1000×1000 image without pooling leave 3 billion values per image for the dense head.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new MegapixelRow { Pixels = new float[1000 * 1000], Label = true }, new MegapixelRow { Pixels = new float[1000 * 1000] } });
        var architecture = new CnnArchitecture(new ImageShape(1, 1000, 1000)) { ConvolutionBlocks = new[] { new ConvolutionBlock(3000) { Pooling = PoolingKind.None } } };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.DeepNetwork(Options(architecture)).Fit(data));
        StringAssert.Contains(error.Message, "3,000,000,000 values");
        StringAssert.Contains(error.Message, "column 'Pixels'");
    }

    [TestMethod]
    public void FlatVectorWithoutDimensions_AndNoShape_ThrowsAskingForInputShape()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new FlatRow { Pixels = new float[64], Label = true }, new FlatRow { Pixels = new float[64] } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.DeepNetwork(Options(new CnnArchitecture())).Fit(data));
        StringAssert.Contains(error.Message, "InputShape");
    }

    [TestMethod]
    public void InterleavedPixels_AreReorderedToChannelPlanes()
    {
        // A 2×2 image with 3 channels whose values say where they belong: 100·channel + 10·row + column.
        var interleaved = new List<float>();
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 2; x++)
                for (int c = 0; c < 3; c++)
                    interleaved.Add(100 * c + 10 * y + x);
        var planar = Enumerable.Range(0, 3).SelectMany(c => new float[] { 100 * c, 100 * c + 1, 100 * c + 10, 100 * c + 11 }).ToArray();
        using var scope = torch.NewDisposeScope();
        var shape = new ImageShape(3, 2, 2);
        var fromInterleaved = ImageInput.ToImages(torch.tensor(interleaved.ToArray()).view(1, 12), shape, PixelLayout.Interleaved);
        var fromPlanar = ImageInput.ToImages(torch.tensor(planar).view(1, 12), shape, PixelLayout.Planar);
        CollectionAssert.AreEqual(new long[] { 1, 3, 2, 2 }, fromInterleaved.shape);
        CollectionAssert.AreEqual(fromPlanar.data<float>().ToArray(), fromInterleaved.contiguous().data<float>().ToArray());
        Assert.AreEqual(211f, fromInterleaved[0, 2, 1, 1].item<float>());
    }

    [TestMethod]
    public void InterleavedColourImages_ChannelDecidesLabel_Learned()
    {
        // The label is the colour of the blob (red or blue), not its place: only a correct channel order can learn it.
        var random = new Random(3);
        List<ColourImage> Make(int count) => Enumerable.Range(0, count).Select(_ =>
        {
            bool red = random.Next(2) == 0;
            var pixels = new float[48];
            int y = random.Next(3), x = random.Next(3);
            foreach (var (dy, dx) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
                pixels[((y + dy) * 4 + x + dx) * 3 + (red ? 0 : 2)] = 1f;
            return new ColourImage { Pixels = pixels, Label = red };
        }).ToList();
        var ml = new MLContext(seed: 1);
        var architecture = new CnnArchitecture
        {
            PixelLayout = PixelLayout.Interleaved,
            ConvolutionBlocks = new[] { new ConvolutionBlock(4) { KernelSize = 1, Pooling = PoolingKind.None } },
            HiddenLayers = Array.Empty<int>(),
            Dropout = 0,
        };
        var model = ml.BinaryClassification.Trainers.DeepNetwork(Options(architecture, epochs: 10)).Fit(ml.Data.LoadFromEnumerable(Make(300)));
        Assert.AreEqual(new ImageShape(3, 4, 4), ((CnnArchitecture)model.Architecture).InputShape);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(Make(200))));
        Assert.IsGreaterThan(0.97, metrics.Accuracy, $"accuracy {metrics.Accuracy}");
    }

    [TestMethod]
    public void Augmentation_ChangesTrainingBatches_NeverPredictions()
    {
        var architecture = new CnnArchitecture(new ImageShape(1, 8, 8))
        {
            ConvolutionBlocks = new[] { new ConvolutionBlock(4) { Pooling = PoolingKind.Max } },
            Dropout = 0,
            Augmentation = new ImageAugmentation { HorizontalFlip = true, MaxShift = 2 },
        };
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(5);
        using var module = architecture.CreateModule(64, 2);
        var batch = torch.tensor(Bars(16, seed: 4).SelectMany(b => b.Pixels).ToArray()).view(16, 64);
        module.train();
        var a = module.forward(batch);
        var b = module.forward(batch);
        Assert.IsGreaterThan(1e-4, (a - b).abs().max().item<float>(), "augmentation should vary training batches");
        module.eval();
        var c = module.forward(batch);
        var d = module.forward(batch);
        Assert.AreEqual(0f, (c - d).abs().max().item<float>(), "no augmentation when scoring");
    }

    [TestMethod]
    public void Gradient_ReachesEveryConvolutionLayer()
    {
        var architecture = new CnnArchitecture(new ImageShape(1, 8, 8))
        {
            ConvolutionBlocks = new[] { new ConvolutionBlock(4) { Pooling = PoolingKind.Max, BatchNormalization = true }, new ConvolutionBlock(4) { Pooling = PoolingKind.Max }, new ConvolutionBlock(4) { Pooling = PoolingKind.None } },
        };
        using var scope = torch.NewDisposeScope();
        using var module = architecture.CreateModule(64, 3);
        var batch = torch.tensor(Bars(8, seed: 6).SelectMany(b => b.Pixels).ToArray()).view(8, 64);
        torch.nn.functional.cross_entropy(module.forward(batch), torch.tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 })).backward();
        var convWeights = module.named_parameters().Where(p => p.name.Contains("conv") && p.name.EndsWith("weight")).ToList();
        Assert.HasCount(3, convWeights);
        foreach (var (name, parameter) in convWeights)
            Assert.IsGreaterThan(0f, parameter.grad!.abs().sum().item<float>(), $"no gradient at {name}");
    }

    [TestMethod]
    public void SaveLoad_InFreshContext_PredictsIdentically()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Bars(200, seed: 7));
        var architecture = TinyCnn(new ImageAugmentation { HorizontalFlip = true, MaxShift = 1 });
        var model = ml.BinaryClassification.Trainers.DeepNetwork(Options(architecture, epochs: 2)).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"mlde-cnn-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var expected = model.Transform(train).GetColumn<float>("Score").ToArray();
            var actual = loaded.Transform(train).GetColumn<float>("Score").ToArray();
            CollectionAssert.AreEqual(expected, actual);
            StringAssert.Contains(((DeepNetworkTransformer)loaded).Architecture.ToString(), "CNN 1×8×8");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ScoringBatchSize_DefaultsTo128ForConvolutionsOnTheCpu_1024Otherwise_AndKeepsAnExplicitValue()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestNetworks.Rows(100, seed: 2));
        int Fitted(NetworkArchitecture architecture, int? scoringBatchSize)
        {
            using var model = ml.Regression.Trainers.DeepNetwork(new DeepNetworkOptions
            {
                LabelColumnName = nameof(SixteenRow.Target), FeatureColumnName = nameof(SixteenRow.Features), Architecture = architecture,
                Epochs = 1, Device = ComputeDevice.Cpu, ScoringBatchSize = scoringBatchSize,
            }).Fit(data);
            return model.ScoringBatchSize;
        }
        var cnn = new CnnArchitecture(new ImageShape(1, 4, 4)) { ConvolutionBlocks = [new ConvolutionBlock(4)], HiddenLayers = [8] };
        Assert.AreEqual(128, Fitted(cnn, null));
        Assert.AreEqual(1024, Fitted(new MlpArchitecture(8), null));
        Assert.AreEqual(1024, Fitted(cnn, 1024), "an explicit value is kept");
    }
}
