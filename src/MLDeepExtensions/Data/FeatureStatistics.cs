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
/// update, so large offsets do not cancel digits the way a running sum of squares would. The inputs' and the label's
/// moments come from the same pass (a streamed source is read once for both).
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
        => Measure(rows, width, null, cancellation, weightsOf).Inputs!;

    /// <summary>
    /// In one pass: the moments of the first <paramref name="inputWidth"/> values of each row (null: not measured), and of
    /// each of <paramref name="targets"/>' values (a regression's label; null: not measured), weighted by the label's
    /// example weights when it carries them.
    /// </summary>
    public static (FeatureMoments? Inputs, FeatureMoments? Targets) Measure(BatchSource rows, int? inputWidth, LabelSource? targets, CancellationToken cancellation,
        Func<Tensor, Tensor?>? weightsOf)
    {
        using var outer = NewDisposeScope();
        var inputs = inputWidth is int width ? new Moments(width, (features, _) => features.narrow(1, 0, width)) : null;
        var labels = targets is null ? null : new Moments(targets.Width, (_, y) => targets.Split(y).Targets.reshape(-1, targets.Width));
        long rowCount = 0;
        rows.ForEachInOrder(BatchSize, (features, batchLabels) =>
        {
            using var scope = NewDisposeScope();
            long n = features.shape[0];
            if (n == 0)
                return;
            rowCount += n;
            var w = weightsOf?.Invoke(batchLabels)?.to(ScalarType.Float64, CPU).unsqueeze(1);
            inputs?.Add(features, batchLabels, w, n);
            labels?.Add(features, batchLabels, w, n);
        }, cancellation);
        return (inputs?.Result(rowCount), labels?.Result(rowCount));
    }

    /// <summary>The running mean and sum of squared deviations of the values one selection takes from each batch.</summary>
    private sealed class Moments(int width, Func<Tensor, Tensor, Tensor> select)
    {
        private readonly Tensor _mean = zeros(width, dtype: ScalarType.Float64);
        private readonly Tensor _squares = zeros(width, dtype: ScalarType.Float64);
        private double _count;

        public void Add(Tensor features, Tensor labels, Tensor? weights, long rows)
        {
            var batch = select(features, labels).to(ScalarType.Float64, CPU);
            Tensor batchMean, batchSquares;
            double weight;
            if (weights is not null)
            {
                weight = weights.sum().item<double>();
                if (!(weight > 0))
                    return;
                batchMean = (batch * weights).sum(dim: 0) / weight;
                batchSquares = ((batch - batchMean).square() * weights).sum(dim: 0);
            }
            else
            {
                weight = rows;
                batchMean = batch.mean([0]);
                batchSquares = (batch - batchMean).square().sum(dim: 0);
            }
            double total = _count + weight;
            var delta = batchMean - _mean;
            _mean.add_(delta * (weight / total));
            _squares.add_(batchSquares + delta.square() * (_count * weight / total));
            _count = total;
        }

        public FeatureMoments Result(long rows)
        {
            if (_count == 0)
                throw new InvalidOperationException("No training rows (or none of weight above 0) to measure the statistics of the inputs or the label on.");
            return new FeatureMoments(_mean.data<double>().ToArray(), (_squares / _count).sqrt().data<double>().ToArray(), rows);
        }
    }
}
