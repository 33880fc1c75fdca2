using System.Collections.Generic;
using MLDeepExtensions.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The TorchSharp module behind <see cref="MlpArchitecture"/>: an optional <see cref="InputStandardization"/>, then one
/// <see cref="DenseStack"/>. Its saved weight keys are "standardize.mean/scale" (when it standardizes),
/// "layers.hidden{i}.weight/bias", "layers.norm{i}.*" and "layers.output.weight/bias": renaming them breaks saved models.
/// </summary>
internal sealed class MlpModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    // Field names are part of the saved weight keys ("standardize.mean", "layers.hidden0.weight", …). Do not rename.
    // Declared first: the state_dict lists layers in the order the input flows through them.
    private readonly InputStandardization? standardize;
    private readonly Sequential layers;

    public MlpModule(List<(string, nn.Module<Tensor, Tensor>)> stack, int? standardizedWidth = null)
        : base(nameof(MlpModule))
    {
        if (standardizedWidth is int width)
            standardize = new InputStandardization(width);
        layers = nn.Sequential(stack);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        if (standardize is null)
            return layers.forward(input);
        using var standardized = standardize.forward(input);
        return layers.forward(standardized);
    }

    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize)
        => OnnxLayers.Sequential(graph, layers, standardize is null ? rows : standardize.ExportOnnx(graph, rows), [inputSize]).Output;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            standardize?.Dispose();
            layers.Dispose();
        }
        base.Dispose(disposing);
    }
}
