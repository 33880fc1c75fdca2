using System;
using System.IO;
using System.Linq;

namespace MLDeepExtensions;

/// <summary>
/// Light random changes to training images, applied to each batch during training only and never when scoring.
/// </summary>
public sealed record ImageAugmentation
{
    /// <summary>Mirrors each image left–right with probability 0.5. Default: false.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Shifts each image by up to this many pixels in each direction (zero fill), ≥ 0. Default: 0 (off).</summary>
    public int MaxShift { get; init; }

    internal bool IsActive => HorizontalFlip || MaxShift > 0;

    internal void Validate(ValidationErrors errors)
    {
        if (MaxShift < 0)
            errors.Add($"{nameof(ImageAugmentation)}.{nameof(MaxShift)} is {MaxShift}; it must be ≥ 0 pixels.");
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(HorizontalFlip);
        writer.Write(MaxShift);
    }

    internal static ImageAugmentation Read(BinaryReader reader)
        => new() { HorizontalFlip = reader.ReadBoolean(), MaxShift = reader.ReadInt32() };

    /// <inheritdoc/>
    public override string ToString()
        => string.Join(" ", new[] { HorizontalFlip ? "flip" : null, MaxShift > 0 ? FormattableString.Invariant($"shift ±{MaxShift}") : null }.OfType<string>());
}
