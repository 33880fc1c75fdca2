using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLDeepExtensions.Architectures;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>
/// A dense autoencoder: encoder layers down to a latent vector, and a mirrored decoder back to the input size.
/// Trained without a label (the target is the input); optional denoising corrupts the input during training only.
/// </summary>
/// <example><code>new AutoencoderArchitecture(latentSize: 32, 256, 128) { DenoisingNoise = 0.1f }</code></example>
public sealed class AutoencoderArchitecture : NetworkArchitecture
{
    internal const string KindName = "autoencoder";

    /// <summary>Creates an autoencoder with the default encoder (256, 128) and a latent size of 32.</summary>
    public AutoencoderArchitecture()
        : this(32, 256, 128)
    {
    }

    /// <summary>Creates an autoencoder.</summary>
    /// <param name="latentSize">Size of the embedding, ≥ 1.</param>
    /// <param name="encoderLayers">Hidden layer sizes of the encoder, input side first; the decoder mirrors them.</param>
    public AutoencoderArchitecture(int latentSize, params int[] encoderLayers)
    {
        ArgumentNullException.ThrowIfNull(encoderLayers);
        LatentSize = latentSize;
        EncoderLayers = encoderLayers.ToArray();
    }

    /// <summary>Size of the latent vector (the <c>Embedding</c> column), ≥ 1. Default: 32.</summary>
    public int LatentSize { get; init; }

    /// <summary>Encoder hidden layer sizes, input side first; the decoder uses them in reverse. Default: 256, 128.</summary>
    public IReadOnlyList<int> EncoderLayers { get; init; }

    /// <summary>Non-linearity after each hidden layer (not after the latent layer or the output). Default: ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Standard deviation of Gaussian noise added to the input during training only, ≥ 0. Default: 0 (off).</summary>
    public float DenoisingNoise { get; init; }

    /// <summary>Probability of zeroing an input value during training only, in [0, 1). Default: 0 (off).</summary>
    public float InputDropout { get; init; }

    internal override string Kind => KindName;

    internal override void Validate(ICollection<string> errors)
    {
        const string name = nameof(AutoencoderArchitecture) + ".";
        SettingChecks.AtLeastOne(errors, name + nameof(LatentSize), LatentSize);
        SettingChecks.LayerSizes(errors, name + nameof(EncoderLayers), EncoderLayers, "give an empty list for a single linear encoder layer.");
        if (!(DenoisingNoise >= 0 && float.IsFinite(DenoisingNoise)))
            errors.Add($"{name}{nameof(DenoisingNoise)} is {DenoisingNoise}; it must be ≥ 0 (0 turns it off).");
        SettingChecks.Probability(errors, name + nameof(InputDropout), InputDropout);
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
    }

    /// <summary>Builds the module; <paramref name="outputSize"/> must equal <paramref name="inputSize"/>.</summary>
    internal override torch.nn.Module<torch.Tensor, torch.Tensor> CreateModule(int inputSize, int outputSize)
        => new AutoencoderModule(inputSize, EncoderLayers, LatentSize, Activation, DenoisingNoise, InputDropout);

    internal override void WriteSettings(BinaryWriter writer)
    {
        writer.Write(LatentSize);
        writer.Write(EncoderLayers.Count);
        foreach (int units in EncoderLayers)
            writer.Write(units);
        writer.Write((int)Activation);
        writer.Write(DenoisingNoise);
        writer.Write(InputDropout);
    }

    internal static AutoencoderArchitecture ReadSettings(BinaryReader reader)
    {
        int latent = reader.ReadInt32();
        int count = reader.ReadInt32();
        if (count < 0 || count > 10_000)
            throw new InvalidDataException($"The model file's autoencoder settings are corrupt: {count} encoder layers.");
        var layers = Enumerable.Range(0, count).Select(_ => reader.ReadInt32()).ToArray();
        var architecture = new AutoencoderArchitecture(latent, layers)
        {
            Activation = (Activation)reader.ReadInt32(),
            DenoisingNoise = reader.ReadSingle(),
            InputDropout = reader.ReadSingle(),
        };
        var errors = new List<string>();
        architecture.Validate(errors);
        if (errors.Count > 0)
            throw new InvalidDataException("The model file's autoencoder settings are corrupt: " + string.Join(" ", errors));
        return architecture;
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"Autoencoder [{string.Join(", ", EncoderLayers)}] → {LatentSize} → [{string.Join(", ", EncoderLayers.Reverse())}] {Activation}" +
           (DenoisingNoise > 0 ? $", noise {DenoisingNoise}" : "") + (InputDropout > 0 ? $", input dropout {InputDropout}" : "");
}
