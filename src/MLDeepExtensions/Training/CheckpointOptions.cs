using System;
using System.IO;

namespace MLDeepExtensions;

/// <summary>
/// Checkpoints of a running fit (see <see cref="NetworkTrainingOptions.Checkpoints"/>): files in <see cref="Directory"/>
/// that hold everything needed to continue the fit exactly where it was — weights and batch-norm statistics, the
/// optimizer's state (moments, step counts), the learning rate and its schedule's state, the random state, early
/// stopping's state and best weights, and the history so far — plus a description of the options and data they were
/// made with. With <see cref="Resume"/>, a fit killed at any point continues from the last good checkpoint and ends with
/// the same weights, scores and history as a fit that was never interrupted (on the CPU, with the same number of threads).
/// </summary>
/// <remarks>
/// <para>A checkpoint is written at the end of an epoch (after its validation, callbacks and learning-rate update), as
/// <c>epoch-NNNNNN.checkpoint</c>: into a temporary file, flushed to disk, then renamed, so a crash during the write never
/// damages an existing checkpoint. Each file ends with a SHA-256 of its contents; a damaged one is skipped with a warning
/// in the log, and the fit resumes from the one before it.</para>
/// <para>Not in a checkpoint: the state of your own <see cref="NetworkTrainingOptions.Callbacks"/>, and on a CUDA device
/// the GPU's random state (TorchSharp does not expose it): each epoch on CUDA starts from a generator seeded with the
/// fit's seed and the epoch, so resumed GPU fits draw the same dropout masks, within what CUDA's kernels reproduce.</para>
/// </remarks>
public sealed record CheckpointOptions
{
    /// <summary>Checkpoints into <paramref name="directory"/> (created when missing) after every epoch, keeping the last 3.</summary>
    public CheckpointOptions(string directory)
    {
        Directory = directory;
    }

    /// <summary>The folder the checkpoints are written to and resumed from. One fit per folder.</summary>
    public string Directory { get; init; }

    /// <summary>Writes a checkpoint every this many epochs (and after the last one); 0 writes none on a schedule. Default: 1.</summary>
    public int EveryEpochs { get; init; } = 1;

    /// <summary>
    /// Also writes a checkpoint whenever the quantity <see cref="Monitor"/> names improves on the best so far. Default: false.
    /// </summary>
    public bool OnImprovement { get; init; }

    /// <summary>What <see cref="OnImprovement"/> watches. Default: <see cref="EarlyStoppingMonitor.ValidationLoss"/> (the training loss without validation data).</summary>
    public EarlyStoppingMonitor Monitor { get; init; } = EarlyStoppingMonitor.ValidationLoss;

    /// <summary>
    /// Watches this validation metric instead of <see cref="Monitor"/> for <see cref="OnImprovement"/>, in its own direction
    /// (see <see cref="EarlyStoppingOptions.Metric"/>). Needs validation data. Default: null (watch <see cref="Monitor"/>).
    /// </summary>
    public string? Metric { get; init; }

    /// <summary>How many checkpoints to keep, ≥ 1; older ones are deleted once a newer one is written. Default: 3.</summary>
    public int KeepLast { get; init; } = 3;

    /// <summary>
    /// Continues from the last good checkpoint in <see cref="Directory"/> when there is one (a fit that had finished
    /// returns its model at once); an empty folder starts a new fit, and the log says so. A checkpoint made with other
    /// options, data or architecture is refused with a message naming the difference. When false, a folder that
    /// already holds checkpoints is an error, so an earlier fit's checkpoints are never mixed with a new one's.
    /// Default: false.
    /// </summary>
    public bool Resume { get; init; }

    internal void Validate(ValidationErrors errors)
    {
        const string option = nameof(NetworkTrainingOptions.Checkpoints);
        if (string.IsNullOrWhiteSpace(Directory))
            errors.Add($"{option}.{nameof(Directory)} is empty; give the folder to write checkpoints to.");
        else if (Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            errors.Add($"{option}.{nameof(Directory)} '{Directory}' contains characters that are not allowed in a path.");
        if (EveryEpochs < 0)
            errors.Add($"{option}.{nameof(EveryEpochs)} is {EveryEpochs}; it must be ≥ 1, or 0 to write checkpoints only on improvement.");
        if (EveryEpochs == 0 && !OnImprovement)
            errors.Add($"{option} writes no checkpoint: {nameof(EveryEpochs)} is 0 and {nameof(OnImprovement)} is false. Set one of them.");
        if (!Enum.IsDefined(Monitor))
            errors.Add($"{option}.{nameof(Monitor)} is {(int)Monitor}, which is not a member of {nameof(EarlyStoppingMonitor)}.");
        if (Metric is not null && string.IsNullOrWhiteSpace(Metric))
            errors.Add($"{option}.{nameof(Metric)} is empty; give a validation metric's name (e.g. \"AreaUnderRocCurve\"), or null to watch {nameof(Monitor)}.");
        if (KeepLast < 1)
            errors.Add($"{option}.{nameof(KeepLast)} is {KeepLast}; it must be ≥ 1.");
    }
}
