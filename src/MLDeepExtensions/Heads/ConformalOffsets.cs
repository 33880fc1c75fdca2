using System;
using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// Split-conformal offsets of a forecaster's interval (conformalized quantile regression, Romano et al. 2019): on held-out
/// windows, each step's conformity scores E = max(lower − y, y − upper), divided by the window's spread, and per step
/// the ⌈(n + 1)·coverage⌉-th smallest of its n scores. Moving both bounds out by that offset (times a window's spread)
/// makes the interval hold at least the nominal share of new windows' values, when they behave like the held-out ones.
/// </summary>
/// <remarks>
/// The scores are in each window's own scale (the spread <see cref="ForecastModule"/> divides it by) because that is the
/// scale the network and its pinball loss work in: a window twice as volatile gets a twice as wide correction, so one
/// offset transfers across the levels and volatilities of a series (and across series), as the quantiles themselves do.
/// Constant windows (spread 0) are forecast exactly and left out. For a <see cref="SeriesScaling.Log"/> network the
/// scores are in the scaled log space (the targets' logarithms), where the head applies the offsets before it takes exponentials.
/// </remarks>
internal sealed class ConformalOffsets(LabelSource label, int horizon, bool logValues = false)
{
    private readonly List<float>[] _scores = Enumerable.Range(0, horizon).Select(_ => new List<float>()).ToArray();

    /// <summary>Windows scored (with a non-zero spread).</summary>
    public int Windows => _scores[0].Count;

    /// <summary>Adds a batch: the forecasting module's output [rows, horizon × quantiles + horizon + 1] and the batch's labels.</summary>
    public void Add(Tensor output, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (scaled, baseline, spread) = ForecastModule.Split(output, horizon);
        int rows = (int)output.shape[0];
        var targets = label.Split(labels).Targets.reshape(rows, horizon);
        // In the window's scale, like the network's outputs; the quantiles sorted as the scorer sorts them.
        var truth = (ForecastLoss.ModelSpace(targets, logValues) - baseline) / spread.masked_fill(spread.eq(0), 1f);
        var sorted = scaled.sort(1).Values;
        var scores = maximum(sorted.select(1, 0) - truth, truth - sorted.select(1, sorted.shape[1] - 1));
        var values = scores.cpu().contiguous().data<float>().ToArray();
        var spreads = spread.cpu().contiguous().data<float>().ToArray();
        for (int row = 0; row < rows; row++)
        {
            if (spreads[row] == 0)
                continue;
            for (int step = 0; step < horizon; step++)
                _scores[step].Add(values[row * horizon + step]);
        }
    }

    /// <summary>Each step's offset for an interval of nominal <paramref name="coverage"/> (e.g. 0.8); the largest score where there are too few windows for the rank.</summary>
    public float[] Offsets(double coverage) => _scores.Select(scores => Offset(scores, coverage)).ToArray();

    /// <summary>The rank ⌈(n + 1)·coverage⌉ of the offset among n scores (1-based), which may exceed n.</summary>
    public static int Rank(int n, double coverage) => (int)Math.Ceiling(Math.Round((n + 1) * coverage, 6));

    private static float Offset(List<float> scores, double coverage)
    {
        var sorted = scores.Where(float.IsFinite).OrderBy(s => s).ToArray();
        if (sorted.Length == 0)
            return 0f;
        return sorted[Math.Min(Rank(sorted.Length, coverage), sorted.Length) - 1];
    }
}
