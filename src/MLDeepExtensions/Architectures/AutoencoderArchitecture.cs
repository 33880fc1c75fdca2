using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Architectures;
using TorchSharp;
using static System.FormattableString;

namespace MLDeepExtensions;

/// <summary>
/// An autoencoder: an encoder down to a latent vector and a mirrored decoder back to the input. Dense by default;
/// with <see cref="ConvolutionBlocks"/> it is convolutional, for images of <see cref="InputShape"/> (C×H×W). Trained
/// without a label (the target is the input); optional denoising corrupts the input during training only.
/// </summary>
/// <example><code>new AutoencoderArchitecture(latentSize: 32, 256, 128) { DenoisingNoise = 0.1f }</code> is dense;
/// <code>AutoencoderArchitecture.Convolutional(new ImageShape(1, 28, 28), latentSize: 32)</code> is convolutional: blocks of
/// 32 and 64 3×3 filters with 2×2 max pooling, the latent layer, then upsampling and convolutions back to the image.</example>
public sealed record AutoencoderArchitecture : NetworkArchitecture
{
    internal const string DenseName = "autoencoder";
    internal const string ConvolutionalName = "conv-autoencoder";
    internal const string CustomName = "custom-autoencoder";

    /// <summary>Version 1: latent size, hidden layers, activation, noise, input dropout; convolutional: image shape, layout, blocks.</summary>
    internal const int CurrentSettingsVersion = 1;

    private readonly ValueList<int> _hiddenLayers;
    private readonly ValueList<ConvolutionBlock> _convolutionBlocks = SettingChecks.Own(Array.Empty<ConvolutionBlock>());

    /// <summary>Creates an autoencoder with the default encoder (256, 128) and a latent size of 32.</summary>
    public AutoencoderArchitecture()
        : this(32, 256, 128)
    {
    }

    /// <summary>Creates an autoencoder.</summary>
    /// <param name="latentSize">Size of the embedding, ≥ 1.</param>
    /// <param name="hiddenLayers">Hidden layer sizes of the encoder, input side first; the decoder mirrors them.</param>
    public AutoencoderArchitecture(int latentSize, params int[] hiddenLayers)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayers);
        LatentSize = latentSize;
        _hiddenLayers = SettingChecks.Own(hiddenLayers);
    }

    /// <summary>
    /// A convolutional autoencoder for images of <paramref name="inputShape"/> (null: from the feature column's
    /// dimensions, as ExtractPixels sets them): blocks of 32 and 64 3×3 filters with ReLU and 2×2 max pooling, then the
    /// latent layer; the decoder upsamples and convolves back to the image.
    /// </summary>
    /// <param name="inputShape">Channels × height × width of the images, or null to read it from the column.</param>
    /// <param name="latentSize">Size of the embedding, ≥ 1.</param>
    /// <param name="hiddenLayers">Dense hidden layers between the last block and the latent layer (mirrored in the decoder).</param>
    public static AutoencoderArchitecture Convolutional(ImageShape? inputShape = null, int latentSize = 32, params int[] hiddenLayers)
        => new(latentSize, hiddenLayers)
        {
            InputShape = inputShape,
            ConvolutionBlocks = [new ConvolutionBlock(32) { Pooling = PoolingKind.Max }, new ConvolutionBlock(64) { Pooling = PoolingKind.Max }],
        };

    /// <summary>
    /// An autoencoder you write yourself: the module registered under <paramref name="moduleName"/> with
    /// <see cref="CustomModules.Register"/>, deriving from <see cref="CustomAutoencoderModule"/>, whose Encode returns
    /// <paramref name="latentSize"/> values per row. The estimator trains it like ours (reconstruction error, anomaly
    /// threshold, every option) and saves it by name; it cannot be exported to ONNX.
    /// </summary>
    /// <param name="moduleName">The registered name, saved in the model file.</param>
    /// <param name="latentSize">Values per row of the <c>Embedding</c> column, told to the factory (<see cref="CustomModuleContext.LatentSize"/>) and checked.</param>
    public static AutoencoderArchitecture Custom(string moduleName, int latentSize = 32) => new(latentSize) { CustomModule = moduleName };

    /// <summary>The registered name of a custom autoencoder module (see <see cref="Custom"/>); null for ours. Default: null.</summary>
    public string? CustomModule { get; init; }

    /// <summary>Size of the latent vector (the <c>Embedding</c> column), ≥ 1. Default: 32.</summary>
    public int LatentSize { get; init; }

    /// <summary>
    /// Units of the encoder's dense hidden layers, input side first (after the convolution blocks, if any); the decoder
    /// uses them in reverse. Each ≥ 1. Default: 256, 128.
    /// </summary>
    public IReadOnlyList<int> HiddenLayers { get => _hiddenLayers; init => _hiddenLayers = SettingChecks.Own(value); }

    /// <summary>
    /// Convolution blocks before the dense layers, input side first; non-empty makes the autoencoder convolutional
    /// (the decoder mirrors each block with nearest upsampling and a convolution). Default: empty (dense).
    /// </summary>
    public IReadOnlyList<ConvolutionBlock> ConvolutionBlocks { get => _convolutionBlocks; init => _convolutionBlocks = SettingChecks.Own(value); }

    /// <summary>
    /// Convolutional only: the image shape; null takes it from the feature column's dimensions (read per
    /// <see cref="PixelLayout"/>). Default: null.
    /// </summary>
    public ImageShape? InputShape { get; init; }

    /// <summary>Convolutional only: how pixels are ordered in the feature vector. Default: <see cref="MLDeepExtensions.PixelLayout.Planar"/>.</summary>
    public PixelLayout PixelLayout { get; init; } = PixelLayout.Planar;

    /// <summary>True when <see cref="ConvolutionBlocks"/> is not empty.</summary>
    public bool IsConvolutional => ConvolutionBlocks is { Count: > 0 };

    /// <summary>Non-linearity after each dense hidden layer (not after the latent layer or the output). Default: ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Standard deviation of Gaussian noise added to the input during training only, ≥ 0. Default: 0 (off).</summary>
    public float DenoisingNoise { get; init; }

    /// <summary>Probability of zeroing an input value during training only, in [0, 1). Default: 0 (off).</summary>
    public float InputDropout { get; init; }

    internal override bool HasConvolutions => IsConvolutional;

    internal override string Name => CustomModule is not null ? CustomName : IsConvolutional ? ConvolutionalName : DenseName;

    internal override void Validate(ValidationErrors errors)
    {
        const string name = nameof(AutoencoderArchitecture) + ".";
        SettingChecks.AtLeastOne(errors, name + nameof(LatentSize), LatentSize);
        SettingChecks.LayerSizes(errors, name + nameof(HiddenLayers), HiddenLayers, "give an empty list for a single linear encoder layer.");
        if (!(DenoisingNoise >= 0 && float.IsFinite(DenoisingNoise)))
            errors.Add($"{name}{nameof(DenoisingNoise)} is {DenoisingNoise}; it must be ≥ 0 (0 turns it off).");
        SettingChecks.Probability(errors, name + nameof(InputDropout), InputDropout);
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
        SettingChecks.Defined(errors, name + nameof(PixelLayout), PixelLayout);
        if (ConvolutionBlocks is null)
            errors.Add($"{name}{nameof(ConvolutionBlocks)} is null; give an empty list for a dense autoencoder.");
        else if (IsConvolutional)
            ImageInput.ValidateBlocks(errors, nameof(AutoencoderArchitecture), nameof(ConvolutionBlocks), ConvolutionBlocks, InputShape);
        if (CustomModule is not null)
        {
            CustomModules.Validate(errors, name + nameof(CustomModule), CustomModule, "YourAutoencoder");
            if (HiddenLayers is { Count: > 0 } || IsConvolutional || InputShape is not null || DenoisingNoise != 0 || InputDropout != 0)
                errors.Add($"{name}{nameof(CustomModule)} is set, so the module decides its layers: leave {nameof(HiddenLayers)}, {nameof(ConvolutionBlocks)}, {nameof(InputShape)}, {nameof(DenoisingNoise)} and {nameof(InputDropout)} unset (use {nameof(AutoencoderArchitecture)}.{nameof(Custom)}(name, latentSize)).");
        }
        else if (!IsConvolutional && (InputShape is not null || PixelLayout != PixelLayout.Planar))
            errors.Add($"{name}{nameof(InputShape)} and {nameof(PixelLayout)} apply to the convolutional autoencoder only, and {nameof(ConvolutionBlocks)} is empty; use {nameof(AutoencoderArchitecture)}.{nameof(Convolutional)}(...) or leave them unset for a dense autoencoder.");
    }

    internal override NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
    {
        if (!IsConvolutional)
            return base.ResolveFor(featureColumn, measureMaxSteps);
        var shape = ImageInput.Resolve(InputShape, PixelLayout, ConvolutionBlocks, featureColumn, nameof(AutoencoderArchitecture), nameof(ConvolutionBlocks));
        return this with { InputShape = shape };
    }

    /// <summary>Builds the module; <paramref name="outputSize"/> must equal <paramref name="inputSize"/>.</summary>
    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
    {
        if (CustomModule is not null)
            return CustomModules.Build(CustomModule, new CustomModuleContext(inputSize, [inputSize], outputSize, LatentSize), autoencoder: true);
        if (!IsConvolutional)
            return new DenseAutoencoderModule(inputSize, HiddenLayers, LatentSize, Activation, DenoisingNoise, InputDropout);
        var shape = InputShape ?? throw new InvalidOperationException("The autoencoder's image shape was not resolved before building the network.");
        return new ConvAutoencoderModule(shape, PixelLayout, ConvolutionBlocks, HiddenLayers, LatentSize, Activation, DenoisingNoise, InputDropout);
    }

    /// <summary>The encoder's weights twice: the decoder mirrors every layer of it.</summary>
    internal override double MinimumWeightCount(int inputSize, int outputSize)
    {
        if (CustomModule is not null)
            return 0; // known once the user's factory has built the module; the weight reader checks each tensor's bytes

        if (!IsConvolutional)
            return 2 * DenseStack.WeightCount(inputSize, HiddenLayers, LatentSize);
        if (InputShape is not { } shape || ImageInput.FlattenedSize(shape, ConvolutionBlocks) is not long flattened)
            return 0;
        return 2 * (ImageInput.ConvolutionWeightCount(shape.Channels, ConvolutionBlocks) + DenseStack.WeightCount(flattened, HiddenLayers, LatentSize));
    }

    internal override void WriteSettings(BinaryWriter writer)
    {
        if (CustomModule is not null)
        {
            writer.Write(CustomModule);
            writer.Write(LatentSize);
            return;
        }
        writer.Write(LatentSize);
        writer.WriteSizes(HiddenLayers);
        writer.Write((int)Activation);
        writer.Write(DenoisingNoise);
        writer.Write(InputDropout);
        if (!IsConvolutional)
            return;
        var shape = InputShape ?? throw new InvalidOperationException("Only a resolved convolutional autoencoder can be saved.");
        ImageInput.WriteSettings(writer, shape, PixelLayout, ConvolutionBlocks);
    }

    /// <summary>Reads the settings of a dense (<paramref name="convolutional"/> false) or convolutional autoencoder.</summary>
    internal static AutoencoderArchitecture ReadSettings(BinaryReader reader, int version, bool convolutional)
    {
        int latent = reader.ReadInt32();
        var layers = reader.ReadSizes("autoencoder", "hidden layers");
        var activation = (Activation)reader.ReadInt32();
        float noise = reader.ReadSingle(), inputDropout = reader.ReadSingle();
        var (shape, layout, blocks) = convolutional
            ? ImageInput.ReadSettings(reader, "autoencoder")
            : ((ImageShape?)null, PixelLayout.Planar, Array.Empty<ConvolutionBlock>());
        var architecture = new AutoencoderArchitecture(latent, layers)
        {
            Activation = activation, DenoisingNoise = noise, InputDropout = inputDropout,
            InputShape = shape, PixelLayout = layout, ConvolutionBlocks = blocks,
        };
        return Checked(architecture, "autoencoder");
    }

    /// <summary>Reads a custom autoencoder's settings (version 1: module name, latent size); its module must be registered.</summary>
    internal static AutoencoderArchitecture ReadCustomSettings(BinaryReader reader, int version)
    {
        string module = reader.ReadString();
        int latent = reader.ReadInt32();
        CustomModules.CheckSaved(module, "custom autoencoder");
        return Checked(Custom(module, latent), "custom autoencoder");
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        if (CustomModule is not null)
            return $"custom autoencoder '{CustomModule}' → {Invariant($"{LatentSize}")}";
        string denoising = (DenoisingNoise > 0 ? Invariant($", noise {DenoisingNoise}") : "") + (InputDropout > 0 ? Invariant($", input dropout {InputDropout}") : "");
        if (!IsConvolutional)
            return $"Autoencoder [{SettingChecks.Sizes(HiddenLayers)}] → {Invariant($"{LatentSize}")} → [{SettingChecks.Sizes(HiddenLayers.Reverse())}] {Activation}{denoising}";
        string dense = HiddenLayers.Count > 0 ? $"dense [{SettingChecks.Sizes(HiddenLayers)}] {Activation} → " : "";
        return $"Convolutional autoencoder {InputShape?.ToString() ?? "(shape from data)"} [{string.Join(", ", ConvolutionBlocks)}] → {dense}{Invariant($"{LatentSize}")} → mirrored{denoising}";
    }
}
