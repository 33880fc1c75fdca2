using System.IO;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>
/// Stops training when the monitored quantity stops improving, and can restore the best epoch's weights.
/// Keeps its snapshot on the CPU (a <see cref="ModuleState"/>, the same capture a checkpoint stores), and frees it when
/// training ends.
/// </summary>
internal sealed class EarlyStoppingCallback : TrainingCallback, System.IDisposable
{
    private readonly EarlyStoppingOptions _options;
    private readonly MonitoredQuantity _monitored;
    private double _best = double.PositiveInfinity;
    private int _bestEpoch;
    private int _epochsWithoutImprovement;
    private ModuleState? _bestWeights;

    public EarlyStoppingCallback(EarlyStoppingOptions options, MonitoredQuantity monitored)
    {
        _options = options;
        _monitored = monitored;
    }

    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        double value = _monitored.LowerIsBetter(metrics);
        if (value < _best - _options.MinDelta)
        {
            _best = value;
            _bestEpoch = metrics.Epoch;
            _epochsWithoutImprovement = 0;
            if (_options.RestoreBestWeights)
            {
                _bestWeights?.Dispose();
                _bestWeights = ModuleState.Capture(context.Module);
            }
        }
        else if (++_epochsWithoutImprovement >= _options.Patience)
        {
            context.History.StoppedEarly = metrics.Epoch < context.MaxEpochs;
            context.RequestStop();
        }
    }

    public override void OnTrainingEnd(TrainingContext context)
    {
        if (_bestWeights is not null)
        {
            _bestWeights.RestoreInto(context.Module);
            context.History.SelectedEpoch = _bestEpoch;
            FreeSnapshot();
        }
    }

    /// <summary>Writes the best value, its epoch, the epochs since, and the best weights (for a checkpoint).</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_best);
        writer.Write(_bestEpoch);
        writer.Write(_epochsWithoutImprovement);
        writer.Write(_bestWeights is not null);
        _bestWeights?.Write(writer);
    }

    /// <summary>Reads what <see cref="SaveState"/> wrote; the best weights are shaped like <paramref name="module"/>'s.</summary>
    public void LoadState(BinaryReader reader, nn.Module module)
    {
        _best = reader.ReadDouble();
        _bestEpoch = reader.ReadInt32();
        _epochsWithoutImprovement = reader.ReadInt32();
        FreeSnapshot();
        if (reader.ReadBoolean())
            _bestWeights = ModuleState.Read(reader, module, "early stopping's best weights");
    }

    public void Dispose() => FreeSnapshot();

    private void FreeSnapshot()
    {
        _bestWeights?.Dispose();
        _bestWeights = null;
    }
}
