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
        if (lower is { } lowerColumn && upper is { } upperColumn)
            columns.AddRange([lowerColumn, upperColumn]);
        var read = columns.Select(c => new float[Width(c)]).ToArray();
        double absolute = 0, squared = 0, symmetric = 0, naive = 0, seasonal = 0, inside = 0, width = 0, ownScale = 0;
        double[] perStep = new double[horizon], stepInside = new double[horizon], stepWidth = new double[horizon];
        int windows = 0;
        using (var cursor = data.GetRowCursor(columns))
        {
            var getters = columns.Select(c => Getter(cursor, c)).ToArray();
            while (cursor.MoveNext())
            {
                for (int c = 0; c < getters.Length; c++)
                    getters[c](read[c]);
                float[] actual = read[0], past = read[1], predicted = read[2];
                for (int k = 0; k < horizon; k++)
                {
                    double error = actual[k] - predicted[k];
                    absolute += Math.Abs(error);
                    perStep[k] += Math.Abs(error);
                    squared += error * error;
                    double denominator = Math.Abs(actual[k]) + Math.Abs(predicted[k]);
                    symmetric += denominator == 0 ? 0 : 200 * Math.Abs(error) / denominator;
                    naive += Math.Abs(actual[k] - past[lookback - 1]);
                    seasonal += Math.Abs(actual[k] - past[lookback - period + k % period]);
                    if (read.Length > 3)
                    {
                        double within = actual[k] >= read[3][k] && actual[k] <= read[4][k] ? 1 : 0, wide = read[4][k] - read[3][k];
                        (inside, width) = (inside + within, width + wide);
                        (stepInside[k], stepWidth[k]) = (stepInside[k] + within, stepWidth[k] + wide);
                    }
                }
                ownScale += MeanChange(past, period);
                windows++;
            }
        }
        if (windows == 0)
            throw new ArgumentException("The data has no rows to evaluate; give scored windows.", nameof(data));
        double count = (double)windows * horizon;
        double scale = trainingSeries is null ? ownScale / windows : MeanChange(trainingSeries, period);
        if (trainingSeries is not null && trainingSeries.Count <= period)
            throw new ArgumentException(FormattableString.Invariant($"The training series has {trainingSeries.Count} values; MASE's scale needs more than one period ({period})."), nameof(trainingSeries));
        bool seasonalKnown = period > 1;
        return new ForecastingMetrics
        {
            Windows = windows,
            Horizon = horizon,
            MeanAbsoluteError = absolute / count,
            RootMeanSquaredError = Math.Sqrt(squared / count),
            SymmetricMeanAbsolutePercentageError = symmetric / count,
            MeanAbsoluteScaledError = absolute / count / scale,
            PerStepMeanAbsoluteError = perStep.Select(e => e / windows).ToArray(),
            NaiveMeanAbsoluteError = naive / count,
            NaiveMeanAbsoluteScaledError = naive / count / scale,
            SeasonalNaiveMeanAbsoluteError = seasonalKnown ? seasonal / count : double.NaN,
            SeasonalNaiveMeanAbsoluteScaledError = seasonalKnown ? seasonal / count / scale : double.NaN,
            IntervalCoverage = read.Length > 3 ? inside / count : double.NaN,
            MeanIntervalWidth = read.Length > 3 ? width / count : double.NaN,
            PerStepIntervalCoverage = read.Length > 3 ? stepInside.Select(i => i / windows).ToArray() : [],
            PerStepMeanIntervalWidth = read.Length > 3 ? stepWidth.Select(w => w / windows).ToArray() : [],
        };
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
