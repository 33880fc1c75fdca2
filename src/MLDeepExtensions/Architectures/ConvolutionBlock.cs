using System;
using System.IO;
using MLDeepExtensions.Architectures;

namespace MLDeepExtensions;

/// <summary>
/// One convolution block of a <see cref="CnnArchitecture"/> or a convolutional <see cref="AutoencoderArchitecture"/>:
/// a 2-D convolution, optional batch normalization, an activation, optional pooling and optional dropout, in that order.
/// </summary>
/// <example><code>new ConvolutionBlock(32) { BatchNormalization = true, Pooling = PoolingKind.Max }</code></example>
public sealed record ConvolutionBlock
{
    /// <summary>Creates a block with the given number of filters (output channels) and the defaults below.</summary>
    public ConvolutionBlock(int filters)
    {
        Filters = filters;
    }

    /// <summary>Output channels, ≥ 1.</summary>
    public int Filters { get; init; }

    /// <summary>Side of the square kernel, ≥ 1. Default: 3.</summary>
    public int KernelSize { get; init; } = 3;

    /// <summary>Step of the kernel, ≥ 1. Default: 1.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>Zero padding on each side, ≥ 0; null pads KernelSize / 2 ("same" size at stride 1). Default: null.</summary>
    public int? Padding { get; init; }

    /// <summary>Non-linearity after the convolution. Default: ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Adds batch normalization between convolution and activation. Default: false.</summary>
    public bool BatchNormalization { get; init; }

    /// <summary>
    /// Pooling after the activation, which divides the image's height and width by <see cref="PoolSize"/>. Default:
    /// <see cref="PoolingKind.None"/>, so that a block never shrinks an image unless asked (as a Keras Conv2D layer).
    /// </summary>
    public PoolingKind Pooling { get; init; } = PoolingKind.None;

    /// <summary>Side (and stride) of the pooling window, ≥ 1. Default: 2.</summary>
    public int PoolSize { get; init; } = 2;

    /// <summary>Probability of zeroing a whole channel during training only, in [0, 1). Default: 0.</summary>
    public float Dropout { get; init; }

    internal int EffectivePadding => Padding ?? KernelSize / 2;

    internal void Validate(ValidationErrors errors, string name)
    {
        SettingChecks.AtLeastOne(errors, $"{name}.{nameof(Filters)}", Filters);
        SettingChecks.AtLeastOne(errors, $"{name}.{nameof(KernelSize)}", KernelSize);
        SettingChecks.AtLeastOne(errors, $"{name}.{nameof(Stride)}", Stride);
        if (Padding < 0)
            errors.Add($"{name}.{nameof(Padding)} is {Padding}; it must be ≥ 0, or null for KernelSize / 2.");
        SettingChecks.AtLeastOne(errors, $"{name}.{nameof(PoolSize)}", PoolSize);
        SettingChecks.Probability(errors, $"{name}.{nameof(Dropout)}", Dropout);
        SettingChecks.Defined(errors, $"{name}.{nameof(Activation)}", Activation);
        SettingChecks.Defined(errors, $"{name}.{nameof(Pooling)}", Pooling);
    }

    /// <summary>The (height, width) the convolution leaves of an input of the given size; a side of 0 means the kernel does not fit.</summary>
    internal (int Height, int Width) ConvolvedSize(int height, int width) => (Convolved(height), Convolved(width));

    private int Convolved(int side) => side + 2 * EffectivePadding < KernelSize ? 0 : (side + 2 * EffectivePadding - KernelSize) / Stride + 1;

    /// <summary>The (height, width) this block turns an input of the given size into, or null if it shrinks to nothing.</summary>
    internal (int Height, int Width)? OutputShape(int height, int width)
    {
        var (h, w) = ConvolvedSize(height, width);
        if (h < 1 || w < 1)
            return null;
        if (Pooling != PoolingKind.None)
            (h, w) = (h / PoolSize, w / PoolSize);
        return h >= 1 && w >= 1 ? (h, w) : null;
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Filters);
        writer.Write(KernelSize);
        writer.Write(Stride);
        writer.Write(Padding ?? -1);
        writer.Write((int)Activation);
        writer.Write(BatchNormalization);
        writer.Write((int)Pooling);
        writer.Write(PoolSize);
        writer.Write(Dropout);
    }

    internal static ConvolutionBlock Read(BinaryReader reader)
    {
        int filters = reader.ReadInt32(), kernel = reader.ReadInt32(), stride = reader.ReadInt32(), padding = reader.ReadInt32();
        return new ConvolutionBlock(filters)
        {
            KernelSize = kernel,
            Stride = stride,
            Padding = padding < 0 ? null : padding,
            Activation = (Activation)reader.ReadInt32(),
            BatchNormalization = reader.ReadBoolean(),
            Pooling = (PoolingKind)reader.ReadInt32(),
            PoolSize = reader.ReadInt32(),
            Dropout = reader.ReadSingle(),
        };
    }

    /// <inheritdoc/>
    public override string ToString()
        => FormattableString.Invariant($"conv{KernelSize}×{KernelSize}/{Stride} {Filters}") + (BatchNormalization ? " bn" : "") + $" {Activation}" +
           (Pooling == PoolingKind.None ? "" : FormattableString.Invariant($" {Pooling.ToString().ToLowerInvariant()}pool{PoolSize}")) +
           (Dropout > 0 ? FormattableString.Invariant($" drop {Dropout}") : "");
}
