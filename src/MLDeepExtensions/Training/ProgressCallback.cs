using System;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;

namespace MLDeepExtensions.Training;

/// <summary>
/// Reports each epoch to the MLContext log (under the estimator's name) and to the user's IProgress, and draws the
/// console progress <see cref="NetworkTrainingOptions.ShowProgress"/> asks for (<see cref="ConsoleProgressBar"/>).
/// </summary>
internal sealed class ProgressCallback : TrainingCallback
{
    private readonly IChannel _channel;
    private readonly IProgress<EpochMetrics>? _progress;
    private readonly ConsoleProgressBar? _console;

    /// <param name="channel">Where the fit logs.</param>
    /// <param name="options">The fit's options: <see cref="NetworkTrainingOptions.Progress"/>, <see cref="NetworkTrainingOptions.ShowProgress"/>, the batch size.</param>
    /// <param name="train">The training rows: their count, once known, gives the batches per epoch.</param>
    public ProgressCallback(IChannel channel, NetworkTrainingOptions options, BatchSource train)
    {
        _channel = channel;
        _progress = options.Progress;
        var output = options.ProgressOutput ?? ConsoleProgressBar.Output.StandardError();
        _console = Style(options.ShowProgress, options.Progress is not null, output.Interactive) is { } style
            ? new ConsoleProgressBar(output.Writer, style == ProgressDisplay.Bar, options.BatchSize, () => train.Count is long rows ? Batches(rows, options.BatchSize) : null)
            : null;
    }

    /// <summary>
    /// What the console shows: <see cref="ProgressDisplay.Bar"/>, <see cref="ProgressDisplay.Lines"/>, or null for
    /// nothing (None; Auto with the caller's own IProgress or without an interactive console; redirected Bar is Lines).
    /// </summary>
    internal static ProgressDisplay? Style(ProgressDisplay show, bool hasProgress, bool interactive) => show switch
    {
        ProgressDisplay.Auto => hasProgress || !interactive ? null : ProgressDisplay.Bar,
        ProgressDisplay.Bar => interactive ? ProgressDisplay.Bar : ProgressDisplay.Lines,
        ProgressDisplay.Lines => ProgressDisplay.Lines,
        _ => null,
    };

    /// <summary>Training batches per epoch of <paramref name="rows"/> rows: a last batch of one row is left out unless it is the only one.</summary>
    internal static long Batches(long rows, int batchSize)
    {
        if (rows <= 0)
            return 0;
        long size = Math.Min(batchSize, rows);
        return rows / size + (rows % size > 1 ? 1 : 0);
    }

    public override void OnTrainingBegin(TrainingContext context) => _console?.Begin();

    public override void OnBatchEnd(TrainingContext context, int epoch, int batch) => _console?.Batch(epoch, context.MaxEpochs, batch);

    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        _channel.Info(metrics.ToString());
        _progress?.Report(metrics);
        _console?.EpochEnd(metrics, context.MaxEpochs);
    }
}
