using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The module behind <see cref="AutoencoderArchitecture"/>. <c>forward</c> returns the reconstruction (corrupting the
/// input first in training mode when denoising is on); <see cref="Encode"/> and <see cref="Decode"/> expose the halves.
/// The field names and layer names ("hidden0", "latent", "output", …) are the saved weight keys: do not rename.
/// </summary>
internal sealed class AutoencoderModule : nn.Module<Tensor, Tensor>
{
    private readonly float _noise;
    private readonly float _inputDropout;

    // Field names are part of the saved weight keys ("encoder.latent.weight", …).
    private readonly Sequential encoder;
    private readonly Sequential decoder;

    public AutoencoderModule(int inputSize, IReadOnlyList<int> encoderLayers, int latentSize, Activation activation, float noise, float inputDropout)
        : base(nameof(AutoencoderModule))
    {
        _noise = noise;
        _inputDropout = inputDropout;
        encoder = nn.Sequential(Stack(inputSize, encoderLayers, latentSize, activation, "latent"));
        decoder = nn.Sequential(Stack(latentSize, encoderLayers.Reverse().ToArray(), inputSize, activation, "output"));
        RegisterComponents();
    }

    private static List<(string, nn.Module<Tensor, Tensor>)> Stack(int from, IReadOnlyList<int> hidden, int to, Activation activation, string last)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < hidden.Count; i++)
        {
            layers.Add(($"hidden{i}", nn.Linear(from, hidden[i])));
            layers.Add(($"act{i}", ActivationModules.Create(activation)));
            from = hidden[i];
        }
        layers.Add((last, nn.Linear(from, to)));
        return layers;
    }

    public Tensor Encode(Tensor input) => encoder.forward(input);

    public Tensor Decode(Tensor latent) => decoder.forward(latent);

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
