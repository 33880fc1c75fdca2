using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// An estimate of a network's multiply-adds per row in one forward pass, from its <see cref="NetworkSummary"/>: a
/// convolution applies each weight once per output position (ParameterCount × the product of its output shape after the
/// channel dimension); any other layer with weights applies each once per position of its output but the last dimension
/// (a linear layer: once; a recurrent layer over 28 steps: 28 times). Layers without weights count nothing. A training
/// step costs about three times the forward pass.
/// </summary>
internal static class MultiplyAdds
{
    /// <summary>
    /// The estimate, and whether some weighted layer's output shape was unknown: such a layer counts
    /// <paramref name="unmeasuredSteps"/> (e.g. the mean length of variable-length sequences), or 1 when that is null.
    /// </summary>
    public static (double PerRow, bool Approximate) PerRow(NetworkSummary summary, double? unmeasuredSteps)
    {
        double total = 0;
        bool approximate = false;
        foreach (var layer in summary.Layers.Where(l => l.ParameterCount > 0))
        {
            double positions;
            if (layer.OutputShape is not { } shape)
            {
                positions = unmeasuredSteps ?? 1;
                approximate = true;
            }
            else if (layer.Type.StartsWith("Conv", System.StringComparison.Ordinal))
            {
                positions = shape.Skip(1).Aggregate(1.0, (product, d) => product * d);
            }
            else
            {
                positions = shape.Count <= 1 ? 1 : shape.Take(shape.Count - 1).Aggregate(1.0, (product, d) => product * d);
            }
            total += layer.ParameterCount * positions;
        }
        return (total, approximate);
    }

    /// <summary>A count in a few digits: 1,234 → "1.23 k", 5,600,000 → "5.60 M".</summary>
    public static string Format(double count) => count switch
    {
        >= 1e9 => $"{count / 1e9:F2} G",
        >= 1e6 => $"{count / 1e6:F2} M",
        >= 1e3 => $"{count / 1e3:F2} k",
        _ => $"{count:F0}",
    };
}
