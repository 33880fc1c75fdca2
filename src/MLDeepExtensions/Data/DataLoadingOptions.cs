using System;

namespace MLDeepExtensions;

/// <summary>How a fit reads its training data.</summary>
public enum DataLoadingMode
{
    /// <summary>In memory when the data's estimated size fits <see cref="DataLoadingOptions.MemoryBudgetBytes"/>, else streamed; the log says which and why.</summary>
    Auto = 0,

    /// <summary>Read once into memory (one contiguous array): the fastest for data that fits.</summary>
    InMemory = 1,

    /// <summary>A new cursor over the data in every epoch, decoded into batches by a background reader while the network trains.</summary>
    Streaming = 2,
}

/// <summary>
/// How a fit reads its training (and validation) data: in memory, or streamed for data larger than memory. Streaming
/// opens a cursor per epoch over the feature and label columns only; shuffles with a seeded shuffled cursor where the
/// data can shuffle (binary .idv files, cached views), else through a shuffle pool of <see cref="ShufflePoolRows"/>
/// rows (approximate: a row moves at most about that far, and the log says so); and decodes rows into batches on a
/// background thread, <see cref="PrefetchBatches"/> ahead of the training step.
/// </summary>
public sealed record DataLoadingOptions
{
    /// <summary>In memory, streamed, or chosen by size. Default: <see cref="DataLoadingMode.Auto"/>.</summary>
    public DataLoadingMode Mode { get; init; } = DataLoadingMode.Auto;

    /// <summary>
    /// For <see cref="DataLoadingMode.Auto"/>: the most bytes of training data (rows × (features + labels) × 4) read into
    /// memory; larger data streams. Default: null, a quarter of the memory available to the process.
    /// </summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>Streaming, data that cannot shuffle: rows held in the shuffle pool, ≥ 1 (memory: rows × features × 4 bytes). Default: 16,384.</summary>
    public int ShufflePoolRows { get; init; } = 16_384;

    /// <summary>Streaming: batches decoded ahead of the training step, 1 to 16. Default: 3.</summary>
    public int PrefetchBatches { get; init; } = 3;

    /// <summary>The budget <see cref="DataLoadingMode.Auto"/> compares with: <see cref="MemoryBudgetBytes"/> or a quarter of the memory available.</summary>
    internal long EffectiveBudget => MemoryBudgetBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;

    internal void Validate(ValidationErrors errors)
    {
        const string name = "DataLoading" + ".";
        if (!Enum.IsDefined(Mode))
            errors.Add($"{name}{nameof(Mode)} is {(int)Mode}, which is not a member of {nameof(DataLoadingMode)}.");
        if (MemoryBudgetBytes is < 0)
            errors.Add($"{name}{nameof(MemoryBudgetBytes)} is {MemoryBudgetBytes}; it must be ≥ 0, or null for a quarter of the available memory.");
        if (ShufflePoolRows < 1)
            errors.Add($"{name}{nameof(ShufflePoolRows)} is {ShufflePoolRows}; it must be ≥ 1 (e.g. 16384).");
        if (PrefetchBatches is < 1 or > 16)
            errors.Add($"{name}{nameof(PrefetchBatches)} is {PrefetchBatches}; it must be 1 to 16 (e.g. 3).");
    }
}
