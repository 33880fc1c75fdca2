using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using TorchSharp;
using static System.FormattableString;

namespace MLDeepExtensions;

/// <summary>How a <see cref="TransformerArchitecture"/> tells the encoder where each step is.</summary>
public enum PositionEncoding
{
    /// <summary>A learned vector per position (as BERT), up to the longest sequence the network was fitted for.</summary>
    Learned = 0,

    /// <summary>Fixed sines and cosines of the position (as the original Transformer); no weights.</summary>
    Sinusoidal,
}

/// <summary>
/// A Transformer encoder over sequences, then a dense head: each step projected to <see cref="ModelSize"/> values (or,
/// for tokens, embedded), positions added, <see cref="EncoderLayers"/> pre-norm encoder layers (multi-head
/// self-attention, where padding steps are masked out, and a GELU feed-forward block, each around a residual
/// connection), a final layer norm, pooling, and the head. The feature column takes the same three forms as an
/// <see cref="RnnArchitecture"/>: a known-size Single vector as <see cref="InputShape"/> steps × features, a
/// variable-length Single vector of <see cref="FeaturesPerStep"/> values per step, or a variable-length vector of keys
/// (tokens). Variable-length batches are padded and masked, so padding never changes a result. Sequences longer than
/// <see cref="MaxSteps"/> keep their last MaxSteps steps. Its layers match PyTorch's
/// <c>nn.TransformerEncoderLayer(norm_first=True, activation="gelu", batch_first=True)</c> weight for weight.
/// </summary>
/// <example><code>new TransformerArchitecture { ModelSize = 64, Heads = 4, EncoderLayers = 2, Pooling = SequencePooling.ClassToken }</code></example>
public sealed record TransformerArchitecture : NetworkArchitecture
{
    internal const string RegisteredName = "transformer";

    /// <summary>Version 1: model size, heads, layers, feed-forward size, encoder dropout, positions, pooling, hidden layers, activation, dropout, the resolved input form.</summary>
    internal const int CurrentSettingsVersion = 1;

    private readonly ValueList<int> _hiddenLayers = SettingChecks.Own(Array.Empty<int>());

    /// <summary>Values per step inside the encoder (d_model), ≥ 1 and a multiple of <see cref="Heads"/>. Default: 64.</summary>
    public int ModelSize { get; init; } = 64;

    /// <summary>Attention heads per layer, ≥ 1; each attends with <see cref="ModelSize"/> / Heads values. Default: 4.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Encoder layers, ≥ 1. Default: 2.</summary>
    public int EncoderLayers { get; init; } = 2;

    /// <summary>Units of each layer's feed-forward block, ≥ 1. Default: 128.</summary>
    public int FeedForwardSize { get; init; } = 128;

    /// <summary>Dropout on the attention weights and after each block and the input (training only), in [0, 1). Default: 0.1.</summary>
    public float EncoderDropout { get; init; } = 0.1f;

    /// <summary>The position encoding. Default: <see cref="PositionEncoding.Learned"/>.</summary>
    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;

    /// <summary>How the steps become one vector: the class token's output, or the mean, maximum or last of the real steps. Default: <see cref="SequencePooling.Mean"/>.</summary>
    public SequencePooling Pooling { get; init; } = SequencePooling.Mean;

    /// <summary>Units of the dense hidden layers after the pooling, input side first; each ≥ 1. Default: none.</summary>
    public IReadOnlyList<int> HiddenLayers { get => _hiddenLayers; init => _hiddenLayers = SettingChecks.Own(value); }

    /// <summary>Non-linearity after each dense hidden layer. Default: ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Dropout before each dense layer (the pooled features included), in [0, 1). Default: 0.</summary>
    public float Dropout { get; init; }

    /// <summary>For a known-size Single vector: steps × features. Default: null (the column's 2-D dimensions, else one feature per step).</summary>
    public SequenceShape? InputShape { get; init; }

    /// <summary>For a variable-length Single vector: values per step, ≥ 1. Default: 1.</summary>
    public int FeaturesPerStep { get; init; } = 1;

    /// <summary>For variable-length input: the longest sequence kept (longer ones keep their last steps). Default: null (the longest in the training data).</summary>
    public int? MaxSteps { get; init; }

    /// <summary>The input form fixed by <see cref="ResolveFor"/>; saved with the model. For tokens, Features is <see cref="ModelSize"/>.</summary>
    internal SequenceInput? Input { get; init; }

    internal override string Name => RegisteredName;

    internal override TorchSharp.Modules.Linear? OutputLayer(torch.nn.Module module) => NamedLinear(module, "head.output");

    internal override void Validate(ValidationErrors errors)
    {
        const string name = nameof(TransformerArchitecture) + ".";
        SettingChecks.AtLeastOne(errors, name + nameof(ModelSize), ModelSize);
        SettingChecks.AtLeastOne(errors, name + nameof(Heads), Heads);
        if (ModelSize >= 1 && Heads >= 1 && ModelSize % Heads != 0)
            errors.Add($"{name}{nameof(ModelSize)} is {ModelSize} and {nameof(Heads)} {Heads}; the model size must be a multiple of the heads (e.g. {ModelSize / Heads * Heads + Heads}).");
        SettingChecks.AtLeastOne(errors, name + nameof(EncoderLayers), EncoderLayers);
        SettingChecks.AtLeastOne(errors, name + nameof(FeedForwardSize), FeedForwardSize);
        SettingChecks.Probability(errors, name + nameof(EncoderDropout), EncoderDropout);
        SettingChecks.Defined(errors, name + nameof(Positions), Positions);
        SettingChecks.Defined(errors, name + nameof(Pooling), Pooling);
        SettingChecks.LayerSizes(errors, name + nameof(HiddenLayers), HiddenLayers, "give an empty list for none.");
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
        SettingChecks.Probability(errors, name + nameof(Dropout), Dropout);
        if (InputShape is { } s && (s.Steps < 1 || s.Features < 1))
            errors.Add($"{name}{nameof(InputShape)} is {s}; both must be ≥ 1.");
        SettingChecks.AtLeastOne(errors, name + nameof(FeaturesPerStep), FeaturesPerStep);
        if (MaxSteps < 1)
            errors.Add($"{name}{nameof(MaxSteps)} is {MaxSteps}; it must be ≥ 1, or null for the longest training sequence.");
    }

    internal override void CheckFeatureShape(SchemaShape inputSchema, string featureColumnName) => SequenceInputs.CheckFeatureShape(inputSchema, featureColumnName);

    internal override NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
        => WithInput(SequenceInputs.Resolve(featureColumn, measureMaxSteps, InputShape, FeaturesPerStep, MaxSteps, ModelSize, nameof(TransformerArchitecture)));

    /// <summary>This architecture with its input form fixed, and the settings that only chose it stated as the form has them (as <see cref="RnnArchitecture"/>).</summary>
    private TransformerArchitecture WithInput(SequenceInput input) => this with
    {
        Input = input,
        InputShape = input.Kind == SequenceInputKind.Fixed ? new SequenceShape(input.Steps, input.Features) : null,
        FeaturesPerStep = input.Kind == SequenceInputKind.Variable ? input.Features : 1,
        MaxSteps = input.Kind == SequenceInputKind.Fixed ? null : input.Steps,
    };

    /// <inheritdoc/>
    internal override int? MeasuredLength => SequenceInputs.MeasuredLength(Input);

    internal SequenceInput Resolved => Input ?? throw new InvalidOperationException("The Transformer's input form was not resolved before building the network.");

    internal override int InputSizeFor(DataViewSchema.Column featureColumn) => Resolved.Width;

    /// <summary>Zeros of full length: a variable-length or token row starts with its step count.</summary>
    internal override float[] PlaceholderRow(int inputSize) => SequenceInputs.PlaceholderRow(Resolved, inputSize);

    internal override FeatureEncoder CreateEncoder(int inputSize) => SequenceInputs.CreateEncoder(Resolved, inputSize);

    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
        => new TransformerModule(this, Resolved, outputSize);

    /// <summary>Positions the encoder sees: the steps, and the class token.</summary>
    internal int EncodedSteps => Resolved.Steps + (Pooling == SequencePooling.ClassToken ? 1 : 0);

    internal override double MinimumWeightCount(int inputSize, int outputSize)
    {
        if (Input is not { } input)
            return 0;
        double d = ModelSize;
        double inputWeights = input.Kind == SequenceInputKind.Tokens ? (double)input.EmbeddingRows * d : (input.Features + 1.0) * d;
        double positions = Positions == PositionEncoding.Learned ? (double)EncodedSteps * d : 0;
        // Per layer: the q, k, v and output projections, the feed-forward block, two layer norms.
        double layer = 4 * d * d + 4 * d + 2 * d * FeedForwardSize + FeedForwardSize + d + 4 * d;
        return inputWeights + positions + EncoderLayers * layer + 2 * d + DenseStack.WeightCount(d, HiddenLayers, outputSize);
    }

    internal override void WriteSettings(BinaryWriter writer)
    {
        var input = Resolved;
        writer.Write(ModelSize);
        writer.Write(Heads);
        writer.Write(EncoderLayers);
        writer.Write(FeedForwardSize);
        writer.Write(EncoderDropout);
        writer.Write((int)Positions);
        writer.Write((int)Pooling);
        writer.WriteSizes(HiddenLayers);
        writer.Write((int)Activation);
        writer.Write(Dropout);
        writer.Write((int)input.Kind);
        writer.Write(input.Steps);
        writer.Write(input.Features);
        writer.Write(input.Vocabulary);
    }

    internal static TransformerArchitecture ReadSettings(BinaryReader reader, int version)
    {
        int modelSize = reader.ReadInt32(), heads = reader.ReadInt32(), layers = reader.ReadInt32(), feedForward = reader.ReadInt32();
        float encoderDropout = reader.ReadSingle();
        var positions = (PositionEncoding)reader.ReadInt32();
        var pooling = (SequencePooling)reader.ReadInt32();
        var hiddenLayers = reader.ReadSizes("Transformer", "hidden layers");
        var activation = (Activation)reader.ReadInt32();
        float dropout = reader.ReadSingle();
        var input = new SequenceInput((SequenceInputKind)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        bool inputValid = Enum.IsDefined(input.Kind) && input.Steps is >= 1 and <= 1 << 20 && input.Features >= 1 && input.Vocabulary is >= 0 and < int.MaxValue - 2
            && (input.Kind != SequenceInputKind.Tokens || input.Features == modelSize);
        var architecture = new TransformerArchitecture
        {
            ModelSize = modelSize, Heads = heads, EncoderLayers = layers, FeedForwardSize = feedForward, EncoderDropout = encoderDropout,
            Positions = positions, Pooling = pooling, HiddenLayers = hiddenLayers, Activation = activation, Dropout = dropout,
        }.WithInput(input);
        return Checked(architecture, "Transformer", inputValid ? null : $"input {input}.");
    }

    /// <inheritdoc/>
    public override string ToString()
        => Invariant($"Transformer {EncoderLayers}×{ModelSize} ({Heads} heads, feed-forward {FeedForwardSize}), {Pooling.ToString().ToLowerInvariant()} pooling, {Positions.ToString().ToLowerInvariant()} positions") +
           (Input is { } input ? $", {input}" : "") + (HiddenLayers.Count > 0 ? $" → dense [{SettingChecks.Sizes(HiddenLayers)}]" : "");
}
