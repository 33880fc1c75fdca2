using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.ModelRunner;

/// <summary>
/// Trains a CNN with 4-filter blocks and a convolutional autoencoder (whose last convolution goes back to 1 channel) on
/// generated 8×8 images, for the test that runs this at oneDNN's AVX-512 kernels: their gradients for such channel counts
/// were NaN unless the library pads the convolutions in training. A diverging fit throws.
/// </summary>
internal static class SmallConvolutions
{
    private sealed class Image
    {
        [VectorType(1, 8, 8)]
        public float[] Pixels { get; set; } = Array.Empty<float>();

        public bool Label { get; set; }
    }

    public static string Run()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 256).Select(_ =>
        {
            var pixels = Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble()).ToArray();
            return new Image { Pixels = pixels, Label = pixels.Take(32).Sum() > pixels.Skip(32).Sum() };
        }).ToList());
        var block = new ConvolutionBlock(4) { Pooling = PoolingKind.Max };
        using var cnn = ml.BinaryClassification.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            LabelColumnName = nameof(Image.Label), FeatureColumnName = nameof(Image.Pixels), Epochs = 4, BatchSize = 32, Seed = 1,
            Architecture = new CnnArchitecture { ConvolutionBlocks = [block, block with { Filters = 6 }], HiddenLayers = [8] },
        }).Fit(data);
        using var autoencoder = ml.Transforms.Autoencoder(new AutoencoderOptions
        {
            FeatureColumnName = nameof(Image.Pixels), Epochs = 4, BatchSize = 32, Seed = 1,
            Architecture = new AutoencoderArchitecture(4) { ConvolutionBlocks = [block] },
        }).Fit(data);
        return "trained: CNN with 4 filters, convolutional autoencoder";
    }
}
