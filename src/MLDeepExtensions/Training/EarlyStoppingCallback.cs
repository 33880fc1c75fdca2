using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>
/// Stops training when the monitored quantity stops improving, and can restore the best epoch's weights.
/// Keeps its snapshot on the CPU as detached copies, and frees it when training ends.
/// </summary>
internal sealed class EarlyStoppingCallback : TrainingCallback, System.IDisposable
{
    private readonly EarlyStoppingOptions _options;
    private double _best = double.PositiveInfinity;
    private int _bestEpoch;
    private int _epochsWithoutImprovement;
    private Dictionary<string, Tensor>? _bestWeights;

    public EarlyStoppingCallback(EarlyStoppingOptions options)
    {
        _options = options;
    }

    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        // Work with "lower is better" throughout.
        double value = _options.Monitor switch
        {
            EarlyStoppingMonitor.TrainingLoss => metrics.TrainingLoss,
            EarlyStoppingMonitor.ValidationMetric => -(metrics.ValidationMetric ?? -metrics.TrainingLoss),
            _ => metrics.ValidationLoss ?? metrics.TrainingLoss,
        };
        if (value < _best - _options.MinDelta)
        {
            _best = value;
            _bestEpoch = metrics.Epoch;
            _epochsWithoutImprovement = 0;
            if (_options.RestoreBestWeights)
                Snapshot(context.Module);
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
            using (no_grad())
            {
                var current = context.Module.state_dict();
                foreach (var (name, tensor) in _bestWeights)
                    current[name].copy_(tensor);
            }
            context.History.SelectedEpoch = _bestEpoch;
            FreeSnapshot();
        }
    }

    public void Dispose() => FreeSnapshot();

    private void Snapshot(nn.Module module)
    {
        FreeSnapshot();
        _bestWeights = module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }

    private void FreeSnapshot()
    {
        if (_bestWeights is null)
            return;
        foreach (var tensor in _bestWeights.Values)
            tensor.Dispose();
        _bestWeights = null;
    }
}
