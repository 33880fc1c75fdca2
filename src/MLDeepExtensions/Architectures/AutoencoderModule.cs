using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// What every autoencoder module does: <c>forward</c> returns the reconstruction of [batch, inputSize] rows
/// (corrupting the input first in training mode when denoising is on); <see cref="Encode"/> and
/// <see cref="Decode"/> expose the halves for the Embedding and Reconstruction columns.
/// </summary>
internal abstract class AutoencoderModule : nn.Module<Tensor, Tensor>
{
    private readonly float _noise;
    private readonly float _inputDropout;

    private protected AutoencoderModule(string name, float noise, float inputDropout)
        : base(name)
    {
        _noise = noise;
        _inputDropout = inputDropout;
    }

    /// <summary>[batch, inputSize] rows → [batch, latentSize].</summary>
    public abstract Tensor Encode(Tensor input);

    /// <summary>[batch, latentSize] → [batch, inputSize] reconstructed rows.</summary>
    public abstract Tensor Decode(Tensor latent);

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
