using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML;
using MLDeepExtensions.Architectures;
using TorchSharp;
using static System.FormattableString;

namespace MLDeepExtensions;

/// <summary>
/// A residual convolutional network (a small ResNet) for images given as a Single vector column: a stem convolution,
/// stages of basic residual blocks, global average pooling, then dense hidden layers and the output layer. The image
/// shape is declared (<see cref="InputShape"/>) or taken from the column's dimensions, as for <see cref="CnnArchitecture"/>.
/// </summary>
/// <remarks>
/// <para>The stem is a 3×3 convolution of <see cref="StemChannels"/> filters, batch normalization and the activation.
/// Each stage is <see cref="BlocksPerStage"/> basic blocks of <see cref="Stages"/>[s] channels: 3×3 convolution, batch
/// normalization, activation, 3×3 convolution, batch normalization, plus the block's input (through a 1×1 convolution and
/// batch normalization where the channels or the size change), then the activation. The first block of every stage after
/// the first has stride 2, halving the image's height and width (rounding up). The convolutions have no bias (batch
/// normalization follows each).</para>
/// <para>It differs from <see cref="CnnArchitecture"/> in kind, not in degree: its blocks add their input back and are
/// built per stage, so they are not a list of <see cref="ConvolutionBlock"/>s (which pool, drop out and choose their
/// activation one by one); the image input, the dense head and the augmentation are the CNN's.</para>
/// </remarks>
/// <example><code>new ResidualCnnArchitecture(new ImageShape(1, 28, 28)) { Stages = [16, 32, 64], BlocksPerStage = 1 }</code>
/// is a small residual network for Fashion-MNIST (about 78,000 weights).</example>
public sealed record ResidualCnnArchitecture : NetworkArchitecture
{
    internal const string RegisteredName = "resnet";

    /// <summary>Version 1: image shape, pixel layout, stem channels, stages, blocks per stage, hidden layers, activation, dropout, augmentation.</summary>
    internal const int CurrentSettingsVersion = 1;

    private readonly ValueList<int> _stages = SettingChecks.Own([32, 64, 128]);

    private readonly ValueList<int> _hiddenLayers = SettingChecks.Own(Array.Empty<int>());

    /// <summary>Creates the default residual network for images of the given shape (null: from the feature column's dimensions).</summary>
    public ResidualCnnArchitecture(ImageShape? inputShape = null)
    {
        InputShape = inputShape;
    }

    /// <summary>The image shape; null takes it from the feature column's dimensions (read per <see cref="PixelLayout"/>). Default: null.</summary>
    public ImageShape? InputShape { get; init; }

    /// <summary>How pixels are ordered in the feature vector. Default: <see cref="MLDeepExtensions.PixelLayout.Planar"/> (C×H×W).</summary>
    public PixelLayout PixelLayout { get; init; } = PixelLayout.Planar;

    /// <summary>Filters of the stem's 3×3 convolution, ≥ 1. Default: 32.</summary>
    public int StemChannels { get; init; } = 32;

    /// <summary>
    /// Channels of each stage's residual blocks, input side first; at least one stage, each ≥ 1. Every stage after the first
    /// halves the image's height and width. Default: 32, 64, 128.
    /// </summary>
    public IReadOnlyList<int> Stages { get => _stages; init => _stages = SettingChecks.Own(value); }

    /// <summary>Basic residual blocks per stage, ≥ 1. Default: 2.</summary>
    public int BlocksPerStage { get; init; } = 2;

    /// <summary>Units of the dense hidden layers after the global average pooling, input side first; each ≥ 1. Default: none.</summary>
    public IReadOnlyList<int> HiddenLayers { get => _hiddenLayers; init => _hiddenLayers = SettingChecks.Own(value); }

    /// <summary>Non-linearity in the stem, in the blocks and after each dense hidden layer. Default: ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Dropout before each dense layer (the pooled features included), in [0, 1). Default: 0.</summary>
    public float Dropout { get; init; }

    /// <summary>Random flips and shifts during training only. Default: null (off).</summary>
    public ImageAugmentation? Augmentation { get; init; }

    internal override string Name => RegisteredName;

    internal override TorchSharp.Modules.Linear? OutputLayer(torch.nn.Module module) => NamedLinear(module, "head.output");

    internal override void Validate(ValidationErrors errors)
    {
        const string name = nameof(ResidualCnnArchitecture) + ".";
        SettingChecks.Defined(errors, name + nameof(PixelLayout), PixelLayout);
        if (InputShape is { } shape && (shape.Channels < 1 || shape.Height < 1 || shape.Width < 1))
            errors.Add($"{name}{nameof(InputShape)} is {shape}; every dimension must be ≥ 1.");
        SettingChecks.AtLeastOne(errors, name + nameof(StemChannels), StemChannels);
        if (Stages is null || Stages.Count == 0)
            errors.Add($"{name}{nameof(Stages)} is {(Stages is null ? "null" : "empty")}; give the channels of at least one stage, e.g. [32, 64, 128].");
        else
            SettingChecks.LayerSizes(errors, name + nameof(Stages), Stages, "");
        SettingChecks.AtLeastOne(errors, name + nameof(BlocksPerStage), BlocksPerStage);
        SettingChecks.LayerSizes(errors, name + nameof(HiddenLayers), HiddenLayers, "give an empty list for no hidden dense layer.");
        SettingChecks.Probability(errors, name + nameof(Dropout), Dropout);
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
        Augmentation?.Validate(errors);
    }

    internal override NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
        => this with { InputShape = ImageInput.ShapeOf(InputShape, PixelLayout, featureColumn, nameof(ResidualCnnArchitecture)) };

    internal override bool HasConvolutions => true;

    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
    {
        var shape = InputShape ?? throw new InvalidOperationException("The residual CNN's input shape was not resolved before building the network.");
        return new ResidualCnnModule(shape, PixelLayout, StemChannels, Stages, BlocksPerStage, Activation,
            DenseStack.Layers(Stages[^1], HiddenLayers, outputSize, DenseStack.Head(Activation, Dropout)), Augmentation);
    }

    /// <summary>The convolution and dense weights (biases and batch normalization left out), computed without building the network.</summary>
    internal override double MinimumWeightCount(int inputSize, int outputSize)
    {
        if (InputShape is not { } shape)
            return 0;
        double count = 9.0 * shape.Channels * StemChannels, from = StemChannels;
        for (int s = 0; s < Stages.Count; s++)
        {
            double channels = Stages[s];
            count += 9 * from * channels + 9 * channels * channels + (from != channels || s > 0 ? from * channels : 0);
            count += (Math.Max(BlocksPerStage, 1) - 1.0) * 18 * channels * channels;
            from = channels;
        }
        return count + DenseStack.WeightCount(from, HiddenLayers, outputSize);
    }

    internal override void WriteSettings(BinaryWriter writer)
    {
        var shape = InputShape ?? throw new InvalidOperationException("Only a resolved residual CNN can be saved.");
        writer.Write(shape.Channels);
        writer.Write(shape.Height);
        writer.Write(shape.Width);
        writer.Write((int)PixelLayout);
        writer.Write(StemChannels);
        writer.WriteSizes(Stages);
        writer.Write(BlocksPerStage);
        writer.WriteSizes(HiddenLayers);
        writer.Write((int)Activation);
        writer.Write(Dropout);
        writer.Write(Augmentation is not null);
        Augmentation?.Write(writer);
    }

    internal static ResidualCnnArchitecture ReadSettings(BinaryReader reader, int version)
    {
        const string owner = "residual CNN";
        var architecture = new ResidualCnnArchitecture(new ImageShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32()))
        {
            PixelLayout = (PixelLayout)reader.ReadInt32(),
            StemChannels = reader.ReadInt32(),
            Stages = reader.ReadList(owner, "stages", r => r.ReadInt32(), minimum: 1),
            BlocksPerStage = reader.ReadInt32(),
            HiddenLayers = reader.ReadSizes(owner, "hidden layers"),
            Activation = (Activation)reader.ReadInt32(),
            Dropout = reader.ReadSingle(),
            Augmentation = reader.ReadBoolean() ? ImageAugmentation.Read(reader) : null,
        };
        return Checked(architecture, owner);
    }

    /// <inheritdoc/>
    public override string ToString()
        => Invariant($"Residual CNN {InputShape?.ToString() ?? "(shape from data)"} stem {StemChannels}, stages [{SettingChecks.Sizes(Stages ?? [])}] × {BlocksPerStage} blocks ") +
           $"{Activation} → dense [{SettingChecks.Sizes(HiddenLayers ?? [])}]" + (Augmentation is { IsActive: true } a ? $", augmentation {a}" : "");
}
