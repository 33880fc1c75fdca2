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
    private readonly List<float>[] _scores = NewScores(horizon);

    /// <summary>Each series key's own scores, when the windows are scored by series.</summary>
    private readonly SortedDictionary<int, List<float>[]> _byKey = [];

    /// <summary>Windows scored (with a non-zero spread).</summary>
    public int Windows => _scores[0].Count;

    private static List<float>[] NewScores(int horizon) => Enumerable.Range(0, horizon).Select(_ => new List<float>()).ToArray();

    /// <summary>
    /// Adds a batch: the forecasting module's output [rows, horizon × quantiles + horizon + 1], the batch's labels and,
    /// to calibrate by series, each row's series key (else null).
    /// </summary>
    public void Add(Tensor output, Tensor labels, Tensor? keys = null)
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
        var rowKeys = keys?.cpu().to(ScalarType.Int64).contiguous().data<long>().ToArray();
        for (int row = 0; row < rows; row++)
        {
            if (spreads[row] == 0)
                continue;
            List<float>[]? own = null;
            if (rowKeys is not null && !_byKey.TryGetValue((int)rowKeys[row], out own))
                _byKey[(int)rowKeys[row]] = own = NewScores(horizon);
            for (int step = 0; step < horizon; step++)
            {
                _scores[step].Add(values[row * horizon + step]);
                own?[step].Add(values[row * horizon + step]);
            }
        }
    }

    /// <summary>
    /// The offsets by series: row 0 those of all windows together (<see cref="Offsets"/>), row k those of key k's own
    /// windows, or row 0's where key k has too few windows for the rank (or none); also how many keys got their own.
    /// </summary>
    /// <param name="coverage">The interval's nominal coverage.</param>
    /// <param name="keyCount">The series key's keys (rows 1 to keyCount).</param>
    public (float[] Offsets, int OwnRows) OffsetsBySeries(double coverage, int keyCount)
    {
        var pooled = Offsets(coverage);
        var all = new float[(keyCount + 1) * horizon];
        int own = 0, minimum = MinimumWindows(coverage);
        for (int key = 0; key <= keyCount; key++)
        {
            var scores = key > 0 && _byKey.TryGetValue(key, out var mine) && mine[0].Count >= minimum ? mine : null;
            own += scores is null ? 0 : 1;
            for (int step = 0; step < horizon; step++)
                all[key * horizon + step] = scores is null ? pooled[step] : Offset(scores[step], coverage);
        }
        return (all, own);
    }

    /// <summary>Each step's offset for an interval of nominal <paramref name="coverage"/> (e.g. 0.8); the largest score where there are too few windows for the rank.</summary>
    public float[] Offsets(double coverage) => _scores.Select(scores => Offset(scores, coverage)).ToArray();

    /// <summary>The rank ⌈(n + 1)·coverage⌉ of the offset among n scores (1-based), which may exceed n.</summary>
    public static int Rank(int n, double coverage) => (int)Math.Ceiling(Math.Round((n + 1) * coverage, 6));

    /// <summary>The fewest windows whose rank ⌈(n + 1)·coverage⌉ does not exceed n (from there on, no n has too few).</summary>
    public static int MinimumWindows(double coverage)
    {
        int n = 1;
        while (Rank(n, coverage) > n)
            n++;
        return n;
    }

    private static float Offset(List<float> scores, double coverage)
    {
        var sorted = scores.Where(float.IsFinite).OrderBy(s => s).ToArray();
        if (sorted.Length == 0)
            return 0f;
        return sorted[Math.Min(Rank(sorted.Length, coverage), sorted.Length) - 1];
    }
}
