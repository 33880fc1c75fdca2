using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The convolutional <see cref="AutoencoderArchitecture"/>. Encoder: the convolution blocks (as in a CNN), flatten,
/// dense layers, the latent layer. Decoder, mirrored: dense layers back to the last block's feature map, then per block
/// in reverse an upsampling (nearest) to the size that block received and a "same"-padded convolution to the channels
/// it received — the last one, to the image's channels, without activation.
/// Field names and layer names ("features.conv0", "encoder.latent", "decoder.output", "reconstruct.conv0", …) are the
/// saved weight keys: do not rename.
/// </summary>
internal sealed class ConvAutoencoderModule : AutoencoderModule
{
    private readonly ImageShape _shape;
    private readonly PixelLayout _layout;
    private readonly long[] _featureMap;

    // Field names are part of the saved weight keys.
    private readonly Sequential features;
    private readonly Sequential encoder;
    private readonly Sequential decoder;
    private readonly Sequential reconstruct;

    public ConvAutoencoderModule(ImageShape shape, PixelLayout layout, IReadOnlyList<ConvolutionBlock> blocks, IReadOnlyList<int> hiddenLayers,
        int latentSize, Activation activation, float noise, float inputDropout)
        : base(nameof(ConvAutoencoderModule), latentSize, noise, inputDropout)
    {
        _shape = shape;
        _layout = layout;
        var sizes = ImageInput.StageSizes(shape, blocks)!;
        _featureMap = new long[] { -1, blocks[^1].Filters, sizes[^1].Height, sizes[^1].Width };
        int flattened = checked((int)ImageInput.FlattenedSize(shape, blocks)!.Value);

        features = nn.Sequential(ImageInput.BlockLayers(blocks, shape.Channels));
        var dense = DenseStack.Layers(flattened, hiddenLayers, latentSize, new DenseStack.Layout(activation, Last: "latent"));
        dense.Insert(0, ("flatten", nn.Flatten()));
        encoder = nn.Sequential(dense);
        decoder = nn.Sequential(DenseStack.Layers(latentSize, hiddenLayers.Reverse().ToArray(), flattened, new DenseStack.Layout(activation, ActivateLast: true)));

        var up = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = blocks.Count - 1; i >= 0; i--)
        {
            var block = blocks[i];
            if (sizes[i] != sizes[i + 1])
                up.Add(($"up{i}", nn.Upsample(new long[] { sizes[i].Height, sizes[i].Width }, mode: UpsampleMode.Nearest)));
            int channels = i > 0 ? blocks[i - 1].Filters : shape.Channels;
            up.Add(($"conv{i}", ImageInput.Conv(() => nn.Conv2d(block.Filters, channels, block.KernelSize, Padding.Same))));
            if (i == 0)
                break;
            if (block.BatchNormalization)
                up.Add(($"norm{i}", nn.BatchNorm2d(channels)));
            up.Add(($"act{i}", ActivationModules.Create(block.Activation)));
        }
        reconstruct = nn.Sequential(up);
        RegisterComponents();
    }

    public override Tensor Encode(Tensor input)
    {
        using var scope = NewDisposeScope();
        return encoder.forward(ImageInput.Forward(features, ImageInput.ToImages(input, _shape, _layout), training)).MoveToOuterDisposeScope();
    }

    public override Tensor Decode(Tensor latent)
    {
        using var scope = NewDisposeScope();
        var map = decoder.forward(latent).view(_featureMap);
        return ImageInput.ToRows(ImageInput.Forward(reconstruct, map, training), _layout).MoveToOuterDisposeScope();
    }

    public override string ExportEncoder(OnnxGraph graph, string rows, int inputSize)
    {
        var (maps, shape) = OnnxLayers.Sequential(graph, features, ImageInput.ToImages(graph, rows, _shape, _layout), [_shape.Channels, _shape.Height, _shape.Width]);
        return OnnxLayers.Sequential(graph, encoder, maps, shape).Output;
    }

    public override string ExportDecoder(OnnxGraph graph, string latent)
    {
        var (flat, _) = OnnxLayers.Sequential(graph, decoder, latent, [LatentSize]);
        var (images, _) = OnnxLayers.Sequential(graph, reconstruct, graph.Reshape(flat, _featureMap), _featureMap[1..]);
        return ImageInput.ToRows(graph, images, _layout);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            features.Dispose();
            encoder.Dispose();
            decoder.Dispose();
            reconstruct.Dispose();
        }
        base.Dispose(disposing);
    }
}
