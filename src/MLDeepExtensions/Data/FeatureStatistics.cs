using System;
using System.Linq;
using System.Threading;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>Each feature's mean and spread (population standard deviation) over a set of rows.</summary>
internal sealed record FeatureMoments(double[] Mean, double[] Spread, long Rows)
{
    /// <summary>How many features count as constant (see <see cref="Architectures.InputStandardization.IsConstant"/>).</summary>
    public int ConstantCount => Spread.Where((spread, i) => Architectures.InputStandardization.IsConstant(spread, Mean[i])).Count();
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

    /// <summary>The moments of the first <paramref name="width"/> values of each row (the numeric ones, before any categorical keys).</summary>
    public static FeatureMoments Measure(BatchSource rows, int width, CancellationToken cancellation)
    {
        using var outer = NewDisposeScope();
        var mean = zeros(width, dtype: ScalarType.Float64);
        var squares = zeros(width, dtype: ScalarType.Float64);
        long count = 0;
        rows.ForEachInOrder(BatchSize, (features, _) =>
        {
            using var scope = NewDisposeScope();
            long n = features.shape[0];
            if (n == 0)
                return;
            var batch = features.narrow(1, 0, width).to(ScalarType.Float64, CPU);
            var batchMean = batch.mean([0]);
            var batchSquares = (batch - batchMean).square().sum(dim: 0);
            long total = count + n;
            var delta = batchMean - mean;
            mean.add_(delta * ((double)n / total));
            squares.add_(batchSquares + delta.square() * ((double)count * n / total));
            count = total;
        }, cancellation);
        if (count == 0)
            throw new InvalidOperationException("No training rows to measure the input statistics on.");
        double[] means = mean.data<double>().ToArray();
        double[] spreads = (squares / count).sqrt().data<double>().ToArray();
        return new FeatureMoments(means, spreads, count);
    }
}
