using System;
using System.Linq;
using System.Threading;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>Each feature's mean and spread (population standard deviation) over a set of rows.</summary>
internal sealed record FeatureMoments(double[] Mean, double[] Spread, long Rows)
{
    /// <summary>How many features count as constant (see <see cref="IsConstant"/>).</summary>
    public int ConstantCount => Spread.Where((spread, i) => IsConstant(spread, Mean[i])).Count();

    /// <summary>
    /// Whether a feature counts as constant: its spread is below 1e-7 of its magnitude (or of 1), where dividing by it
    /// would turn rounding noise into large values.
    /// </summary>
    public static bool IsConstant(double spread, double mean) => !(spread > 1e-7 * Math.Max(1, Math.Abs(mean)));
}

/// <summary>
/// Measures <see cref="FeatureMoments"/> in one pass over a <see cref="BatchSource"/> (in memory or streamed), in
/// double precision: each batch's mean and sum of squared deviations, merged with Chan, Golub and LeVeque's pairwise
/// update, so large offsets do not cancel digits the way a running sum of squares would.
/// </summary>
internal static class FeatureStatistics
{
    /// <summary>Rows per batch of the pass: the same in memory and streamed, so both give the same numbers.</summary>
    private const int BatchSize = 4096;

    /// <summary>
    /// The moments of the first <paramref name="width"/> values of each row (the numeric ones, before any categorical keys);
    /// with <paramref name="weightsOf"/> (a batch's example weights from its labels), weighted, so that a row of weight 2
    /// counts as the row twice.
    /// </summary>
    public static FeatureMoments Measure(BatchSource rows, int width, CancellationToken cancellation, Func<Tensor, Tensor?>? weightsOf = null)
    {
        using var outer = NewDisposeScope();
        var mean = zeros(width, dtype: ScalarType.Float64);
        var squares = zeros(width, dtype: ScalarType.Float64);
        double count = 0;
        long rowCount = 0;
        rows.ForEachInOrder(BatchSize, (features, labels) =>
        {
            using var scope = NewDisposeScope();
            long n = features.shape[0];
            if (n == 0)
                return;
            rowCount += n;
            var batch = features.narrow(1, 0, width).to(ScalarType.Float64, CPU);
            Tensor batchMean, batchSquares;
            double weight;
            if (weightsOf?.Invoke(labels) is { } weights)
            {
                var w = weights.to(ScalarType.Float64, CPU).unsqueeze(1);
                weight = w.sum().item<double>();
                if (!(weight > 0))
                    return;
                batchMean = (batch * w).sum(dim: 0) / weight;
                batchSquares = ((batch - batchMean).square() * w).sum(dim: 0);
            }
            else
            {
                weight = n;
                batchMean = batch.mean([0]);
                batchSquares = (batch - batchMean).square().sum(dim: 0);
            }
            double total = count + weight;
            var delta = batchMean - mean;
            mean.add_(delta * (weight / total));
            squares.add_(batchSquares + delta.square() * (count * weight / total));
            count = total;
        }, cancellation);
        if (count == 0)
            throw new InvalidOperationException("No training rows (or none of weight above 0) to measure the input statistics on.");
        double[] means = mean.data<double>().ToArray();
        double[] spreads = (squares / count).sqrt().data<double>().ToArray();
        return new FeatureMoments(means, spreads, rowCount);
    }
}
