using MLDeepExtensions.Onnx;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// What every autoencoder module does: <c>forward</c> returns the reconstruction of [batch, inputSize] rows
/// (corrupting the input first in training mode when denoising is on); <see cref="Encode"/> and
/// <see cref="Decode"/> expose the halves for the Embedding and Reconstruction columns.
/// </summary>
internal abstract class AutoencoderModule : nn.Module<Tensor, Tensor>, IOnnxModule, IEncoderDecoder
{
    private readonly float _noise;
    private readonly float _inputDropout;

    private protected AutoencoderModule(string name, int latentSize, float noise, float inputDropout)
        : base(name)
    {
        LatentSize = latentSize;
        _noise = noise;
        _inputDropout = inputDropout;
    }

    /// <summary>Values in the latent vector.</summary>
    public int LatentSize { get; }

    /// <summary>[batch, inputSize] rows → [batch, latentSize].</summary>
    public abstract Tensor Encode(Tensor input);

    /// <summary>[batch, latentSize] → [batch, inputSize] reconstructed rows.</summary>
    public abstract Tensor Decode(Tensor latent);

    /// <summary><see cref="Encode"/> in an ONNX graph: rows [batch, <paramref name="inputSize"/>] → [batch, latentSize].</summary>
    public abstract string ExportEncoder(OnnxGraph graph, string rows, int inputSize);

    /// <summary><see cref="Decode"/> in an ONNX graph.</summary>
    public abstract string ExportDecoder(OnnxGraph graph, string latent);

    /// <summary>The forward in eval mode (no corruption): the reconstruction.</summary>
    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize) => ExportDecoder(graph, ExportEncoder(graph, rows, inputSize));

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        if (training && _noise > 0)
            x = x + randn_like(x) * _noise;
        if (training && _inputDropout > 0)
            x = nn.functional.dropout(x, _inputDropout, training: true);
        return Decode(Encode(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>What the reconstruction head needs of an autoencoder: its two halves (ours and users' alike).</summary>
internal interface IEncoderDecoder
{
    /// <summary>[batch, inputSize] rows → [batch, latentSize].</summary>
    Tensor Encode(Tensor input);

    /// <summary>[batch, latentSize] → [batch, inputSize] reconstructed rows.</summary>
    Tensor Decode(Tensor latent);
}
