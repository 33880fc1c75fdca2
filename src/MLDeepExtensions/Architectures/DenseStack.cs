using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The one builder of dense layer stacks, used by every architecture: the MLP itself, the dense heads of the CNN and
/// the RNN, and both halves of the autoencoders.
/// </summary>
/// <remarks>
/// Hidden layer i is the linear layer "{prefix}{i}", then batch normalization "norm{i}" (when asked), the activation
/// "act{i}" and dropout "drop{i}" (when &gt; 0); the stack ends with the linear layer <see cref="Layout.Last"/> and,
/// when asked, its activation "{last}_act". With <see cref="Layout.DropInput"/> the input is dropped out first
/// ("drop_in"), as a head over convolution or recurrent features does. Only the linear and batch-norm layers hold
/// weights, so their names ("hidden0.weight", "norm0.running_mean", "output.bias", …) are the saved weight keys:
/// renaming them breaks saved models.
/// </remarks>
internal static class DenseStack
{
    /// <summary>How a stack is laid out. <paramref name="Prefix"/> names the hidden linear layers ("hidden", or "dense" in the CNN and RNN heads).</summary>
    internal sealed record Layout(Activation Activation, float Dropout = 0, bool BatchNormalization = false, bool DropInput = false,
        string Prefix = "hidden", string Last = "output", bool ActivateLast = false);

    /// <summary>The layout of a dense head over convolution or recurrent features: dropout before each dense layer, hidden layers "dense{i}".</summary>
    public static Layout Head(Activation activation, float dropout) => new(activation, dropout, DropInput: true, Prefix: "dense");

    /// <summary>The named layers from <paramref name="inputSize"/> through <paramref name="hidden"/> to <paramref name="outputSize"/>.</summary>
    public static List<(string, nn.Module<Tensor, Tensor>)> Layers(int inputSize, IReadOnlyList<int> hidden, int outputSize, Layout layout)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        if (layout.DropInput && layout.Dropout > 0)
            layers.Add(("drop_in", nn.Dropout(layout.Dropout)));
        int width = inputSize;
        for (int i = 0; i < hidden.Count; i++)
        {
            layers.Add(($"{layout.Prefix}{i}", nn.Linear(width, hidden[i])));
            if (layout.BatchNormalization)
                layers.Add(($"norm{i}", nn.BatchNorm1d(hidden[i])));
            layers.Add(($"act{i}", ActivationModules.Create(layout.Activation)));
            if (layout.Dropout > 0)
                layers.Add(($"drop{i}", nn.Dropout(layout.Dropout)));
            width = hidden[i];
        }
        layers.Add((layout.Last, nn.Linear(width, outputSize)));
        if (layout.ActivateLast)
            layers.Add(($"{layout.Last}_act", ActivationModules.Create(layout.Activation)));
        return layers;
    }

    /// <summary>The weight matrices (biases left out) of a stack, computed without building it; a double, as damaged settings overflow a long.</summary>
    public static double WeightCount(double inputSize, IReadOnlyList<int> hidden, double outputSize)
    {
        double count = 0, width = inputSize;
        foreach (int units in hidden)
        {
            count += width * units;
            width = units;
        }
        return count + width * outputSize;
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
