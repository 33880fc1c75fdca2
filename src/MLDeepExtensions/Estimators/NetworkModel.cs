using System;
using System.Linq;
using MLDeepExtensions.Heads;
using static TorchSharp.torch;

namespace MLDeepExtensions.Estimators;

/// <summary>
/// Everything a trained network is made of, whatever its head: what the model format saves and loads, and what a
/// transformer scores with. The module is owned by the transformer's scorer.
/// </summary>
internal sealed class NetworkModel
{
    public NetworkModel(nn.Module<Tensor, Tensor> module, NetworkArchitecture architecture, NetworkHead head, int inputSize, string featureColumnName,
        int scoringBatchSize, TrainingHistory history, Device device)
    {
        Module = module;
        Architecture = architecture;
        Head = head;
        InputSize = inputSize;
        FeatureColumnName = featureColumnName;
        ScoringBatchSize = scoringBatchSize;
        History = history;
        Device = device;
        ParameterCount = module.parameters().Sum(p => p.numel());
    }

    public nn.Module<Tensor, Tensor> Module { get; }

    public NetworkArchitecture Architecture { get; }

    public NetworkHead Head { get; }

    /// <summary>Values per encoded input row.</summary>
    public int InputSize { get; }

    public string FeatureColumnName { get; }

    public int ScoringBatchSize { get; }

    public TrainingHistory History { get; }

    /// <summary>Where the module lives and scores.</summary>
    public Device Device { get; }

    public long ParameterCount { get; }

    /// <summary>The network's ONNX graph as read from a model file (see <see cref="Onnx.NetworkGraph"/>); null when the file has none.</summary>
    public byte[]? OnnxGraph { get; init; }
}
