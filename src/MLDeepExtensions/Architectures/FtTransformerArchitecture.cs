using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLDeepExtensions.Architectures;
using TorchSharp;
using static System.FormattableString;

namespace MLDeepExtensions;

/// <summary>
/// The FT-Transformer of Gorishniy et al. (2021), "Revisiting Deep Learning Models for Tabular Data": a Transformer
/// encoder over tabular rows with one token per feature. Each numeric feature i, standardized first (as
/// <see cref="MlpArchitecture.StandardizeInputs"/>, so raw features work), becomes the token x_i·W_i + b_i (a
/// "feature tokenizer": a learned vector and bias of <see cref="ModelSize"/> values per feature); each categorical
/// column (<see cref="DeepNetworkOptions.CategoricalColumns"/>) a token from its own embedding of ModelSize values; a
/// learned class token goes first. Then <see cref="EncoderLayers"/> pre-norm encoder layers (the ones of
/// <see cref="TransformerArchitecture"/>: multi-head self-attention and a GELU feed-forward block, each around a residual
/// connection), a final layer norm, and the class token's output through a dense head to the outputs. The feature
/// column is a known-size Single vector of raw values.
/// </summary>
/// <remarks>
/// Departures from the paper, to share the encoder layer with <see cref="TransformerArchitecture"/> and PyTorch's
/// <c>nn.TransformerEncoderLayer(norm_first=True, activation="gelu", batch_first=True)</c> weight for weight: a GELU
/// feed-forward block (the paper uses ReGLU), one dropout rate for attention and blocks, the first layer keeps its first
/// layer norm, the class token comes first (the paper appends it), a categorical token has no bias of its own (its
/// embedding row is its value), and the head is the final layer norm then the dense stack (the paper adds a ReLU).
/// The defaults are smaller than the paper's (d = 192, 3 layers, 8 heads) to train in seconds on a CPU. Attention costs
/// grow with the square of the features: a row of a few hundred features is slow; an MLP is then the better start.
/// </remarks>
/// <example><code>new FtTransformerArchitecture { ModelSize = 64, EncoderLayers = 3 }</code></example>
public sealed record FtTransformerArchitecture : NetworkArchitecture
{
    internal const string RegisteredName = "ft-transformer";

    /// <summary>Version 1: model size, heads, layers, feed-forward size (0 for the default), encoder dropout, hidden layers, activation, dropout, input standardization, categorical inputs.</summary>
    internal const int CurrentSettingsVersion = 1;

    private readonly ValueList<int> _hiddenLayers = SettingChecks.Own(Array.Empty<int>());

    /// <summary>Values per token (d_model), ≥ 1 and a multiple of <see cref="Heads"/>; also each categorical column's embedding size. Default: 32.</summary>
    public int ModelSize { get; init; } = 32;

    /// <summary>Attention heads per layer, ≥ 1; each attends with <see cref="ModelSize"/> / Heads values. Default: 4.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Encoder layers, ≥ 1. Default: 2.</summary>
    public int EncoderLayers { get; init; } = 2;

    /// <summary>Units of each layer's feed-forward block, ≥ 1, or null for 2 × <see cref="ModelSize"/>. Default: null.</summary>
    public int? FeedForwardSize { get; init; }

    /// <summary>Dropout on the attention weights, after each block and inside the feed-forward block (training only), in [0, 1). Default: 0.1.</summary>
    public float EncoderDropout { get; init; } = 0.1f;

    /// <summary>Units of the dense hidden layers after the class token, input side first; each ≥ 1. Default: none (one linear layer to the outputs).</summary>
    public IReadOnlyList<int> HiddenLayers { get => _hiddenLayers; init => _hiddenLayers = SettingChecks.Own(value); }

    /// <summary>Non-linearity after each dense hidden layer. Default: ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Dropout before each dense layer (the class token's output included), in [0, 1). Default: 0.</summary>
    public float Dropout { get; init; }

    /// <summary>
    /// Standardizes each numeric feature before its token, with the mean and standard deviation measured on the training
    /// rows before the fit and saved with the model (as <see cref="MlpArchitecture.StandardizeInputs"/>). Turn it off only
    /// for features already standardized. Default: true.
    /// </summary>
    public bool StandardizeInputs { get; init; } = true;

    /// <summary>The feed-forward units the layers get: <see cref="FeedForwardSize"/>, or 2 × <see cref="ModelSize"/>.</summary>
    internal int FeedForwardUnits => FeedForwardSize ?? 2 * ModelSize;

    internal override string Name => RegisteredName;

    internal override TorchSharp.Modules.Linear? OutputLayer(torch.nn.Module module) => NamedLinear(module, "head.output");

    internal override void Validate(ValidationErrors errors)
    {
        const string name = nameof(FtTransformerArchitecture) + ".";
        SettingChecks.AtLeastOne(errors, name + nameof(ModelSize), ModelSize);
        SettingChecks.AtLeastOne(errors, name + nameof(Heads), Heads);
        if (ModelSize >= 1 && Heads >= 1 && ModelSize % Heads != 0)
            errors.Add($"{name}{nameof(ModelSize)} is {ModelSize} and {nameof(Heads)} {Heads}; the model size must be a multiple of the heads (e.g. {ModelSize / Heads * Heads + Heads}).");
        SettingChecks.AtLeastOne(errors, name + nameof(EncoderLayers), EncoderLayers);
        if (FeedForwardSize < 1)
            errors.Add($"{name}{nameof(FeedForwardSize)} is {FeedForwardSize}; it must be ≥ 1, or null for 2 × {nameof(ModelSize)}.");
        SettingChecks.Probability(errors, name + nameof(EncoderDropout), EncoderDropout);
        SettingChecks.LayerSizes(errors, name + nameof(HiddenLayers), HiddenLayers, "give an empty list for none.");
        SettingChecks.Defined(errors, name + nameof(Activation), Activation);
        SettingChecks.Probability(errors, name + nameof(Dropout), Dropout);
        foreach (var input in Categorical.Where(c => c.EmbeddingSize != ModelSize))
            errors.Add($"Categorical input '{input.Name}' has embedding size {input.EmbeddingSize}; an {nameof(FtTransformerArchitecture)} embeds each column as a token of {nameof(ModelSize)} ({ModelSize}) values.");
    }

    /// <summary>The token of a categorical column has <see cref="ModelSize"/> values, whatever the default embedding rule would give.</summary>
    internal override int? CategoricalEmbeddingSize => ModelSize;

    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
        => new FtTransformerModule(this, inputSize - Categorical.Count, outputSize);

    internal override double MinimumWeightCount(int inputSize, int outputSize)
    {
        double d = ModelSize, numeric = inputSize - Categorical.Count;
        double tokens = 2 * numeric * d + (StandardizeInputs ? 2 * numeric : 0) + Categorical.Sum(c => (c.KeyCount + 1.0) * d) + d;
        // Per layer: the q, k, v and output projections, the feed-forward block, two layer norms.
        double ffn = FeedForwardUnits;
        double layer = 4 * d * d + 4 * d + 2 * d * ffn + ffn + d + 4 * d;
        return tokens + EncoderLayers * layer + 2 * d + DenseStack.WeightCount(d, HiddenLayers, outputSize);
    }

    internal override void WriteSettings(BinaryWriter writer)
    {
        writer.Write(ModelSize);
        writer.Write(Heads);
        writer.Write(EncoderLayers);
        writer.Write(FeedForwardSize ?? 0);
        writer.Write(EncoderDropout);
        writer.WriteSizes(HiddenLayers);
        writer.Write((int)Activation);
        writer.Write(Dropout);
        writer.Write(StandardizeInputs);
        CategoricalInput.WriteAll(writer, Categorical);
    }

    internal static FtTransformerArchitecture ReadSettings(BinaryReader reader, int version)
    {
        int modelSize = reader.ReadInt32(), heads = reader.ReadInt32(), layers = reader.ReadInt32(), feedForward = reader.ReadInt32();
        var architecture = new FtTransformerArchitecture
        {
            ModelSize = modelSize, Heads = heads, EncoderLayers = layers, FeedForwardSize = feedForward == 0 ? null : feedForward,
            EncoderDropout = reader.ReadSingle(), HiddenLayers = reader.ReadSizes("FT-Transformer", "hidden layers"),
            Activation = (Activation)reader.ReadInt32(), Dropout = reader.ReadSingle(), StandardizeInputs = reader.ReadBoolean(),
        };
        var categorical = CategoricalInput.ReadAll(reader, "FT-Transformer", out string? problem);
        return Checked(architecture with { Categorical = categorical }, "FT-Transformer", problem);
    }

    /// <inheritdoc/>
    public override string ToString()
        => Invariant($"FT-Transformer {EncoderLayers}×{ModelSize} ({Heads} heads, feed-forward {FeedForwardUnits})") +
           (HiddenLayers.Count > 0 ? $" → dense [{SettingChecks.Sizes(HiddenLayers)}]" : "") +
           (StandardizeInputs ? "" : ", inputs not standardized") +
           (Categorical.Count == 0 ? "" : ", categorical tokens " + string.Join(", ", Categorical.Select(c => Invariant($"{c.Name} ({c.KeyCount} keys)"))));
}
