using System;
using MLDeepExtensions.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The FT-Transformer's feature tokenizer: numeric feature i of a row becomes the token x_i · weight[i] + bias[i], one
/// learned vector and bias of d values per feature, so [batch, features] → [batch, features, d]. Field names are the
/// saved weight keys ("tokenizer.weight", "tokenizer.bias").
/// </summary>
internal sealed class FeatureTokenizer : nn.Module<Tensor, Tensor>
{
    // Field names are part of the saved weight keys: renaming breaks saved models.
    private readonly Parameter weight;
    private readonly Parameter bias;

    public FeatureTokenizer(int features, int modelSize) : base(nameof(FeatureTokenizer))
    {
        // A Parameter takes over its tensor's storage; the emptied tensors are disposed here.
        using (var w = empty(features, modelSize))
            weight = new Parameter(w);
        using (var b = empty(features, modelSize))
            bias = new Parameter(b);
        using (NewDisposeScope())
        using (no_grad())
        {
            // The paper's initialisation: uniform in ±1/√d for both.
            double bound = 1 / Math.Sqrt(modelSize);
            weight.uniform_(-bound, bound);
            bias.uniform_(-bound, bound);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor values)
    {
        using var scope = NewDisposeScope();
        return (values.unsqueeze(2) * weight + bias).MoveToOuterDisposeScope();
    }

    /// <summary>The tokens in ONNX, from values [batch, features].</summary>
    public string ExportOnnx(OnnxGraph graph, string values, string name)
        => graph.Add(graph.Mul(graph.Unsqueeze(values, 2), graph.Weights(weight, name + ".weight")), graph.Weights(bias, name + ".bias"));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            weight.Dispose();
            bias.Dispose();
        }
        base.Dispose(disposing);
    }
}
