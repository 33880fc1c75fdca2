using MLDeepExtensions.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions;

/// <summary>
/// The base of an autoencoder you write yourself, for <see cref="AutoencoderArchitecture.Custom"/>: an encoder from
/// [batch, InputSize] rows to [batch, LatentSize] (the Embedding column) and a decoder back (the Reconstruction
/// column). The reconstruction error, the anomaly threshold and every training option are ours. Register its factory
/// with <see cref="CustomModules.Register"/>.
/// </summary>
/// <remarks>
/// Build the layers in the constructor, as fields (their names are the saved weight keys), and call
/// <c>RegisterComponents()</c>. Neither method may dispose its input. Corruption for a denoising autoencoder, if you
/// want it, belongs in <see cref="Encode"/> when <c>training</c> is true.
/// </remarks>
public abstract class CustomAutoencoderModule : nn.Module<Tensor, Tensor>, IEncoderDecoder
{
    /// <summary>Creates the module with TorchSharp's module name <paramref name="name"/>.</summary>
    protected CustomAutoencoderModule(string name)
        : base(name)
    {
    }

    /// <summary>[batch, InputSize] rows → [batch, LatentSize].</summary>
    public abstract Tensor Encode(Tensor input);

    /// <summary>[batch, LatentSize] → [batch, InputSize] reconstructed rows.</summary>
    public abstract Tensor Decode(Tensor latent);

    /// <summary>The reconstruction: <c>Decode(Encode(input))</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Decode(Encode(input)).MoveToOuterDisposeScope();
    }
}
