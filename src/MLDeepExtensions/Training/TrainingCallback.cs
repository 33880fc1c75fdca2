namespace MLDeepExtensions;

/// <summary>
/// Hooks into the training loop. Every hook does nothing by default; override the ones you need. Callbacks share
/// state only through <see cref="TrainingContext.History"/>, and stop training with <see cref="TrainingContext.RequestStop"/>.
/// </summary>
public abstract class TrainingCallback
{
    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainingBegin(TrainingContext context)
    {
    }

    /// <summary>
    /// Called on the training thread after every training batch: after its weight update, or after it was skipped (see
    /// <see cref="NetworkTrainingOptions.SkipNonFiniteBatches"/>). Runs once per batch, so keep it cheap; the batch's loss
    /// is not passed because reading it would stall a GPU.
    /// </summary>
    /// <param name="context">The running fit.</param>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="batch">The batch within the epoch, from 1.</param>
    public virtual void OnBatchEnd(TrainingContext context, int epoch, int batch)
    {
    }

    /// <summary>Called after every epoch, once its metrics are in <see cref="TrainingContext.History"/>.</summary>
    public virtual void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
    }

    /// <summary>Called once after the last epoch (also when stopped early), not when training fails.</summary>
    public virtual void OnTrainingEnd(TrainingContext context)
    {
    }
}

/// <summary>What callbacks see of a running fit.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(TrainingHistory history, int maxEpochs, bool hasValidationData, TorchSharp.torch.nn.Module module)
    {
        History = history;
        MaxEpochs = maxEpochs;
        HasValidationData = hasValidationData;
        Module = module;
    }

    /// <summary>The metrics of the epochs finished so far.</summary>
    public TrainingHistory History { get; }

    /// <summary>The number of epochs the fit runs unless stopped.</summary>
    public int MaxEpochs { get; }

    /// <summary>True when validation loss and metric are computed each epoch.</summary>
    public bool HasValidationData { get; }

    /// <summary>True once a callback asked to stop after the current epoch.</summary>
    public bool StopRequested { get; private set; }

    internal TorchSharp.torch.nn.Module Module { get; }

    /// <summary>Ends training after the current epoch (the loop finishes normally; nothing is thrown).</summary>
    public void RequestStop() => StopRequested = true;
}
