using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLDeepExtensions.Architectures;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>
/// A multi-layer perceptron: fully connected hidden layers, each followed by optional batch normalization, an
/// activation and optional dropout, then a linear output layer sized from the label.
/// </summary>
/// <example><code>new MlpArchitecture(256, 128) { Activation = Activation.GELU, Dropout = 0.2f }</code></example>
public sealed class MlpArchitecture : NetworkArchitecture
{
    internal const string KindName = "mlp";

    /// <summary>Creates an MLP with the default hidden layers (128, 64).</summary>
    public MlpArchitecture()
    {
        HiddenLayers = DefaultHiddenLayers;
    }

    /// <summary>Creates an MLP with the given hidden layer sizes.</summary>
    /// <param name="hiddenLayers">Units per hidden layer, input side first. An empty list gives a linear model.</param>
    public MlpArchitecture(params int[] hiddenLayers)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayers);
        HiddenLayers = hiddenLayers.ToArray();
    }

    /// <summary>The hidden layer sizes used when none are given: 128, 64.</summary>
    public static IReadOnlyList<int> DefaultHiddenLayers { get; } = new[] { 128, 64 };

    /// <summary>Units per hidden layer, input side first. Each must be ≥ 1. Default: 128, 64.</summary>
    public IReadOnlyList<int> HiddenLayers { get; init; }

    /// <summary>Non-linearity after each hidden layer. Default: <see cref="MLDeepExtensions.Activation.ReLU"/>.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Probability of zeroing a hidden unit during training only, in [0, 1). Default: 0 (off).</summary>
    public float Dropout { get; init; }

    /// <summary>Adds batch normalization before each hidden activation. Default: false.</summary>
    public bool BatchNormalization { get; init; }

    internal override string Kind => KindName;

    internal override void Validate(ICollection<string> errors)
    {
        const string name = nameof(MlpArchitecture) + ".";
        SettingChecks.LayerSizes(errors, name + nameof(HiddenLayers), HiddenLayers, "give an empty list for a linear model.");
        SettingChecks.Probability(errors, name + nameof(Dropout), Dropout);
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
    }

    internal override torch.nn.Module<torch.Tensor, torch.Tensor> CreateModule(int inputSize, int outputSize)
        => new MlpModule(inputSize, HiddenLayers, outputSize, Activation, Dropout, BatchNormalization);

    internal override double MinimumWeightCount(int inputSize, int outputSize) => DenseWeightCount(inputSize, HiddenLayers, outputSize);

    internal override void WriteSettings(BinaryWriter writer)
    {
        writer.Write(HiddenLayers.Count);
        foreach (int units in HiddenLayers)
            writer.Write(units);
        writer.Write((int)Activation);
        writer.Write(Dropout);
        writer.Write(BatchNormalization);
    }

    internal static MlpArchitecture ReadSettings(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > 10_000)
            throw new InvalidDataException($"The model file's MLP settings are corrupt: {count} hidden layers.");
        var layers = new int[count];
        for (int i = 0; i < count; i++)
            layers[i] = reader.ReadInt32();
        var architecture = new MlpArchitecture(layers)
        {
            Activation = (Activation)reader.ReadInt32(),
            Dropout = reader.ReadSingle(),
            BatchNormalization = reader.ReadBoolean(),
        };
        return Checked(architecture, "MLP");
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"MLP [{string.Join(", ", HiddenLayers)}] {Activation}" +
           (Dropout > 0 ? $", dropout {Dropout}" : "") + (BatchNormalization ? ", batch norm" : "");
}
