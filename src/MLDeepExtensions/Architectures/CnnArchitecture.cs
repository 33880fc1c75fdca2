using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML;
using MLDeepExtensions.Architectures;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>
/// A convolutional network for images given as a Single vector column: convolution blocks, then dense hidden layers
/// and the output layer. The image shape is declared (<see cref="InputShape"/>) or taken from the column's dimensions,
/// as ML.NET's <c>ExtractPixels</c> sets them.
/// </summary>
/// <example><code>new CnnArchitecture(inputShape: new ImageShape(1, 28, 28))</code> is a good small CNN: two blocks of
/// 3×3 convolutions (32 and 64 filters) with ReLU and 2×2 max pooling, then a dense layer of 128 with dropout 0.25.</example>
public sealed record CnnArchitecture : NetworkArchitecture
{
    internal const string RegisteredName = "cnn";

    /// <summary>Version 1: image shape, pixel layout, blocks, hidden layers, activation, dropout, augmentation.</summary>
    internal const int CurrentSettingsVersion = 1;

    private readonly ValueList<ConvolutionBlock> _convolutionBlocks =
        SettingChecks.Own([new ConvolutionBlock(32) { Pooling = PoolingKind.Max }, new ConvolutionBlock(64) { Pooling = PoolingKind.Max }]);

    private readonly ValueList<int> _hiddenLayers = SettingChecks.Own([128]);

    /// <summary>Creates the default small CNN for images of the given shape (null: from the feature column's dimensions).</summary>
    public CnnArchitecture(ImageShape? inputShape = null)
    {
        InputShape = inputShape;
    }

    /// <summary>The image shape; null takes it from the feature column's dimensions (read per <see cref="PixelLayout"/>). Default: null.</summary>
    public ImageShape? InputShape { get; init; }

    /// <summary>How pixels are ordered in the feature vector. Default: <see cref="MLDeepExtensions.PixelLayout.Planar"/> (C×H×W).</summary>
    public PixelLayout PixelLayout { get; init; } = PixelLayout.Planar;

    /// <summary>The convolution blocks, input side first; at least one. Default: 32 and 64 filters, 3×3, ReLU, 2×2 max pooling.</summary>
    public IReadOnlyList<ConvolutionBlock> ConvolutionBlocks { get => _convolutionBlocks; init => _convolutionBlocks = SettingChecks.Own(value); }

    /// <summary>Units of the dense hidden layers after the convolutions, input side first; each ≥ 1. Default: 128.</summary>
    public IReadOnlyList<int> HiddenLayers { get => _hiddenLayers; init => _hiddenLayers = SettingChecks.Own(value); }

    /// <summary>Non-linearity after each dense hidden layer. Default: ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Dropout before each dense layer (the flattened convolution features included), in [0, 1). Default: 0.25.</summary>
    public float Dropout { get; init; } = 0.25f;

    /// <summary>Random flips and shifts during training only. Default: null (off).</summary>
    public ImageAugmentation? Augmentation { get; init; }

    internal override string Name => RegisteredName;

    internal override TorchSharp.Modules.Linear? OutputLayer(torch.nn.Module module) => NamedLinear(module, "head.output");

    internal override void Validate(ValidationErrors errors)
    {
        const string name = nameof(CnnArchitecture) + ".";
        SettingChecks.Defined(errors, name + nameof(PixelLayout), PixelLayout);
        if (ConvolutionBlocks is null || ConvolutionBlocks.Count == 0)
            errors.Add($"{name}{nameof(ConvolutionBlocks)} is empty; give at least one ConvolutionBlock (or use MlpArchitecture).");
        ImageInput.ValidateBlocks(errors, nameof(CnnArchitecture), nameof(ConvolutionBlocks), ConvolutionBlocks ?? Array.Empty<ConvolutionBlock>(), InputShape);
        SettingChecks.LayerSizes(errors, name + nameof(HiddenLayers), HiddenLayers, "give an empty list for no hidden dense layer.");
        SettingChecks.Probability(errors, name + nameof(Dropout), Dropout);
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
        Augmentation?.Validate(errors);
    }

    internal override NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
    {
        var shape = ImageInput.Resolve(InputShape, PixelLayout, ConvolutionBlocks, featureColumn, nameof(CnnArchitecture), nameof(ConvolutionBlocks));
        return this with { InputShape = shape };
    }

    internal override bool HasConvolutions => true;

    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
    {
        var shape = InputShape ?? throw new InvalidOperationException("The CNN's input shape was not resolved before building the network.");
        int flattened = checked((int)ImageInput.FlattenedSize(shape, ConvolutionBlocks)!.Value);
        return new CnnModule(shape, PixelLayout, ImageInput.BlockLayers(ConvolutionBlocks, shape.Channels),
            DenseStack.Layers(flattened, HiddenLayers, outputSize, DenseStack.Head(Activation, Dropout)), Augmentation);
    }

    internal override double MinimumWeightCount(int inputSize, int outputSize)
    {
        if (InputShape is not { } shape || ImageInput.FlattenedSize(shape, ConvolutionBlocks) is not long flattened)
            return 0;
        return ImageInput.ConvolutionWeightCount(shape.Channels, ConvolutionBlocks) + DenseStack.WeightCount(flattened, HiddenLayers, outputSize);
    }

    internal override void WriteSettings(BinaryWriter writer)
    {
        var shape = InputShape ?? throw new InvalidOperationException("Only a resolved CNN can be saved.");
        ImageInput.WriteSettings(writer, shape, PixelLayout, ConvolutionBlocks);
        writer.WriteSizes(HiddenLayers);
        writer.Write((int)Activation);
        writer.Write(Dropout);
        writer.Write(Augmentation is not null);
        Augmentation?.Write(writer);
    }

    internal static CnnArchitecture ReadSettings(BinaryReader reader, int version)
    {
        var (shape, layout, blocks) = ImageInput.ReadSettings(reader, "CNN");
        var architecture = new CnnArchitecture(shape)
        {
            PixelLayout = layout,
            ConvolutionBlocks = blocks,
            HiddenLayers = reader.ReadSizes("CNN", "hidden layers"),
            Activation = (Activation)reader.ReadInt32(),
            Dropout = reader.ReadSingle(),
            Augmentation = reader.ReadBoolean() ? ImageAugmentation.Read(reader) : null,
        };
        return Checked(architecture, "CNN");
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"CNN {InputShape?.ToString() ?? "(shape from data)"} [{string.Join(", ", ConvolutionBlocks)}] → dense [{SettingChecks.Sizes(HiddenLayers)}]" +
           (Augmentation is { IsActive: true } a ? $", augmentation {a}" : "");
}
