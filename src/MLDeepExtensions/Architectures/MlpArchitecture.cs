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
public sealed record MlpArchitecture : NetworkArchitecture
{
    internal const string RegisteredName = "mlp";

    /// <summary>
    /// Version 1 (release 0.1.0): hidden layers, activation, dropout, batch normalization. Version 2 adds input
    /// standardization; version 3 the categorical inputs (name, key count, embedding size of each).
    /// </summary>
    internal const int CurrentSettingsVersion = 3;

    private readonly ValueList<int> _hiddenLayers;

    /// <summary>Creates an MLP with the default hidden layers (128, 64).</summary>
    public MlpArchitecture()
        : this(128, 64)
    {
    }

    /// <summary>Creates an MLP with the given hidden layer sizes.</summary>
    /// <param name="hiddenLayers">Units per hidden layer, input side first. An empty list gives a linear model.</param>
    public MlpArchitecture(params int[] hiddenLayers)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayers);
        _hiddenLayers = SettingChecks.Own(hiddenLayers);
    }

    /// <summary>Units per hidden layer, input side first. Each must be ≥ 1; empty gives a linear model. Default: 128, 64.</summary>
    public IReadOnlyList<int> HiddenLayers { get => _hiddenLayers; init => _hiddenLayers = SettingChecks.Own(value); }

    /// <summary>Non-linearity after each hidden layer. Default: <see cref="MLDeepExtensions.Activation.ReLU"/>.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Probability of zeroing a hidden unit during training only, in [0, 1). Default: 0 (off).</summary>
    public float Dropout { get; init; }

    /// <summary>Adds batch normalization before each hidden activation. Default: false.</summary>
    public bool BatchNormalization { get; init; }

    /// <summary>
    /// Standardizes each input feature inside the network, <c>(x − mean) / spread</c>, with the mean and standard deviation
    /// measured on the training rows in one pass before the fit (streamed data too). They are saved with the model and
    /// exported with it (ONNX, PyTorch buffers <c>standardize.mean</c> and <c>standardize.scale</c>), so the model takes
    /// raw features. A constant feature is only centered. Turn it off when the features are already standardized
    /// (it then changes nothing but costs a pass), when they are sparse counts or one-hot codes whose zeros should stay
    /// zero, or to reproduce a network trained without it. Default: true (models saved by release 0.1.0 load without it).
    /// </summary>
    public bool StandardizeInputs { get; init; } = true;

    internal override string Name => RegisteredName;

    internal override TorchSharp.Modules.Linear? OutputLayer(torch.nn.Module module) => NamedLinear(module, "layers.output");

    internal override void Validate(ValidationErrors errors)
    {
        const string name = nameof(MlpArchitecture) + ".";
        SettingChecks.LayerSizes(errors, name + nameof(HiddenLayers), HiddenLayers, "give an empty list for a linear model.");
        SettingChecks.Probability(errors, name + nameof(Dropout), Dropout);
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
    }

    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
    {
        int numeric = inputSize - Categorical.Count;
        return new MlpModule(DenseStack.Layers(DenseWidth(inputSize), HiddenLayers, outputSize, new DenseStack.Layout(Activation, Dropout, BatchNormalization)),
            numeric, StandardizeInputs, Categorical);
    }

    /// <summary>The first dense layer's input: the numeric values and every embedding.</summary>
    private int DenseWidth(int inputSize) => inputSize - Categorical.Count + Categorical.Sum(c => c.EmbeddingSize);

    internal override double MinimumWeightCount(int inputSize, int outputSize)
        => DenseStack.WeightCount(DenseWidth(inputSize), HiddenLayers, outputSize) + (StandardizeInputs ? 2.0 * (inputSize - Categorical.Count) : 0)
           + Categorical.Sum(c => (c.KeyCount + 1.0) * c.EmbeddingSize);

    internal override void WriteSettings(BinaryWriter writer)
    {
        writer.WriteSizes(HiddenLayers);
        writer.Write((int)Activation);
        writer.Write(Dropout);
        writer.Write(BatchNormalization);
        writer.Write(StandardizeInputs);
        CategoricalInput.WriteAll(writer, Categorical);
    }

    internal static MlpArchitecture ReadSettings(BinaryReader reader, int version)
    {
        var architecture = new MlpArchitecture(reader.ReadSizes("MLP", "hidden layers"))
        {
            Activation = (Activation)reader.ReadInt32(),
            Dropout = reader.ReadSingle(),
            BatchNormalization = reader.ReadBoolean(),
            StandardizeInputs = version >= 2 && reader.ReadBoolean(),
        };
        if (version >= 3)
        {
            var categorical = CategoricalInput.ReadAll(reader, "MLP", out string? problem);
            return Checked(architecture with { Categorical = categorical }, "MLP", problem);
        }
        return Checked(architecture, "MLP");
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"MLP [{SettingChecks.Sizes(HiddenLayers)}] {Activation}" +
           (Dropout > 0 ? FormattableString.Invariant($", dropout {Dropout}") : "") + (BatchNormalization ? ", batch norm" : "") +
           (StandardizeInputs ? "" : ", inputs not standardized") +
           CategoricalInput.Describe(Categorical);
}
