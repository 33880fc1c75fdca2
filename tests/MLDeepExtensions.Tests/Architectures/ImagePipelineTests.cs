using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Architectures;

/// <summary>Images straight from ML.NET's image pipeline: LoadImages → ResizeImages → ExtractPixels → CNN.</summary>
[TestClass]
public sealed class ImagePipelineTests
{
    public sealed class ImageFile
    {
        public string Path { get; set; } = "";

        /// <summary>True when the square is red, false when it is blue.</summary>
        public bool Label { get; set; }
    }

    private static string _folder = "";

    [ClassInitialize]
    public static void WriteImages(TestContext _)
    {
        // 16×16 PNGs on a grey background with a red or a blue 6×6 square at a random place.
        _folder = Path.Combine(Path.GetTempPath(), $"mlde-images-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        var random = new Random(1);
        for (int i = 0; i < 160; i++)
        {
            bool red = i % 2 == 0;
            var bgra = new byte[16 * 16 * 4];
            int top = random.Next(10), left = random.Next(10);
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                {
                    bool inside = y >= top && y < top + 6 && x >= left && x < left + 6;
                    int p = (y * 16 + x) * 4;
                    bgra[p] = (byte)(inside ? (red ? 0 : 230) : 128);     // blue
                    bgra[p + 1] = (byte)(inside ? 0 : 128);               // green
                    bgra[p + 2] = (byte)(inside ? (red ? 230 : 0) : 128); // red
                    bgra[p + 3] = 255;
                }
            using var image = MLImage.CreateFromPixels(16, 16, MLPixelFormat.Bgra32, bgra);
            image.Save(Path.Combine(_folder, $"{i:D3}-{(red ? "red" : "blue")}.png"));
        }
    }

    [ClassCleanup]
    public static void DeleteImages() => Directory.Delete(_folder, recursive: true);

    private static IDataView Files(MLContext ml, int from, int to)
        => ml.Data.LoadFromEnumerable(Directory.GetFiles(_folder).OrderBy(f => f).Skip(from).Take(to - from)
            .Select(f => new ImageFile { Path = Path.GetFileName(f), Label = f.EndsWith("red.png", StringComparison.Ordinal) }));

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ExtractPixels_EitherLayout_ShapeFromPipeline_LearnsColour(bool interleave)
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.LoadImages("Image", _folder, nameof(ImageFile.Path))
            .Append(ml.Transforms.ResizeImages("Image", 8, 8))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: interleave, scaleImage: 1f / 255))
            .Append(ml.BinaryClassification.Trainers.DeepNetwork(new DeepNetworkOptions
            {
                FeatureColumnName = "Pixels",
                Architecture = new CnnArchitecture
                {
                    PixelLayout = interleave ? PixelLayout.Interleaved : PixelLayout.Planar,
                    ConvolutionBlocks = new[] { new ConvolutionBlock(4) { Pooling = PoolingKind.Max, KernelSize = 1 } },
                    HiddenLayers = Array.Empty<int>(),
                    Dropout = 0,
                },
                Optimizer = OptimizerSettings.Adam(0.02),
                Epochs = 15,
                BatchSize = 16,
                Seed = 2,
            }));
        var model = pipeline.Fit(Files(ml, 0, 120));
        var network = model.LastTransformer;
        Assert.AreEqual(new ImageShape(3, 8, 8), ((CnnArchitecture)network.Architecture).InputShape);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(Files(ml, 120, 160)));
        Assert.IsGreaterThan(0.95, metrics.Accuracy, $"accuracy {metrics.Accuracy}");
    }
}
