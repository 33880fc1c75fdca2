using System.Linq;
using static TorchSharp.torch;

namespace MLDeepExtensions.Estimators;

/// <summary>Everything a trained network is made of: what <c>ModelFormat</c> saves and loads.</summary>
internal sealed class NetworkModel
{
    public NetworkModel(nn.Module<Tensor, Tensor> module, NetworkArchitecture architecture, TaskInfo taskInfo, int inputSize,
        string featureColumnName, string labelColumnName, OutputColumnNames names, int scoringBatchSize, TrainingHistory history, Device device)
    {
        Module = module;
        Architecture = architecture;
        TaskInfo = taskInfo;
        InputSize = inputSize;
        FeatureColumnName = featureColumnName;
        LabelColumnName = labelColumnName;
        Names = names;
        ScoringBatchSize = scoringBatchSize;
        History = history;
        ParameterCount = module.parameters().Sum(p => p.numel());
        Device = device;
    }

    public nn.Module<Tensor, Tensor> Module { get; }

    public NetworkArchitecture Architecture { get; }

    public TaskInfo TaskInfo { get; }

    public int InputSize { get; }

    public string FeatureColumnName { get; }

    public string LabelColumnName { get; }

    public OutputColumnNames Names { get; }

    public int ScoringBatchSize { get; }

    public TrainingHistory History { get; }

    public long ParameterCount { get; }

    /// <summary>Where the module lives and scores.</summary>
    public Device Device { get; }
}
