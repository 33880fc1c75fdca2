using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The dense <see cref="AutoencoderArchitecture"/>: linear layers down to the latent vector and mirrored back up.
/// The field names and layer names ("hidden0", "latent", "output", …) are the saved weight keys: do not rename.
/// </summary>
internal sealed class DenseAutoencoderModule : AutoencoderModule
{
    // Field names are part of the saved weight keys ("encoder.latent.weight", …).
    private readonly Sequential encoder;
    private readonly Sequential decoder;

    public DenseAutoencoderModule(int inputSize, IReadOnlyList<int> hiddenLayers, int latentSize, Activation activation, float noise, float inputDropout)
        : base(nameof(DenseAutoencoderModule), latentSize, noise, inputDropout)
    {
        encoder = nn.Sequential(DenseStack.Layers(inputSize, hiddenLayers, latentSize, new DenseStack.Layout(activation, Last: "latent")));
        decoder = nn.Sequential(DenseStack.Layers(latentSize, hiddenLayers.Reverse().ToArray(), inputSize, new DenseStack.Layout(activation)));
        RegisterComponents();
    }

    public override Tensor Encode(Tensor input) => encoder.forward(input);

    public override Tensor Decode(Tensor latent) => decoder.forward(latent);

    public override string ExportEncoder(OnnxGraph graph, string rows, int inputSize) => OnnxLayers.Sequential(graph, encoder, rows, [inputSize]).Output;

    public override string ExportDecoder(OnnxGraph graph, string latent) => OnnxLayers.Sequential(graph, decoder, latent, [LatentSize]).Output;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            encoder.Dispose();
            decoder.Dispose();
        }
        base.Dispose(disposing);
    }
}
