using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Data;
using MLDeepExtensions.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The TorchSharp module behind <see cref="MlpArchitecture"/>: an optional <see cref="InputStandardization"/> of the
/// numeric values, one embedding per categorical input (whose keys follow the numeric values in the row), then one
/// <see cref="DenseStack"/> over the numeric values and the embeddings, concatenated. Its saved weight keys are
/// "standardize.mean/scale" (when it standardizes), "embed.{i}.weight" (row 0: the missing key, row k: key k),
/// "layers.hidden{i}.weight/bias", "layers.norm{i}.*" and "layers.output.weight/bias": renaming them breaks saved models.
/// </summary>
internal sealed class MlpModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    // Field names are part of the saved weight keys ("standardize.mean", "embed.0.weight", "layers.hidden0.weight", …).
    // Do not rename. Declared in the order the input flows through them, the order of the state_dict.
    private readonly InputStandardization? standardize;
    private readonly ModuleList<Embedding>? embed;
    private readonly Sequential layers;

    private readonly int _numericWidth;

    public MlpModule(List<(string, nn.Module<Tensor, Tensor>)> stack, int numericWidth, bool standardizeInputs, IReadOnlyList<CategoricalInput> categorical)
        : base(nameof(MlpModule))
    {
        _numericWidth = numericWidth;
        if (standardizeInputs)
            standardize = new InputStandardization(numericWidth);
        if (categorical.Count > 0)
            embed = nn.ModuleList(categorical.Select(input => nn.Embedding(input.KeyCount + 1, input.EmbeddingSize)).ToArray());
        layers = nn.Sequential(stack);
        RegisterComponents();
    }

    // Layers run through call, not forward, so that forward hooks see them (NetworkSummary measures shapes with hooks).
    public override Tensor forward(Tensor input)
    {
        if (embed is null)
        {
            if (standardize is null)
                return layers.forward(input);
            using var standardized = standardize.call(input);
            return layers.forward(standardized);
        }

        using var scope = NewDisposeScope();
        var numeric = TabularRows.Numeric(input, _numericWidth);
        var parts = new List<Tensor> { standardize is null ? numeric : standardize.call(numeric) };
        parts.AddRange(TabularRows.Embed(embed, input, _numericWidth));
        return layers.forward(cat(parts, 1)).MoveToOuterDisposeScope();
    }

    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize)
    {
        if (embed is null)
            return OnnxLayers.Sequential(graph, layers, standardize is null ? rows : standardize.ExportOnnx(graph, rows), [inputSize]).Output;
        string numeric = TabularRows.ExportNumeric(graph, rows, _numericWidth);
        var parts = new List<string> { standardize is null ? numeric : standardize.ExportOnnx(graph, numeric) };
        parts.AddRange(TabularRows.ExportEmbeddings(graph, embed, rows, _numericWidth));
        int width = _numericWidth + embed.Sum(e => (int)e.weight!.shape[1]);
        return OnnxLayers.Sequential(graph, layers, graph.Concat(1, [.. parts]), [width]).Output;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            standardize?.Dispose();
            embed?.Dispose();
            layers.Dispose();
        }
        base.Dispose(disposing);
    }
}
