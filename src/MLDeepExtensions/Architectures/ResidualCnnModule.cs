using System.Collections.Generic;
using MLDeepExtensions.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The TorchSharp module behind <see cref="ResidualCnnArchitecture"/>: reshapes each feature row into an image (N×C×H×W),
/// augments it in training mode only, runs the stem and the stages of residual blocks, pools globally and runs the dense
/// head. Saved weight keys: "stem.conv.weight", "stem.norm.*", "stages.{s}.{b}.conv1/norm1/conv2/norm2.*" and
/// "stages.{s}.{b}.shortcut.conv/norm.*" (see <see cref="ResidualBlock"/>), "head.dense{i}.*" and "head.output.*" (see
/// DenseStack). Renaming a field or a layer breaks saved models.
/// </summary>
internal sealed class ResidualCnnModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    private readonly ImageShape _shape;
    private readonly PixelLayout _layout;
    private readonly ImageAugmentation? _augmentation;

    // Field names are part of the saved weight keys ("stem.conv.weight", "stages.1.0.shortcut.norm.running_mean", "head.output.bias", …).
    private readonly Sequential stem;
    private readonly Sequential stages;
    private readonly Sequential head;

    public ResidualCnnModule(ImageShape shape, PixelLayout layout, int stemChannels, IReadOnlyList<int> stageChannels, int blocksPerStage, Activation activation,
        List<(string, nn.Module<Tensor, Tensor>)> dense, ImageAugmentation? augmentation)
        : base(nameof(ResidualCnnModule))
    {
        _shape = shape;
        _layout = layout;
        _augmentation = augmentation is { IsActive: true } ? augmentation : null;
        stem = nn.Sequential(
            ("conv", ImageInput.Conv(() => nn.Conv2d(shape.Channels, stemChannels, 3, padding: 1, bias: false))),
            ("norm", nn.BatchNorm2d(stemChannels)),
            ("act", ActivationModules.Create(activation)));
        var stageList = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = stemChannels;
        for (int s = 0; s < stageChannels.Count; s++)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < blocksPerStage; b++)
            {
                blocks.Add(($"{b}", new ResidualBlock(channels, stageChannels[s], s > 0 && b == 0 ? 2 : 1, activation)));
                channels = stageChannels[s];
            }
            stageList.Add(($"{s}", nn.Sequential(blocks)));
        }
        stages = nn.Sequential(stageList);
        dense.InsertRange(0, [("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten())]);
        head = nn.Sequential(dense);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var images = ImageInput.ToImages(input, _shape, _layout);
        if (training && _augmentation is not null)
            images = ImageInput.Augment(images, _augmentation);
        var x = ImageInput.Forward(stem, images, training);
        foreach (var stage in stages.children())
            foreach (var block in ((Sequential)stage).children())
                x = ((ResidualBlock)block).call(x);
        return head.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>The forward in eval mode: images, the stem, the residual blocks, global average pooling and the dense head.</summary>
    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize)
    {
        var (x, shape) = OnnxLayers.Sequential(graph, stem, ImageInput.ToImages(graph, rows, _shape, _layout), [_shape.Channels, _shape.Height, _shape.Width]);
        foreach (var (s, stage) in stages.named_children())
            foreach (var (b, block) in ((Sequential)stage).named_children())
                (x, shape) = ((ResidualBlock)block).ExportOnnx(graph, $"stages.{s}.{b}", x, shape);
        return OnnxLayers.Sequential(graph, head, x, shape).Output;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stem.Dispose();
            stages.Dispose();
            head.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// A basic residual block: act(norm2(conv2(act(norm1(conv1(x))))) + shortcut(x)), with 3×3 convolutions (the first with the
/// block's stride) and a shortcut that is the identity, or a 1×1 convolution and batch normalization ("shortcut.conv",
/// "shortcut.norm") when the channels or the size change. Field names are saved weight keys: do not rename.
/// </summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    // Field names (and their order: state_dict order, the order the input flows) are part of the saved weight keys.
    private readonly Conv2d conv1;
    private readonly BatchNorm2d norm1;
    private readonly nn.Module<Tensor, Tensor> act1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d norm2;
    private readonly Sequential? shortcut;
    private readonly nn.Module<Tensor, Tensor> act2;

    public ResidualBlock(int inputChannels, int channels, int stride, Activation activation)
        : base(nameof(ResidualBlock))
    {
        conv1 = ImageInput.Conv(() => nn.Conv2d(inputChannels, channels, 3, stride: stride, padding: 1, bias: false));
        norm1 = nn.BatchNorm2d(channels);
        act1 = ActivationModules.Create(activation);
        conv2 = ImageInput.Conv(() => nn.Conv2d(channels, channels, 3, padding: 1, bias: false));
        norm2 = nn.BatchNorm2d(channels);
        if (stride != 1 || inputChannels != channels)
            shortcut = nn.Sequential(("conv", ImageInput.Conv(() => nn.Conv2d(inputChannels, channels, 1, stride: stride, bias: false))), ("norm", nn.BatchNorm2d(channels)));
        act2 = ActivationModules.Create(activation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // Layers run through call (not forward) so that hooks, such as the summary's shape probes, see them.
        var y = act1.call(norm1.call(ImageInput.Convolve(conv1, input, training)));
        y = norm2.call(ImageInput.Convolve(conv2, y, training));
        var identity = shortcut is null ? input : ImageInput.Forward(shortcut, input, training);
        return act2.call(y.add_(identity)).MoveToOuterDisposeScope();
    }

    /// <summary>The block in an ONNX graph; <paramref name="name"/> prefixes its weights' names.</summary>
    public (string Output, long[] Shape) ExportOnnx(OnnxGraph graph, string name, string x, long[] shape)
    {
        var (y, inner) = OnnxLayers.Layer(graph, name + ".conv1", conv1, x, shape);
        (y, inner) = OnnxLayers.Layer(graph, name + ".norm1", norm1, y, inner);
        (y, inner) = OnnxLayers.Layer(graph, name + ".act1", act1, y, inner);
        (y, inner) = OnnxLayers.Layer(graph, name + ".conv2", conv2, y, inner);
        (y, inner) = OnnxLayers.Layer(graph, name + ".norm2", norm2, y, inner);
        string identity = shortcut is null ? x : OnnxLayers.Sequential(graph, shortcut, x, shape).Output;
        return OnnxLayers.Layer(graph, name + ".act2", act2, graph.Add(y, identity), inner);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            norm1.Dispose();
            act1.Dispose();
            conv2.Dispose();
            norm2.Dispose();
            shortcut?.Dispose();
            act2.Dispose();
        }
        base.Dispose(disposing);
    }
}
