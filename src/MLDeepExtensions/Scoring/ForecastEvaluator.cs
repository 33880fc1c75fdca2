using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;

namespace MLDeepExtensions.Scoring;

/// <summary>Computes <see cref="ForecastingMetrics"/> from scored windows.</summary>
internal static class ForecastEvaluator
{
    /// <summary>The columns the evaluation reads.</summary>
    public readonly record struct Columns(string Label, string Features, string Forecast, string LowerBound, string UpperBound);

    public static ForecastingMetrics Evaluate(IDataView data, int period, IReadOnlyList<float>? trainingSeries, Columns names)
    {
        if (trainingSeries is not null && trainingSeries.Count <= period)
            throw new ArgumentException(FormattableString.Invariant($"The training series has {trainingSeries.Count} values; MASE's scale needs more than one period ({period})."), nameof(trainingSeries));
        var totals = Read(data, period, names, idColumn: null).Values.Single();
        return totals.Result(trainingSeries is null ? totals.OwnScale : MeanChange(trainingSeries, period));
    }

    /// <summary>
    /// Metrics per series of the id column (MASE scaled by each series' training values), and over all of them: the
    /// scaled errors averaged over series, the rest pooled.
    /// </summary>
    public static ForecastingMetrics EvaluateBySeries(IDataView data, int period, string idColumnName, IReadOnlyDictionary<string, IReadOnlyList<float>> trainingSeries, Columns names)
    {
        var id = data.Schema.GetColumnOrNull(idColumnName) is { Type: TextDataViewType } column
            ? column
            : throw new ArgumentOutOfRangeException(nameof(data), $"Could not find series id column '{idColumnName}' as Text; evaluate windows from CreateForecastingSplit with a SeriesIdColumnName.");
        var groups = Read(data, period, names, id);
        var perSeries = new Dictionary<string, ForecastingMetrics>();
        var all = new Totals(groups.Values.First().Horizon, groups.Values.First().Bounds);
        foreach (var (name, totals) in groups)
        {
            if (!trainingSeries.TryGetValue(name, out var training))
                throw new ArgumentException($"trainingSeries has no values for series '{name}'; give every evaluated series' training values (ForecastingSplit.TrainingSeriesById).", nameof(trainingSeries));
            if (training.Count <= period)
                throw new ArgumentException(FormattableString.Invariant($"Series '{name}' has {training.Count} training values; MASE's scale needs more than one period ({period})."), nameof(trainingSeries));
            perSeries[name] = totals.Result(MeanChange(training, period));
            all.Add(totals);
        }
        return all.Result(double.NaN, perSeries);
    }

    /// <summary>Reads and sums every scored window, by the id column's value (or all under "" without one).</summary>
    private static Dictionary<string, Totals> Read(IDataView data, int period, Columns names, DataViewSchema.Column? idColumn)
    {
        var label = Find(data, "label", names.Label);
        var features = Find(data, "feature", names.Features);
        var forecast = Find(data, "forecast", names.Forecast);
        var lower = data.Schema.GetColumnOrNull(names.LowerBound);
        var upper = data.Schema.GetColumnOrNull(names.UpperBound);
        if (lower.HasValue != upper.HasValue)
            throw new ArgumentOutOfRangeException(nameof(data), $"The data has {(lower.HasValue ? $"lower bound column '{names.LowerBound}' but no upper bound column '{names.UpperBound}'" : $"upper bound column '{names.UpperBound}' but no lower bound column '{names.LowerBound}'")}; give both names or neither.");
        int horizon = Width(label), lookback = Width(features);
        if (Width(forecast) != horizon || (lower is { } l && Width(l) != horizon) || (upper is { } u && Width(u) != horizon))
            throw new ArgumentOutOfRangeException(nameof(data), $"Forecast column '{names.Forecast}' (and the bounds) must have as many values as label column '{names.Label}' ({horizon}).");
        if (period > lookback)
            throw new ArgumentOutOfRangeException(nameof(period), FormattableString.Invariant($"The seasonal period ({period}) is longer than the windows in feature column '{names.Features}' ({lookback} values); the seasonal-naive forecast needs a full period of past values."));

        var columns = new List<DataViewSchema.Column> { label, features, forecast };
        bool bounds = lower is not null;
        if (lower is { } lowerColumn && upper is { } upperColumn)
            columns.AddRange([lowerColumn, upperColumn]);
        var read = columns.Select(c => new float[Width(c)]).ToArray();
        var groups = new Dictionary<string, Totals>();
        using (var cursor = data.GetRowCursor(idColumn is { } id ? columns.Append(id) : columns))
        {
            var getters = columns.Select(c => Getter(cursor, c)).ToArray();
            ValueGetter<ReadOnlyMemory<char>>? idGetter = idColumn is { } idc ? cursor.GetGetter<ReadOnlyMemory<char>>(idc) : null;
            var text = default(ReadOnlyMemory<char>);
            while (cursor.MoveNext())
            {
                for (int c = 0; c < getters.Length; c++)
                    getters[c](read[c]);
                idGetter?.Invoke(ref text);
                string key = idGetter is null ? "" : text.ToString();
                if (!groups.TryGetValue(key, out var totals))
                    groups[key] = totals = new Totals(horizon, bounds);
                totals.Add(read, period);
            }
        }
        if (groups.Count == 0)
            throw new ArgumentException("The data has no rows to evaluate; give scored windows.", nameof(data));
        return groups;
    }

    /// <summary>The sums of one series' (or all) scored windows.</summary>
    private sealed class Totals(int horizon, bool bounds)
    {
        public int Horizon => horizon;
        public bool Bounds => bounds;
        private double _absolute, _squared, _symmetric, _naive, _seasonal, _inside, _width, _ownScale;
        private readonly double[] _perStep = new double[horizon], _stepInside = new double[horizon], _stepWidth = new double[horizon];
        private int _windows;
        private bool _seasonalKnown;

        /// <summary>The mean absolute one-period change of the windows' own past values.</summary>
        public double OwnScale => _ownScale / _windows;

        /// <summary>One window: actual, past, forecast, then (with bounds) lower and upper.</summary>
        public void Add(float[][] read, int period)
        {
            float[] actual = read[0], past = read[1], predicted = read[2];
            int lookback = past.Length;
            for (int k = 0; k < horizon; k++)
            {
                double error = actual[k] - predicted[k];
                _absolute += Math.Abs(error);
                _perStep[k] += Math.Abs(error);
                _squared += error * error;
                double denominator = Math.Abs(actual[k]) + Math.Abs(predicted[k]);
                _symmetric += denominator == 0 ? 0 : 200 * Math.Abs(error) / denominator;
                _naive += Math.Abs(actual[k] - past[lookback - 1]);
                _seasonal += Math.Abs(actual[k] - past[lookback - period + k % period]);
                if (bounds)
                {
                    double within = actual[k] >= read[3][k] && actual[k] <= read[4][k] ? 1 : 0, wide = read[4][k] - read[3][k];
                    (_inside, _width) = (_inside + within, _width + wide);
                    (_stepInside[k], _stepWidth[k]) = (_stepInside[k] + within, _stepWidth[k] + wide);
                }
            }
            _ownScale += MeanChange(past, period);
            _seasonalKnown = period > 1;
            _windows++;
        }

        /// <summary>Adds another series' sums to these.</summary>
        public void Add(Totals other)
        {
            (_absolute, _squared, _symmetric, _naive, _seasonal) = (_absolute + other._absolute, _squared + other._squared, _symmetric + other._symmetric, _naive + other._naive, _seasonal + other._seasonal);
            (_inside, _width, _ownScale, _windows) = (_inside + other._inside, _width + other._width, _ownScale + other._ownScale, _windows + other._windows);
            _seasonalKnown = other._seasonalKnown;
            for (int k = 0; k < horizon; k++)
                (_perStep[k], _stepInside[k], _stepWidth[k]) = (_perStep[k] + other._perStep[k], _stepInside[k] + other._stepInside[k], _stepWidth[k] + other._stepWidth[k]);
        }

        /// <summary>The metrics; with <paramref name="perSeries"/>, the scaled errors are their means and <paramref name="scale"/> is unused.</summary>
        public ForecastingMetrics Result(double scale, Dictionary<string, ForecastingMetrics>? perSeries = null)
        {
            double count = (double)_windows * horizon;
            double Scaled(double sum, Func<ForecastingMetrics, double> own) => perSeries is null ? sum / count / scale : perSeries.Values.Average(own);
            return new ForecastingMetrics
            {
                Windows = _windows,
                Horizon = horizon,
                MeanAbsoluteError = _absolute / count,
                RootMeanSquaredError = Math.Sqrt(_squared / count),
                SymmetricMeanAbsolutePercentageError = _symmetric / count,
                MeanAbsoluteScaledError = Scaled(_absolute, m => m.MeanAbsoluteScaledError),
                PerStepMeanAbsoluteError = _perStep.Select(e => e / _windows).ToArray(),
                NaiveMeanAbsoluteError = _naive / count,
                NaiveMeanAbsoluteScaledError = Scaled(_naive, m => m.NaiveMeanAbsoluteScaledError),
                SeasonalNaiveMeanAbsoluteError = _seasonalKnown ? _seasonal / count : double.NaN,
                SeasonalNaiveMeanAbsoluteScaledError = _seasonalKnown ? Scaled(_seasonal, m => m.SeasonalNaiveMeanAbsoluteScaledError) : double.NaN,
                IntervalCoverage = bounds ? _inside / count : double.NaN,
                MeanIntervalWidth = bounds ? _width / count : double.NaN,
                PerStepIntervalCoverage = bounds ? _stepInside.Select(i => i / _windows).ToArray() : [],
                PerStepMeanIntervalWidth = bounds ? _stepWidth.Select(w => w / _windows).ToArray() : [],
                PerSeries = perSeries ?? [],
            };
        }
    }

    /// <summary>The mean absolute change over <paramref name="period"/> steps.</summary>
    private static double MeanChange(IReadOnlyList<float> values, int period)
    {
        double sum = 0;
        for (int t = period; t < values.Count; t++)
            sum += Math.Abs(values[t] - values[t - period]);
        return values.Count > period ? sum / (values.Count - period) : double.NaN;
    }

    private static DataViewSchema.Column Find(IDataView data, string role, string name)
        => data.Schema.GetColumnOrNull(name) is { } column && (column.Type == NumberDataViewType.Single || column.Type is VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType } v && v.ItemType == NumberDataViewType.Single)
            ? column
            : throw new ArgumentOutOfRangeException(nameof(data), $"Could not find {role} column '{name}' as a Single or a known-size Single vector; evaluate the forecaster's output on windows from CreateForecastingWindows.");

    private static int Width(DataViewSchema.Column column) => column.Type is VectorDataViewType vector ? vector.Size : 1;

    private static Action<float[]> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            return destination => { getter(ref buffer); SchemaChecks.CopyExact(buffer, destination, "evaluated", column.Name, cursor.Position); };
        }
        var single = cursor.GetGetter<float>(column);
        float value = 0;
        return destination => { single(ref value); destination[0] = value; };
    }
}
