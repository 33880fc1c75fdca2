using System.Collections.Generic;
using MLDeepExtensions.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The TorchSharp module behind <see cref="CnnArchitecture"/>: reshapes each feature row into an image (N×C×H×W),
/// augments it in training mode only, runs the convolution blocks, flattens and runs the dense head.
/// Saved weight keys: "features.conv{i}.*" and "features.norm{i}.*" (see ImageInput.BlockLayers), "head.dense{i}.*" and
/// "head.output.*" (see DenseStack). Renaming a field or a layer breaks saved models.
/// </summary>
internal sealed class CnnModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    private readonly ImageShape _shape;
    private readonly PixelLayout _layout;
    private readonly ImageAugmentation? _augmentation;

    // Field names are part of the saved weight keys ("features.conv0.weight", "head.output.bias", …).
    private readonly Sequential features;
    private readonly Sequential head;

    public CnnModule(ImageShape shape, PixelLayout layout, List<(string, nn.Module<Tensor, Tensor>)> blocks,
        List<(string, nn.Module<Tensor, Tensor>)> dense, ImageAugmentation? augmentation)
        : base(nameof(CnnModule))
    {
        _shape = shape;
        _layout = layout;
        _augmentation = augmentation is { IsActive: true } ? augmentation : null;
        features = nn.Sequential(blocks);
        dense.Insert(0, ("flatten", nn.Flatten()));
        head = nn.Sequential(dense);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var images = ImageInput.ToImages(input, _shape, _layout);
        if (training && _augmentation is not null)
            images = ImageInput.Augment(images, _augmentation);
        return head.forward(ImageInput.Forward(features, images, training)).MoveToOuterDisposeScope();
    }

    /// <summary>The forward in eval mode: images, the convolution blocks, the dense head (augmentation is for training only).</summary>
    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize)
    {
        var (maps, shape) = OnnxLayers.Sequential(graph, features, ImageInput.ToImages(graph, rows, _shape, _layout), [_shape.Channels, _shape.Height, _shape.Width]);
        return OnnxLayers.Sequential(graph, head, maps, shape).Output;
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
