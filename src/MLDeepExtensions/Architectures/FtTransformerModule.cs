using System;
using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The module behind <see cref="FtTransformerArchitecture"/>. Reads rows of the numeric values then one key per
/// categorical column (as <see cref="Data.TabularEncoder"/> writes them), standardizes the numeric values, turns each
/// into a token (<see cref="FeatureTokenizer"/>), embeds each key as a token, puts the class token first, runs the
/// encoder layers (<see cref="EncoderLayer"/>, shared with <see cref="TransformerModule"/>), a final layer norm and the
/// dense head on the class token. Saved weight keys: "standardize.mean/scale" (buffers, when it standardizes),
/// "tokenizer.weight/bias" ([features, d]), "embed.{i}.weight" (row 0: the missing key), "class_token" ([1, 1, d]),
/// "layers.{i}.self_attn.in_proj_weight/in_proj_bias", "layers.{i}.self_attn.out_proj.*", "layers.{i}.linear1.*",
/// "layers.{i}.linear2.*", "layers.{i}.norm1.*", "layers.{i}.norm2.*", "norm.*", "head.dense{i}.*", "head.output.*".
/// Renaming breaks saved models.
/// </summary>
internal sealed class FtTransformerModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    private readonly int _numericWidth;
    private readonly int _modelSize;

    // Field names are part of the saved weight keys: renaming breaks saved models. Declared in the order the input
    // flows through them, the order of the state_dict.
    private readonly InputStandardization? standardize;
    private readonly FeatureTokenizer tokenizer;
    private readonly ModuleList<Embedding>? embed;
    private readonly Parameter class_token;
    private readonly ModuleList<EncoderLayer> layers;
    private readonly LayerNorm norm;
    private readonly Sequential head;

    public FtTransformerModule(FtTransformerArchitecture architecture, int numericWidth, int outputSize)
        : base(nameof(FtTransformerModule))
    {
        _numericWidth = numericWidth;
        int d = _modelSize = architecture.ModelSize;
        if (architecture.StandardizeInputs)
            standardize = new InputStandardization(numericWidth);
        tokenizer = new FeatureTokenizer(numericWidth, d);
        if (architecture.Categorical.Count > 0)
            embed = nn.ModuleList(architecture.Categorical.Select(input => nn.Embedding(input.KeyCount + 1, d)).ToArray());
        using (var token = zeros(1, 1, d))
            class_token = new Parameter(token);
        // In a scope: TorchSharp's in-place initialisers hand back a tensor object of their own, freed with the scope.
        using (NewDisposeScope())
        using (no_grad())
        {
            // As the paper's tokens: uniform in ±1/√d.
            double bound = 1 / Math.Sqrt(d);
            class_token.uniform_(-bound, bound);
        }
        layers = nn.ModuleList(Enumerable.Range(0, architecture.EncoderLayers)
            .Select(_ => new EncoderLayer(d, architecture.Heads, architecture.FeedForwardUnits, architecture.EncoderDropout)).ToArray());
        norm = nn.LayerNorm(d);
        head = nn.Sequential(DenseStack.Layers(d, architecture.HiddenLayers, outputSize, DenseStack.Head(architecture.Activation, architecture.Dropout)));
        RegisterComponents();
    }

    // Layers run through call, not forward, so that forward hooks see them (NetworkSummary measures shapes with hooks).
    public override Tensor forward(Tensor rows)
    {
        using var scope = NewDisposeScope();
        long batch = rows.shape[0];
        var numeric = TabularRows.Numeric(rows, _numericWidth);
        var tokens = new List<Tensor> { class_token.expand(batch, 1, _modelSize), tokenizer.call(standardize is null ? numeric : standardize.call(numeric)) };
        if (embed is not null)
            tokens.AddRange(TabularRows.Embed(embed, rows, _numericWidth).Select(token => token.unsqueeze(1)));
        var x = cat(tokens, 1);
        foreach (var layer in layers)
            x = layer.call(x, null);
        return head.call(norm.call(x).select(1, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>The forward in ONNX (opset 9 on), the encoder layers written out as <see cref="TransformerModule"/> writes them.</summary>
    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize)
    {
        string numeric = TabularRows.ExportNumeric(graph, rows, _numericWidth);
        if (standardize is not null)
            numeric = standardize.ExportOnnx(graph, numeric);
        var parts = new List<string> { tokenizer.ExportOnnx(graph, numeric, "tokenizer") };
        if (embed is not null)
            parts.AddRange(TabularRows.ExportEmbeddings(graph, embed, rows, _numericWidth).Select(token => graph.Unsqueeze(token, 1)));
        string x = TransformerModule.PrependClassToken(graph, class_token, graph.Concat(1, [.. parts]));
        int index = 0;
        foreach (var layer in layers)
            x = TransformerModule.ExportLayer(graph, layer, x, null, $"layers.{index++}");
        x = TransformerModule.LayerNorm(graph, norm, x, "norm");
        return OnnxLayers.Sequential(graph, head, graph.GatherAt(x, 1, 0), [_modelSize]).Output;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            standardize?.Dispose();
            tokenizer.Dispose();
            embed?.Dispose();
            class_token.Dispose();
            foreach (var layer in layers)
                layer.Dispose();
            layers.Dispose();
            norm.Dispose();
            head.Dispose();
        }
        base.Dispose(disposing);
    }
}
