using System;
using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Architectures;

namespace MLDeepExtensions;

/// <summary>
/// Which layers of a network to freeze (see <see cref="NetworkTrainingOptions.FrozenLayers"/>): by name or by depth.
/// A layer is a part of the network that holds weights, named by its weight keys without the last part, in the order
/// the input flows through them: e.g. a CNN's <c>features.conv0</c>, <c>features.norm0</c>, …, <c>head.dense0</c>,
/// <c>head.output</c>. <see cref="NetworkTransformerBase.LayerNames"/> lists a fitted network's layers.
/// </summary>
/// <remarks>
/// Frozen layers keep their weights and, for batch normalization, their running statistics (they run in inference mode
/// during training, as in Keras); the optimizer never sees their weights, so weight decay leaves them alone too.
/// </remarks>
public sealed record LayerSelection
{
    private LayerSelection(IReadOnlyList<string> names, int? count, bool fromEnd)
    {
        Names = SettingChecks.Own(names);
        Count = count;
        FromEnd = fromEnd;
    }

    /// <summary>The layer names or name prefixes selected (empty when selected by depth).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>How many layers are selected by depth, or null when selected by name.</summary>
    public int? Count { get; }

    /// <summary>True when <see cref="Count"/> counts from the output end: every layer except the last <see cref="Count"/>.</summary>
    public bool FromEnd { get; }

    /// <summary>
    /// The layers with these names, or whose names start with one of these followed by a dot: <c>"features"</c> selects
    /// every convolution block of a CNN, <c>"features.conv0"</c> only its first convolution. An unknown name is an error
    /// that lists the network's layers.
    /// </summary>
    public static LayerSelection Named(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return new LayerSelection(names, null, fromEnd: false);
    }

    /// <summary>The first <paramref name="count"/> layers, counted from the input.</summary>
    public static LayerSelection First(int count) => new(Array.Empty<string>(), count, fromEnd: false);

    /// <summary>Every layer except the last <paramref name="count"/>: freezing it trains only the last <paramref name="count"/> layers (e.g. 1: only the output layer).</summary>
    public static LayerSelection AllButLast(int count) => new(Array.Empty<string>(), count, fromEnd: true);

    internal void Validate(ValidationErrors errors, string option)
    {
        if (Count is int count && count < 1)
            errors.Add($"{option} selects {count} layers; select at least 1.");
        if (Count is null && Names.Count == 0)
            errors.Add($"{option} names no layer; name at least one (see NetworkTransformerBase.LayerNames).");
        foreach (string name in Names)
        {
            if (string.IsNullOrWhiteSpace(name))
                errors.Add($"{option} contains an empty layer name.");
        }
    }

    /// <summary>The selected layers of a network with <paramref name="layers"/>, in order; an <see cref="ArgumentException"/> names what does not exist.</summary>
    internal IReadOnlyList<string> Select(IReadOnlyList<string> layers, string option)
    {
        string available = string.Join(", ", layers);
        if (Count is int count)
        {
            if (count > layers.Count || (FromEnd && count == layers.Count))
                throw new ArgumentException(FormattableString.Invariant(
                    $"{option} selects {(FromEnd ? "all but the last " : "the first ")}{count} layers, but the network has {layers.Count}: {available}."));
            return FromEnd ? layers.Take(layers.Count - count).ToArray() : layers.Take(count).ToArray();
        }
        var selected = new List<string>();
        foreach (string name in Names)
        {
            var matches = layers.Where(layer => layer == name || layer.StartsWith(name + ".", StringComparison.Ordinal)).ToArray();
            if (matches.Length == 0)
                throw new ArgumentException($"{option} names layer '{name}', which the network does not have. Its layers are: {available}.");
            selected.AddRange(matches);
        }
        return layers.Where(selected.Contains).ToArray();
    }

    /// <inheritdoc/>
    public override string ToString()
        => Count is int count
            ? FromEnd ? FormattableString.Invariant($"all but the last {count} layers") : FormattableString.Invariant($"the first {count} layers")
            : "layers " + string.Join(", ", Names);
}
