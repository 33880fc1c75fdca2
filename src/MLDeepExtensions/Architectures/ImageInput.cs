using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using MLDeepExtensions.Interop;
using MLDeepExtensions.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static System.FormattableString;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// What the convolutional architectures (<see cref="CnnArchitecture"/>, the convolutional
/// <see cref="AutoencoderArchitecture"/>) share: checking the blocks, finding the image shape of a feature column,
/// the image size after each block, the encoder layers, and turning rows into images and back.
/// </summary>
internal static class ImageInput
{
    /// <summary>The most values the last block may leave per image: a dense layer's input size is an int.</summary>
    private const long MaxFlattened = int.MaxValue;

    /// <summary>Adds a message per invalid block, and one if <paramref name="shape"/> shrinks to nothing.</summary>
    public static void ValidateBlocks(ValidationErrors errors, string owner, string property, IReadOnlyList<ConvolutionBlock> blocks, ImageShape? shape)
    {
        if (shape is { } declared && (declared.Channels < 1 || declared.Height < 1 || declared.Width < 1))
            errors.Add($"{owner}.InputShape is {declared}; every dimension must be ≥ 1.");
        for (int i = 0; i < blocks.Count; i++)
        {
            if (blocks[i] is null) errors.Add($"{owner}.{property}[{i}] is null.");
            else blocks[i].Validate(errors, $"{owner}.{property}[{i}]");
        }
        if (shape is { } s && s.Height >= 1 && s.Width >= 1 && blocks.Count > 0 && blocks.All(b => b is not null) && ShrinkProblem(s, blocks, owner, property) is { } problem)
            errors.Add($"{problem}");
    }

    /// <summary>
    /// Where a <paramref name="shape"/> image shrinks to nothing on its way through the blocks (which block, the size it
    /// receives, and whether the kernel or the pooling window does not fit), or null when it does not.
    /// </summary>
    public static string? ShrinkProblem(ImageShape shape, IReadOnlyList<ConvolutionBlock> blocks, string owner, string property)
    {
        int height = shape.Height, width = shape.Width;
        for (int i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            string name = Invariant($"{owner}.{property}[{i}] ({block})");
            var (h, w) = block.ConvolvedSize(height, width);
            if (h < 1 || w < 1)
                return Invariant($"a {shape} image shrinks to nothing: {name} receives {height}×{width} pixels, too few for its {block.KernelSize}×{block.KernelSize} kernel ") +
                    Invariant($"with padding {block.EffectivePadding}. Use fewer blocks, less pooling (Pooling = PoolingKind.None), or more padding.");
            if (block.Pooling != PoolingKind.None && (h / block.PoolSize < 1 || w / block.PoolSize < 1))
                return Invariant($"a {shape} image shrinks to nothing: {name} pools the {h}×{w} output of its convolution with a {block.PoolSize}×{block.PoolSize} window. ") +
                    "Set Pooling = PoolingKind.None on that block, or use fewer blocks.";
            (height, width) = block.OutputShape(height, width)!.Value;
        }
        return null;
    }

    /// <summary>
    /// The image shape of <paramref name="column"/>: <paramref name="declared"/>, else the column's dimensions (read per
    /// <paramref name="layout"/>); an exception naming the column when the sizes disagree or the blocks shrink it to nothing.
    /// </summary>
    public static ImageShape Resolve(ImageShape? declared, PixelLayout layout, IReadOnlyList<ConvolutionBlock> blocks, DataViewSchema.Column column, string owner, string property)
    {
        var shape = ShapeOf(declared, layout, column, owner);
        if (ShrinkProblem(shape, blocks, owner, property) is { } problem)
            throw new ArgumentException($"Feature column '{column.Name}': {problem}");
        long flattened = FlattenedSize(shape, blocks)!.Value;
        if (flattened > MaxFlattened)
            throw new ArgumentException(Invariant($"A {shape} image from column '{column.Name}' leaves {flattened:N0} values after the convolution blocks of the {owner}, ") +
                Invariant($"more than a dense layer takes ({MaxFlattened:N0}); add pooling or stride, or use fewer filters in the last block."));
        return shape;
    }

    /// <summary>
    /// The image shape of <paramref name="column"/>: <paramref name="declared"/>, else the column's dimensions (read per
    /// <paramref name="layout"/>); an exception naming the column when it is not a dense Single vector of that size.
    /// </summary>
    public static ImageShape ShapeOf(ImageShape? declared, PixelLayout layout, DataViewSchema.Column column, string owner)
    {
        SchemaChecks.CheckDenseFeatureColumn(column);
        var type = (VectorDataViewType)column.Type;
        var shape = declared ?? FromDimensions(type, layout, column.Name, owner);
        if (shape.Size != type.Size)
            throw SchemaChecks.Mismatch("feature", column.Name, Invariant($"a vector of {shape.Size} values for images of {shape} ({owner}.InputShape)"),
                Invariant($"a vector of {type.Size}"), "Declare the InputShape of the images the column holds (channels, height, width).");
        return shape;
    }

    private static ImageShape FromDimensions(VectorDataViewType type, PixelLayout layout, string column, string owner)
    {
        var dims = type.Dimensions;
        if (dims.Length == 3)
            return layout == PixelLayout.Planar ? new ImageShape(dims[0], dims[1], dims[2]) : new ImageShape(dims[2], dims[0], dims[1]);
        if (dims.Length == 2)
            return new ImageShape(1, dims[0], dims[1]);
        throw SchemaChecks.Mismatch("feature", column, "an image vector with dimensions (as ExtractPixels makes) or a declared InputShape",
            $"{type} without image dimensions", $"Set {owner}.InputShape, e.g. new ImageShape(1, 28, 28).");
    }

    /// <summary>
    /// The (height, width) entering each block followed by the size leaving the last one (blocks + 1 entries), or null
    /// if the image shrinks to nothing on the way.
    /// </summary>
    public static (int Height, int Width)[]? StageSizes(ImageShape shape, IReadOnlyList<ConvolutionBlock> blocks)
    {
        var sizes = new (int, int)[blocks.Count + 1];
        sizes[0] = (shape.Height, shape.Width);
        for (int i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].OutputShape(sizes[i].Item1, sizes[i].Item2) is not { } next)
                return null;
            sizes[i + 1] = next;
        }
        return sizes;
    }

    /// <summary>Values per image after the last block (its filters × its output height × width), or null if the image shrinks to nothing.</summary>
    public static long? FlattenedSize(ImageShape shape, IReadOnlyList<ConvolutionBlock> blocks)
        => StageSizes(shape, blocks) is { } sizes ? (long)blocks[^1].Filters * sizes[^1].Height * sizes[^1].Width : null;

    /// <summary>The weights (biases left out) of the blocks' convolutions on images of <paramref name="channels"/> channels.</summary>
    public static double ConvolutionWeightCount(int channels, IReadOnlyList<ConvolutionBlock> blocks)
    {
        double count = 0, from = channels;
        foreach (var block in blocks)
        {
            count += block.Filters * from * block.KernelSize * block.KernelSize;
            from = block.Filters;
        }
        return count;
    }

    /// <summary>
    /// The layers of the blocks, in order: "conv{i}", "norm{i}" (batch norm), "act{i}", "pool{i}", "drop{i}". These names
    /// are saved weight keys: do not rename.
    /// </summary>
    public static List<(string, nn.Module<Tensor, Tensor>)> BlockLayers(IReadOnlyList<ConvolutionBlock> blocks, int inputChannels)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = inputChannels;
        for (int i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            layers.Add(($"conv{i}", Conv(() => nn.Conv2d(channels, b.Filters, b.KernelSize, stride: b.Stride, padding: b.EffectivePadding))));
            if (b.BatchNormalization)
                layers.Add(($"norm{i}", nn.BatchNorm2d(b.Filters)));
            layers.Add(($"act{i}", ActivationModules.Create(b.Activation)));
            if (b.Pooling == PoolingKind.Max)
                layers.Add(($"pool{i}", nn.MaxPool2d(b.PoolSize)));
            else if (b.Pooling == PoolingKind.Average)
                layers.Add(($"pool{i}", nn.AvgPool2d(b.PoolSize)));
            if (b.Dropout > 0)
                layers.Add(($"drop{i}", nn.Dropout2d(b.Dropout)));
            channels = b.Filters;
        }
        return layers;
    }

    /// <summary>
    /// Runs a stack of block layers. In training on the CPU, a convolution whose output channel count is not a multiple of
    /// 16 runs with zero filters added up to the next multiple and the extra channels dropped: oneDNN's backward kernels
    /// read the padding channels of the output gradient, which otherwise hold whatever memory they were given and made
    /// gradients NaN (see <see cref="CpuKernels"/>). The added filters' output, and so their gradient, is exactly zero, so
    /// the result and the weights' gradients are the convolution's own. Scoring runs the layers as they are.
    /// </summary>
    public static Tensor Forward(Sequential layers, Tensor input, bool training)
    {
        if (!training || input.device_type != DeviceType.CPU)
            return layers.forward(input);
        var x = input;
        foreach (var layer in layers.children())
            x = layer is Conv2d conv ? Convolve(conv, x, training) : ((nn.Module<Tensor, Tensor>)layer).forward(x);
        return x;
    }

    /// <summary>One convolution as <see cref="Forward"/> runs it: padded to a multiple of 16 filters in training on the CPU, as it is otherwise.</summary>
    public static Tensor Convolve(Conv2d conv, Tensor input, bool training)
        => training && input.device_type == DeviceType.CPU && conv.out_channels % CpuKernels.ConvolutionBlocking != 0 ? PaddedConvolution(conv, input) : conv.call(input);

    private static Tensor PaddedConvolution(Conv2d conv, Tensor input)
    {
        long channels = conv.out_channels, padded = (channels + CpuKernels.ConvolutionBlocking - 1) / CpuKernels.ConvolutionBlocking * CpuKernels.ConvolutionBlocking;
        var weight = conv.weight!;
        var weights = cat([weight, zeros(padded - channels, weight.shape[1], weight.shape[2], weight.shape[3], dtype: weight.dtype, device: weight.device)], 0);
        var biases = conv.bias is { } bias ? cat([bias, zeros(padded - channels, dtype: bias.dtype, device: bias.device)], 0) : null;
        var output = conv.padding_type is { } padding
            ? nn.functional.conv2d_padding(input, weights, biases, conv.stride, padding, conv.dilation, conv.groups)
            : nn.functional.conv2d(input, weights, biases, conv.stride, conv.padding, conv.dilation, conv.groups);
        return output.narrow(1, 0, channels);
    }

    /// <summary>
    /// Builds a convolution (only ever from a module constructor, so the backend is loaded) inside a dispose scope that keeps only its parameters: TorchSharp's Conv2d constructor
    /// leaves a view of its weight undisposed (its fan-in computation indexes the weight), which would hold the weight's
    /// memory after the module is disposed, until the garbage collector finalizes the view.
    /// </summary>
    public static Conv2d Conv(Func<Conv2d> create)
    {
        using var scope = NewDisposeScope();
        var conv = create();
        scope.Detach(conv.parameters());
        return conv;
    }

    /// <summary>Random horizontal flips (per image, p = 0.5) and random shifts of up to MaxShift pixels with zero fill (training only).</summary>
    public static Tensor Augment(Tensor images, ImageAugmentation augmentation)
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

    /// <summary>Writes the image shape, pixel layout and blocks; <see cref="ReadSettings"/> reads them back.</summary>
    public static void WriteSettings(BinaryWriter writer, ImageShape shape, PixelLayout layout, IReadOnlyList<ConvolutionBlock> blocks)
    {
        writer.Write(shape.Channels);
        writer.Write(shape.Height);
        writer.Write(shape.Width);
        writer.Write((int)layout);
        writer.WriteList(blocks, (w, block) => block.Write(w));
    }

    /// <summary>Reads what <see cref="WriteSettings"/> wrote; the caller validates the values.</summary>
    public static (ImageShape Shape, PixelLayout Layout, ConvolutionBlock[] Blocks) ReadSettings(BinaryReader reader, string owner)
    {
        var shape = new ImageShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        var layout = (PixelLayout)reader.ReadInt32();
        return (shape, layout, reader.ReadList(owner, "convolution blocks", ConvolutionBlock.Read, minimum: 1));
    }

    /// <summary>Rows of C·H·W values (planar) or H·W·C values (interleaved) → an N×C×H×W batch.</summary>
    public static Tensor ToImages(Tensor rows, ImageShape shape, PixelLayout layout)
        => layout == PixelLayout.Planar
            ? rows.view(-1, shape.Channels, shape.Height, shape.Width)
            : rows.view(-1, shape.Height, shape.Width, shape.Channels).permute(0, 3, 1, 2).contiguous();

    /// <summary><see cref="ToImages(Tensor, ImageShape, PixelLayout)"/> in an ONNX graph.</summary>
    public static string ToImages(OnnxGraph graph, string rows, ImageShape shape, PixelLayout layout)
        => layout == PixelLayout.Planar
            ? graph.Reshape(rows, -1, shape.Channels, shape.Height, shape.Width)
            : graph.Transpose(graph.Reshape(rows, -1, shape.Height, shape.Width, shape.Channels), 0, 3, 1, 2);

    /// <summary><see cref="ToRows(Tensor, PixelLayout)"/> in an ONNX graph.</summary>
    public static string ToRows(OnnxGraph graph, string images, PixelLayout layout)
        => graph.Op("Flatten", layout == PixelLayout.Planar ? images : graph.Transpose(images, 0, 2, 3, 1), ("axis", 1L));

    /// <summary>An N×C×H×W batch → rows in <paramref name="layout"/>; the inverse of <see cref="ToImages(Tensor, ImageShape, PixelLayout)"/>.</summary>
    public static Tensor ToRows(Tensor images, PixelLayout layout)
        => layout == PixelLayout.Planar
            ? images.reshape(images.shape[0], -1)
            : images.permute(0, 2, 3, 1).reshape(images.shape[0], -1);
}
