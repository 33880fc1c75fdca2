using System.Collections.Generic;
using System.Linq;
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

    public DenseAutoencoderModule(int inputSize, IReadOnlyList<int> encoderLayers, int latentSize, Activation activation, float noise, float inputDropout)
        : base(nameof(DenseAutoencoderModule), noise, inputDropout)
    {
        encoder = nn.Sequential(Stack(inputSize, encoderLayers, latentSize, activation, "latent", activateLast: false));
        decoder = nn.Sequential(Stack(latentSize, encoderLayers.Reverse().ToArray(), inputSize, activation, "output", activateLast: false));
        RegisterComponents();
    }

    /// <summary>Linear layers "hidden{i}" each followed by "act{i}", then the linear layer <paramref name="last"/> (activated if asked).</summary>
    internal static List<(string, nn.Module<Tensor, Tensor>)> Stack(int from, IReadOnlyList<int> hidden, int to, Activation activation, string last, bool activateLast)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < hidden.Count; i++)
        {
            layers.Add(($"hidden{i}", nn.Linear(from, hidden[i])));
            layers.Add(($"act{i}", ActivationModules.Create(activation)));
            from = hidden[i];
        }
        layers.Add((last, nn.Linear(from, to)));
        if (activateLast)
            layers.Add(($"{last}_act", ActivationModules.Create(activation)));
        return layers;
    }

    public override Tensor Encode(Tensor input) => encoder.forward(input);

    public override Tensor Decode(Tensor latent) => decoder.forward(latent);

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
