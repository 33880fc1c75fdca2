using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The TorchSharp module behind <see cref="CnnArchitecture"/>: reshapes each feature row into an image (N×C×H×W),
/// augments it in training mode only, runs the convolution blocks, flattens and runs the dense head.
/// Layer names ("conv0", "norm0", "dense0", "output", …) and the field names are the saved weight keys: do not rename.
/// </summary>
internal sealed class CnnModule : nn.Module<Tensor, Tensor>
{
    private readonly ImageShape _shape;
    private readonly PixelLayout _layout;
    private readonly ImageAugmentation? _augmentation;

    // Field names are part of the saved weight keys ("features.conv0.weight", "head.output.bias", …).
    private readonly Sequential features;
    private readonly Sequential head;

    public CnnModule(ImageShape shape, PixelLayout layout, IReadOnlyList<ConvolutionBlock> blocks, IReadOnlyList<int> denseLayers,
        Activation denseActivation, float denseDropout, ImageAugmentation? augmentation, int flattenedSize, int outputSize)
        : base(nameof(CnnModule))
    {
        _shape = shape;
        _layout = layout;
        _augmentation = augmentation is { IsActive: true } ? augmentation : null;

        var conv = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = shape.Channels;
        for (int i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            conv.Add(($"conv{i}", nn.Conv2d(channels, b.Filters, b.KernelSize, stride: b.Stride, padding: b.EffectivePadding)));
            if (b.BatchNormalization)
                conv.Add(($"norm{i}", nn.BatchNorm2d(b.Filters)));
            conv.Add(($"act{i}", ActivationModules.Create(b.Activation)));
            if (b.Pooling == PoolingKind.Max)
                conv.Add(($"pool{i}", nn.MaxPool2d(b.PoolSize)));
            else if (b.Pooling == PoolingKind.Average)
                conv.Add(($"pool{i}", nn.AvgPool2d(b.PoolSize)));
            if (b.Dropout > 0)
                conv.Add(($"drop{i}", nn.Dropout2d(b.Dropout)));
            channels = b.Filters;
        }
        features = nn.Sequential(conv);

        var dense = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        int width = flattenedSize;
        for (int i = 0; i < denseLayers.Count; i++)
        {
            if (denseDropout > 0)
                dense.Add(($"drop{i}", nn.Dropout(denseDropout)));
            dense.Add(($"dense{i}", nn.Linear(width, denseLayers[i])));
            dense.Add(($"act{i}", ActivationModules.Create(denseActivation)));
            width = denseLayers[i];
        }
        if (denseDropout > 0)
            dense.Add(("dropout", nn.Dropout(denseDropout)));
        dense.Add(("output", nn.Linear(width, outputSize)));
        head = nn.Sequential(dense);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var images = ToImages(input, _shape, _layout);
        if (training && _augmentation is not null)
            images = Augment(images, _augmentation);
        return head.forward(features.forward(images)).MoveToOuterDisposeScope();
    }

    /// <summary>Rows of C·H·W values (planar) or H·W·C values (interleaved) → an N×C×H×W batch.</summary>
    internal static Tensor ToImages(Tensor rows, ImageShape shape, PixelLayout layout)
        => layout == PixelLayout.Planar
            ? rows.view(-1, shape.Channels, shape.Height, shape.Width)
            : rows.view(-1, shape.Height, shape.Width, shape.Channels).permute(0, 3, 1, 2).contiguous();

    /// <summary>Random horizontal flips (per image, p = 0.5) and random shifts of up to MaxShift pixels with zero fill.</summary>
    private static Tensor Augment(Tensor images, ImageAugmentation augmentation)
    {
        long n = images.shape[0];
        if (augmentation.HorizontalFlip)
        {
            var flip = rand(n, device: images.device).lt(0.5).view(-1, 1, 1, 1);
            images = where(flip, images.flip(3), images);
        }
        int s = augmentation.MaxShift;
        if (s > 0)
        {
            long h = images.shape[2], w = images.shape[3];
            var padded = nn.functional.pad(images, new long[] { s, s, s, s });
            var offsets = randint(0, 2 * s + 1, new long[] { n, 2 }).data<long>().ToArray();
            var shifted = new Tensor[n];
            for (long i = 0; i < n; i++)
                shifted[i] = padded[i].narrow(1, offsets[2 * i], h).narrow(2, offsets[2 * i + 1], w);
            images = stack(shifted);
        }
        return images;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            features.Dispose();
            head.Dispose();
        }
        base.Dispose(disposing);
    }
}
