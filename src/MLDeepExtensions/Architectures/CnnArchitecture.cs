using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>
/// A convolutional network for images given as a Single vector column: convolution blocks, then a dense head.
/// The image shape is declared (<see cref="InputShape"/>) or taken from the column's dimensions, as ML.NET's
/// <c>ExtractPixels</c> sets them.
/// </summary>
/// <example><code>new CnnArchitecture(inputShape: new ImageShape(1, 28, 28))</code> is a good small CNN: two blocks of
/// 3×3 convolutions (32 and 64 filters) with ReLU and 2×2 max pooling, then a dense layer of 128 with dropout 0.25.</example>
public sealed class CnnArchitecture : NetworkArchitecture
{
    internal const string KindName = "cnn";

    /// <summary>Creates the default small CNN for images of the given shape (null: from the feature column's dimensions).</summary>
    public CnnArchitecture(ImageShape? inputShape = null)
    {
        InputShape = inputShape;
    }

    /// <summary>The image shape; null takes it from the feature column's dimensions (read per <see cref="PixelLayout"/>). Default: null.</summary>
    public ImageShape? InputShape { get; init; }

    /// <summary>How pixels are ordered in the feature vector. Default: <see cref="MLDeepExtensions.PixelLayout.Planar"/> (C×H×W).</summary>
    public PixelLayout PixelLayout { get; init; } = PixelLayout.Planar;

    /// <summary>The convolution blocks, input side first. Default: 32 and 64 filters, 3×3, ReLU, 2×2 max pooling.</summary>
    public IReadOnlyList<ConvolutionBlock> Blocks { get; init; } = new[] { new ConvolutionBlock(32), new ConvolutionBlock(64) };

    /// <summary>Hidden layer sizes of the dense head after the convolutions. Default: 128.</summary>
    public IReadOnlyList<int> DenseLayers { get; init; } = new[] { 128 };

    /// <summary>Activation of the dense head. Default: ReLU.</summary>
    public Activation DenseActivation { get; init; } = Activation.ReLU;

    /// <summary>Dropout before each dense layer of the head, in [0, 1). Default: 0.25.</summary>
    public float DenseDropout { get; init; } = 0.25f;

    /// <summary>Random flips and shifts during training only. Default: null (off).</summary>
    public ImageAugmentation? Augmentation { get; init; }

    internal override string Kind => KindName;

    internal override void Validate(ICollection<string> errors)
    {
        const string name = nameof(CnnArchitecture) + ".";
        SettingChecks.Defined(errors, name + nameof(PixelLayout), PixelLayout);
        if (Blocks is null || Blocks.Count == 0)
            errors.Add($"{name}{nameof(Blocks)} is empty; give at least one ConvolutionBlock (or use MlpArchitecture).");
        ImageInput.ValidateBlocks(errors, nameof(CnnArchitecture), nameof(Blocks), Blocks ?? Array.Empty<ConvolutionBlock>(), InputShape);
        SettingChecks.LayerSizes(errors, name + nameof(DenseLayers), DenseLayers, "give an empty list for no hidden dense layer.");
        SettingChecks.Probability(errors, name + nameof(DenseDropout), DenseDropout);
        SettingChecks.Defined(errors, name + nameof(DenseActivation), DenseActivation);
        Augmentation?.Validate(errors);
    }

    internal override NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
    {
        var shape = ImageInput.Resolve(InputShape, PixelLayout, Blocks, featureColumn, nameof(CnnArchitecture));
        return InputShape == shape ? this : With(shape);
    }

    private CnnArchitecture With(ImageShape shape) => new(shape)
    {
        PixelLayout = PixelLayout, Blocks = Blocks, DenseLayers = DenseLayers, DenseActivation = DenseActivation,
        DenseDropout = DenseDropout, Augmentation = Augmentation,
    };

    internal override torch.nn.Module<torch.Tensor, torch.Tensor> CreateModule(int inputSize, int outputSize)
    {
        var shape = InputShape ?? throw new InvalidOperationException("The CNN's input shape was not resolved before building the network.");
        int flattened = checked((int)ImageInput.FlattenedSize(shape, Blocks)!.Value);
        return new CnnModule(shape, PixelLayout, Blocks, DenseLayers, DenseActivation, DenseDropout, Augmentation, flattened, outputSize);
    }

    internal override double MinimumWeightCount(int inputSize, int outputSize)
    {
        if (InputShape is not { } shape || ImageInput.FlattenedSize(shape, Blocks) is not long flattened)
            return 0;
        return ImageInput.ConvolutionWeightCount(shape.Channels, Blocks) + DenseWeightCount(flattened, DenseLayers, outputSize);
    }

    internal override void WriteSettings(BinaryWriter writer)
    {
        var shape = InputShape ?? throw new InvalidOperationException("Only a resolved CNN can be saved.");
        ImageInput.WriteSettings(writer, shape, PixelLayout, Blocks);
        writer.Write(DenseLayers.Count);
        foreach (int units in DenseLayers)
            writer.Write(units);
        writer.Write((int)DenseActivation);
        writer.Write(DenseDropout);
        writer.Write(Augmentation is not null);
        Augmentation?.Write(writer);
    }

    internal static CnnArchitecture ReadSettings(BinaryReader reader)
    {
        var (shape, layout, blocks) = ImageInput.ReadSettings(reader, "CNN");
        var dense = ReadList(reader, r => r.ReadInt32());
        var architecture = new CnnArchitecture(shape)
        {
            PixelLayout = layout,
            Blocks = blocks,
            DenseLayers = dense,
            DenseActivation = (Activation)reader.ReadInt32(),
            DenseDropout = reader.ReadSingle(),
            Augmentation = reader.ReadBoolean() ? ImageAugmentation.Read(reader) : null,
        };
        return Checked(architecture, "CNN");
    }

    private static T[] ReadList<T>(BinaryReader reader, Func<BinaryReader, T> read)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > 10_000)
            throw new InvalidDataException($"The model file's CNN settings are corrupt: a list of {count} entries.");
        return Enumerable.Range(0, count).Select(_ => read(reader)).ToArray();
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"CNN {InputShape?.ToString() ?? "(shape from data)"} [{string.Join(", ", Blocks)}] → dense [{string.Join(", ", DenseLayers)}]" +
           (Augmentation is { IsActive: true } a ? $", augmentation {a}" : "");
}
