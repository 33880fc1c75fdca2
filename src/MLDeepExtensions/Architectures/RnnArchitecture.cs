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

/// <summary>The recurrent cell of an <see cref="RnnArchitecture"/>.</summary>
public enum RecurrentCell
{
    /// <summary>Simple (Elman) RNN with tanh.</summary>
    Rnn = 0,

    /// <summary>Long short-term memory.</summary>
    Lstm,

    /// <summary>Gated recurrent unit.</summary>
    Gru,
}

/// <summary>How the per-step outputs of the recurrent layers become one vector for the dense head.</summary>
public enum SequencePooling
{
    /// <summary>The final hidden state (each direction's last real step; padding is skipped).</summary>
    Last = 0,

    /// <summary>The mean of the outputs over the real steps.</summary>
    Mean,

    /// <summary>The element-wise maximum of the outputs over the real steps.</summary>
    Max,

    /// <summary>
    /// A learned class token put before the sequence; its output after the encoder (<see cref="TransformerArchitecture"/>
    /// only: a recurrent network has no such token).
    /// </summary>
    ClassToken,
}

/// <summary>A fixed sequence shape: steps × features per step.</summary>
/// <param name="Steps">Time steps, ≥ 1.</param>
/// <param name="Features">Values per step, ≥ 1.</param>
public readonly record struct SequenceShape(int Steps, int Features)
{
    /// <inheritdoc/>
    public override string ToString() => Invariant($"{Steps}×{Features}");
}

/// <summary>
/// A recurrent network (RNN, LSTM or GRU) over sequences, then a dense head. The feature column can be
/// (1) a known-size Single vector read as <see cref="InputShape"/> steps × features (or from the column's 2-D
/// dimensions, else one feature per step); (2) a variable-length Single vector of <see cref="FeaturesPerStep"/>
/// values per step; (3) a variable-length vector of keys (tokens, e.g. from TokenizeIntoWords → MapValueToKey),
/// embedded with a vocabulary taken from the key type. Variable-length batches are padded and packed, so padding
/// never changes a result. Sequences longer than <see cref="MaxSteps"/> keep their last MaxSteps steps.
/// </summary>
public sealed record RnnArchitecture : NetworkArchitecture
{
    internal const string RegisteredName = "rnn";

    /// <summary>
    /// Version 2 added <see cref="Activation"/> (version 1: ReLU). Both: cell, hidden size, recurrent layers,
    /// bidirectional, recurrent dropout, pooling, hidden layers, dropout, the resolved input form.
    /// </summary>
    internal const int CurrentSettingsVersion = 2;

    private readonly ValueList<int> _hiddenLayers = SettingChecks.Own(Array.Empty<int>());

    /// <summary>The recurrent cell. Default: LSTM.</summary>
    public RecurrentCell Cell { get; init; } = RecurrentCell.Lstm;

    /// <summary>Hidden units per direction and recurrent layer, ≥ 1. Default: 64.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Stacked recurrent layers, ≥ 1. Default: 1.</summary>
    public int RecurrentLayers { get; init; } = 1;

    /// <summary>Also reads each sequence backwards and joins both directions. Default: false.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Dropout between stacked recurrent layers (training only; PyTorch's <c>dropout</c>), in [0, 1). Default: 0.</summary>
    public float RecurrentDropout { get; init; }

    /// <summary>How the sequence becomes one vector. Default: <see cref="SequencePooling.Last"/>.</summary>
    public SequencePooling Pooling { get; init; } = SequencePooling.Last;

    /// <summary>Units of the dense hidden layers after the pooling, input side first; each ≥ 1. Default: none.</summary>
    public IReadOnlyList<int> HiddenLayers { get => _hiddenLayers; init => _hiddenLayers = SettingChecks.Own(value); }

    /// <summary>Non-linearity after each dense hidden layer. Default: ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Dropout before each dense layer (the pooled recurrent features included), in [0, 1). Default: 0.</summary>
    public float Dropout { get; init; }

    /// <summary>For a known-size Single vector: steps × features. Default: null (the column's 2-D dimensions, else one feature per step).</summary>
    public SequenceShape? InputShape { get; init; }

    /// <summary>For a variable-length Single vector: values per step, ≥ 1. Default: 1.</summary>
    public int FeaturesPerStep { get; init; } = 1;

    /// <summary>For token sequences: size of each token's embedding, ≥ 1. Default: 32.</summary>
    public int EmbeddingSize { get; init; } = DefaultEmbeddingSize;

    private const int DefaultEmbeddingSize = 32;

    /// <summary>For variable-length input: the longest sequence kept (longer ones keep their last steps). Default: null (the longest in the training data).</summary>
    public int? MaxSteps { get; init; }

    /// <summary>The input form fixed by <see cref="ResolveFor"/>; saved with the model.</summary>
    internal SequenceInput? Input { get; init; }

    internal override string Name => RegisteredName;

    internal override TorchSharp.Modules.Linear? OutputLayer(torch.nn.Module module) => NamedLinear(module, "head.output");

    internal override void Validate(ValidationErrors errors)
    {
        const string name = nameof(RnnArchitecture) + ".";
        SettingChecks.Defined(errors, name + nameof(Cell), Cell);
        SettingChecks.Defined(errors, name + nameof(Pooling), Pooling);
        if (Pooling == SequencePooling.ClassToken)
            errors.Add($"{name}{nameof(Pooling)} is {nameof(SequencePooling.ClassToken)}, which only a {nameof(TransformerArchitecture)} has; use Last, Mean or Max.");
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
        SettingChecks.AtLeastOne(errors, name + nameof(HiddenSize), HiddenSize);
        SettingChecks.AtLeastOne(errors, name + nameof(RecurrentLayers), RecurrentLayers);
        SettingChecks.Probability(errors, name + nameof(RecurrentDropout), RecurrentDropout);
        SettingChecks.Probability(errors, name + nameof(Dropout), Dropout);
        SettingChecks.LayerSizes(errors, name + nameof(HiddenLayers), HiddenLayers, "give an empty list for none.");
        if (InputShape is { } s && (s.Steps < 1 || s.Features < 1))
            errors.Add($"{name}{nameof(InputShape)} is {s}; both must be ≥ 1.");
        SettingChecks.AtLeastOne(errors, name + nameof(FeaturesPerStep), FeaturesPerStep);
        SettingChecks.AtLeastOne(errors, name + nameof(EmbeddingSize), EmbeddingSize);
        if (MaxSteps < 1)
            errors.Add($"{name}{nameof(MaxSteps)} is {MaxSteps}; it must be ≥ 1, or null for the longest training sequence.");
    }

    internal override void CheckFeatureShape(SchemaShape inputSchema, string featureColumnName) => SequenceInputs.CheckFeatureShape(inputSchema, featureColumnName);

    internal override NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
        => WithInput(SequenceInputs.Resolve(featureColumn, measureMaxSteps, InputShape, FeaturesPerStep, MaxSteps, EmbeddingSize, nameof(RnnArchitecture)));

    /// <summary>
    /// This architecture with its input form fixed, and the settings that only chose that form (InputShape,
    /// FeaturesPerStep, EmbeddingSize, MaxSteps) stated as the form has them, the others at their defaults: a fit and
    /// the model file it saves (which keeps only the form) then describe the network with equal records.
    /// </summary>
    private RnnArchitecture WithInput(SequenceInput input) => this with
    {
        Input = input,
        InputShape = input.Kind == SequenceInputKind.Fixed ? new SequenceShape(input.Steps, input.Features) : null,
        FeaturesPerStep = input.Kind == SequenceInputKind.Variable ? input.Features : 1,
        EmbeddingSize = input.Kind == SequenceInputKind.Tokens ? input.Features : DefaultEmbeddingSize,
        MaxSteps = input.Kind == SequenceInputKind.Fixed ? null : input.Steps,
    };

    /// <inheritdoc/>
    internal override int? MeasuredLength => SequenceInputs.MeasuredLength(Input);

    private SequenceInput Resolved => Input ?? throw new InvalidOperationException("The RNN's input form was not resolved before building the network.");

    internal override int InputSizeFor(DataViewSchema.Column featureColumn) => Resolved.Width;

    /// <summary>Zeros of full length: a variable-length or token row starts with its step count.</summary>
    internal override float[] PlaceholderRow(int inputSize) => SequenceInputs.PlaceholderRow(Resolved, inputSize);

    internal override FeatureEncoder CreateEncoder(int inputSize) => SequenceInputs.CreateEncoder(Resolved, inputSize);

    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
        => new RnnModule(this, Resolved, outputSize);

    internal override double MinimumWeightCount(int inputSize, int outputSize)
    {
        if (Input is not { } input)
            return 0;
        double gates = Cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };
        double directions = Bidirectional ? 2 : 1, hidden = HiddenSize;
        // Per layer and direction: input-to-hidden and hidden-to-hidden matrices of every gate.
        double recurrent = gates * directions * hidden * (input.Features + hidden)
            + (RecurrentLayers - 1.0) * gates * directions * hidden * (directions * hidden + hidden);
        double embedding = input.Kind == SequenceInputKind.Tokens ? (double)input.EmbeddingRows * input.Features : 0;
        return embedding + recurrent + DenseStack.WeightCount(directions * hidden, HiddenLayers, outputSize);
    }

    internal override void WriteSettings(BinaryWriter writer)
    {
        var input = Resolved;
        writer.Write((int)Cell);
        writer.Write(HiddenSize);
        writer.Write(RecurrentLayers);
        writer.Write(Bidirectional);
        writer.Write(RecurrentDropout);
        writer.Write((int)Pooling);
        writer.WriteSizes(HiddenLayers);
        writer.Write(Dropout);
        writer.Write((int)input.Kind);
        writer.Write(input.Steps);
        writer.Write(input.Features);
        writer.Write(input.Vocabulary);
        writer.Write((int)Activation);
    }

    internal static RnnArchitecture ReadSettings(BinaryReader reader, int version)
    {
        var cell = (RecurrentCell)reader.ReadInt32();
        int hidden = reader.ReadInt32(), layers = reader.ReadInt32();
        bool bidirectional = reader.ReadBoolean();
        float recurrentDropout = reader.ReadSingle();
        var pooling = (SequencePooling)reader.ReadInt32();
        var hiddenLayers = reader.ReadSizes("RNN", "hidden layers");
        float dropout = reader.ReadSingle();
        var input = new SequenceInput((SequenceInputKind)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        var activation = version >= 2 ? (Activation)reader.ReadInt32() : Activation.ReLU;
        bool inputValid = Enum.IsDefined(input.Kind) && input.Steps >= 1 && input.Features >= 1 && input.Vocabulary is >= 0 and < int.MaxValue - 2;
        var architecture = new RnnArchitecture
        {
            Cell = cell, HiddenSize = hidden, RecurrentLayers = layers, Bidirectional = bidirectional, RecurrentDropout = recurrentDropout,
            Pooling = pooling, HiddenLayers = hiddenLayers, Activation = activation, Dropout = dropout,
        }.WithInput(input);
        return Checked(architecture, "RNN", inputValid ? null : $"input {input}.");
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"{(Bidirectional ? "bidirectional " : "")}{Cell.ToString().ToUpperInvariant()} {Invariant($"{RecurrentLayers}×{HiddenSize}")}, {Pooling.ToString().ToLowerInvariant()} pooling" +
           (Input is { } input ? $", {input}" : "") + (HiddenLayers.Count > 0 ? $" → dense [{SettingChecks.Sizes(HiddenLayers)}]" : "");
}
