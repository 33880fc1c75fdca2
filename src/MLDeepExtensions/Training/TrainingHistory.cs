using System.Collections;
using System.Collections.Generic;

namespace MLDeepExtensions;

/// <summary>
/// The per-epoch record of a fit, read-only once training has ended. Callbacks talk to each other only through it.
/// </summary>
public sealed class TrainingHistory : IReadOnlyList<EpochMetrics>
{
    private readonly List<EpochMetrics> _epochs = new();

    internal TrainingHistory()
    {
    }

    internal TrainingHistory(IEnumerable<EpochMetrics> epochs)
    {
        _epochs.AddRange(epochs);
    }

    /// <summary>The epoch whose weights the model holds (the best one when early stopping restored weights), or 0 when not trained.</summary>
    public int SelectedEpoch { get; internal set; }

    /// <summary>True when early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <inheritdoc/>
    public int Count => _epochs.Count;

    /// <inheritdoc/>
    public EpochMetrics this[int index] => _epochs[index];

    internal void Add(EpochMetrics metrics) => _epochs.Add(metrics);

    /// <inheritdoc/>
    public IEnumerator<EpochMetrics> GetEnumerator() => _epochs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
