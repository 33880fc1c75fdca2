using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The TorchSharp module behind <see cref="MlpArchitecture"/>. The names given to the layers below
/// ("hidden0", "norm0", "output", …) are the keys of the saved weights: renaming them breaks saved models.
/// </summary>
internal sealed class MlpModule : nn.Module<Tensor, Tensor>
{
    // Field name is part of the saved weight keys ("layers.hidden0.weight", …). Do not rename.
    private readonly Sequential layers;

    public MlpModule(int inputSize, IReadOnlyList<int> hiddenLayers, int outputSize, Activation activation, float dropout, bool batchNormalization)
        : base(nameof(MlpModule))
    {
        var named = new List<(string, nn.Module<Tensor, Tensor>)>();
        int width = inputSize;
        for (int i = 0; i < hiddenLayers.Count; i++)
        {
            named.Add(($"hidden{i}", nn.Linear(width, hiddenLayers[i])));
            if (batchNormalization)
                named.Add(($"norm{i}", nn.BatchNorm1d(hiddenLayers[i])));
            named.Add(($"act{i}", ActivationModules.Create(activation)));
            if (dropout > 0)
                named.Add(($"drop{i}", nn.Dropout(dropout)));
            width = hiddenLayers[i];
        }
        named.Add(("output", nn.Linear(width, outputSize)));
        layers = nn.Sequential(named);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.forward(input);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            layers.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Maps <see cref="Activation"/> to TorchSharp modules; shared by every architecture.</summary>
internal static class ActivationModules
{
    public static nn.Module<Tensor, Tensor> Create(Activation activation) => activation switch
    {
        Activation.ReLU => nn.ReLU(),
        Activation.LeakyReLU => nn.LeakyReLU(0.01),
        Activation.GELU => nn.GELU(),
        Activation.Tanh => nn.Tanh(),
        Activation.Sigmoid => nn.Sigmoid(),
        Activation.ELU => nn.ELU(),
        _ => throw new NotSupportedException($"Activation {activation} is not supported."),
    };
}
