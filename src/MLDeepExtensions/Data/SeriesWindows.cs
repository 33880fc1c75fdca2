using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Data;

/// <summary>Cuts series (read by <see cref="SeriesTable"/>) into forecasting windows (features, label, index, series id, covariates).</summary>
internal static class SeriesWindows
{
    /// <summary>An exception when <paramref name="count"/> values cannot make one window.</summary>
    public static void CheckLength(string name, int count, int lookback, int horizon, string parameterName, string what = "Series column")
    {
        if (count < lookback + horizon)
            throw new ArgumentException(FormattableString.Invariant($"{what} '{name}' has {count} values; a lookback of {lookback} and a horizon of {horizon} need at least {lookback + horizon} (lookback + horizon)."), parameterName);
    }

    /// <summary>
    /// The windows of every series (never across two), in series order: for each, those whose first forecast step lies in
    /// the range <paramref name="targets"/> gives, with the series id and the covariates of the window's steps when the
    /// names ask for them (past covariates over the lookback, known-future ones over the lookback and the horizon).
    /// </summary>
    public static IDataView Create(DataOperationsCatalog catalog, IReadOnlyList<SeriesRows> series, int lookback, int horizon,
        Func<SeriesRows, (int First, int Last)> targets, ColumnNames names)
    {
        var rows = series.SelectMany(s =>
        {
            var (first, last) = targets(s);
            return Enumerable.Range(first, Math.Max(0, last - first + 1)).Select(target => new Window
            {
                Features = s.Values.AsSpan(target - lookback, lookback).ToArray(),
                Label = s.Values.AsSpan(target, horizon).ToArray(),
                Index = target,
                SeriesId = s.Id ?? "",
                PastCovariates = s.Past.AsSpan((target - lookback) * s.PastWidth, lookback * s.PastWidth).ToArray(),
                FutureCovariates = s.Future.AsSpan((target - lookback) * s.FutureWidth, (lookback + horizon) * s.FutureWidth).ToArray(),
            });
        });
        int pastWidth = series[0].PastWidth, futureWidth = series[0].FutureWidth;
        if (horizon == 1)
        {
            // One step: a Single label, as a regression trainer expects.
            var single = rows.Select(w => new SingleStepWindow
            {
                Features = w.Features, Label = w.Label[0], Index = w.Index, SeriesId = w.SeriesId, PastCovariates = w.PastCovariates, FutureCovariates = w.FutureCovariates,
            });
            return catalog.LoadFromEnumerable(single.ToList(), Definition(typeof(SingleStepWindow), lookback, horizon, pastWidth, futureWidth, names));
        }
        return catalog.LoadFromEnumerable(rows.ToList(), Definition(typeof(Window), lookback, horizon, pastWidth, futureWidth, names));
    }

    private static SchemaDefinition Definition(Type rowType, int lookback, int horizon, int pastWidth, int futureWidth, ColumnNames names)
    {
        var schema = SchemaDefinition.Create(rowType);
        schema[nameof(Window.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, lookback, 1);
        schema[nameof(Window.Features)].ColumnName = names.Features;
        if (horizon > 1)
            schema[nameof(Window.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, horizon);
        schema[nameof(Window.Label)].ColumnName = names.Label;
        Name(schema, nameof(Window.Index), names.Index);
        Name(schema, nameof(Window.SeriesId), names.SeriesId);
        Name(schema, nameof(Window.PastCovariates), pastWidth > 0 ? names.PastCovariates : null,
            new VectorDataViewType(NumberDataViewType.Single, lookback, Math.Max(1, pastWidth)));
        Name(schema, nameof(Window.FutureCovariates), futureWidth > 0 ? names.FutureCovariates : null,
            new VectorDataViewType(NumberDataViewType.Single, lookback + horizon, Math.Max(1, futureWidth)));
        return schema;
    }

    /// <summary>Names a column of the schema, or removes it when <paramref name="name"/> is null.</summary>
    private static void Name(SchemaDefinition schema, string member, string? name, DataViewType? type = null)
    {
        if (name is null)
        {
            schema.Remove(schema[member]);
            return;
        }
        schema[member].ColumnName = name;
        if (type is not null)
            schema[member].ColumnType = type;
    }

    /// <summary>The window columns' names; a null name drops that column (index, series id, covariates).</summary>
    public readonly record struct ColumnNames(string Features, string Label, string? Index, string? SeriesId = null, string? PastCovariates = null, string? FutureCovariates = null);

    private sealed class Window
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float[] Label { get; set; } = Array.Empty<float>();

        public int Index { get; set; }

        public string SeriesId { get; set; } = "";

        public float[] PastCovariates { get; set; } = Array.Empty<float>();

        public float[] FutureCovariates { get; set; } = Array.Empty<float>();
    }

    private sealed class SingleStepWindow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }

        public int Index { get; set; }

        public string SeriesId { get; set; } = "";

        public float[] PastCovariates { get; set; } = Array.Empty<float>();

        public float[] FutureCovariates { get; set; } = Array.Empty<float>();
    }
}

/// <summary>Words for the positions of gaps in a series.</summary>
internal static class SeriesGaps
{
    /// <summary>The positions from <paramref name="start"/> on whose values are missing (NaN) or infinite.</summary>
    public static int[] Find(IReadOnlyList<float> values, int start)
        => Enumerable.Range(start, values.Count - start).Where(i => !float.IsFinite(values[i])).ToArray();

    /// <summary>E.g. "positions 3, 4, 17 (0-based)" or "positions 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 40 more (0-based)".</summary>
    public static string Describe(IReadOnlyList<int> positions)
    {
        const int shown = 10;
        string list = string.Join(", ", positions.Take(shown));
        return (positions.Count == 1 ? "position " : "positions ") + list + (positions.Count > shown ? $" and {positions.Count - shown} more" : "") + " (0-based)";
    }
}
