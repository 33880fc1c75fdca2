using System.Collections.Generic;
using MLDeepExtensions.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The TorchSharp module behind <see cref="MlpArchitecture"/>: one <see cref="DenseStack"/>. Its saved weight keys are
/// "layers.hidden{i}.weight/bias", "layers.norm{i}.*" and "layers.output.weight/bias": renaming them breaks saved models.
/// </summary>
internal sealed class MlpModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    // Field name is part of the saved weight keys ("layers.hidden0.weight", …). Do not rename.
    private readonly Sequential layers;

    public MlpModule(List<(string, nn.Module<Tensor, Tensor>)> stack)
        : base(nameof(MlpModule))
    {
        layers = nn.Sequential(stack);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.forward(input);

    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize) => OnnxLayers.Sequential(graph, layers, rows, [inputSize]).Output;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            layers.Dispose();
        base.Dispose(disposing);
    }
}
