using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions;

/// <summary>Data preparation for forecasting with sequence networks.</summary>
public static class ForecastingCatalog
{
    /// <summary>
    /// Turns one numeric series column (rows in time order) into sliding windows: each output row holds
    /// <paramref name="lookback"/> consecutive values as the feature vector (dimensions lookback × 1, ready for an
    /// <see cref="RnnArchitecture"/>) and the next <paramref name="horizon"/> values as the label (a Single when the
    /// horizon is 1, else a vector). A series of n values gives n − lookback − horizon + 1 windows.
    /// </summary>
    /// <param name="catalog">mlContext.Data.</param>
    /// <param name="data">The series, one value per row, oldest first.</param>
    /// <param name="seriesColumnName">A Single or Double column without missing values.</param>
    /// <param name="lookback">Past values per window, ≥ 1.</param>
    /// <param name="horizon">Future values to predict, ≥ 1. Default: 1.</param>
    /// <param name="featureColumnName">Name of the window column. Default: "Features".</param>
    /// <param name="labelColumnName">Name of the target column. Default: "Label".</param>
    public static IDataView CreateForecastingWindows(this DataOperationsCatalog catalog, IDataView data, string seriesColumnName,
        int lookback, int horizon = 1, string featureColumnName = DeepNetworkDefaults.FeatureColumnName, string labelColumnName = DeepNetworkDefaults.LabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var series = ReadSeries(data, seriesColumnName);
        int windows = series.Length - lookback - horizon + 1;
        if (windows < 1)
            throw new ArgumentException($"Series column '{seriesColumnName}' has {series.Length} values; a lookback of {lookback} and a horizon of {horizon} need at least {lookback + horizon}.", nameof(data));

        float[] Slice(int start, int length) => series.AsSpan(start, length).ToArray();
        if (horizon == 1)
        {
            var schema = SchemaDefinition.Create(typeof(Window));
            schema[nameof(Window.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, lookback, 1);
            schema[nameof(Window.Features)].ColumnName = featureColumnName;
            schema[nameof(Window.Label)].ColumnName = labelColumnName;
            var rows = Enumerable.Range(0, windows).Select(i => new Window { Features = Slice(i, lookback), Label = series[i + lookback] }).ToList();
            return catalog.LoadFromEnumerable(rows, schema);
        }
        else
        {
            var schema = SchemaDefinition.Create(typeof(MultiStepWindow));
            schema[nameof(MultiStepWindow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, lookback, 1);
            schema[nameof(MultiStepWindow.Features)].ColumnName = featureColumnName;
            schema[nameof(MultiStepWindow.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, horizon);
            schema[nameof(MultiStepWindow.Label)].ColumnName = labelColumnName;
            var rows = Enumerable.Range(0, windows).Select(i => new MultiStepWindow { Features = Slice(i, lookback), Label = Slice(i + lookback, horizon) }).ToList();
            return catalog.LoadFromEnumerable(rows, schema);
        }
    }

    private static float[] ReadSeries(IDataView data, string name)
    {
        var column = data.Schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(data), $"Could not find series column '{name}'.");
        var values = new List<float>();
        using var cursor = data.GetRowCursor(new[] { column });
        if (column.Type == NumberDataViewType.Single)
        {
            var getter = cursor.GetGetter<float>(column);
            float v = 0;
            while (cursor.MoveNext()) { getter(ref v); values.Add(v); }
        }
        else if (column.Type == NumberDataViewType.Double)
        {
            var getter = cursor.GetGetter<double>(column);
            double v = 0;
            while (cursor.MoveNext()) { getter(ref v); values.Add((float)v); }
        }
        else
            throw new ArgumentOutOfRangeException(nameof(data), $"Schema mismatch for series column '{name}': expected Single or Double, got {column.Type}.");
        int bad = values.FindIndex(v => !float.IsFinite(v));
        if (bad >= 0)
            throw new ArgumentException($"Series column '{name}' has a missing or infinite value at row {bad}; fill gaps first (e.g. interpolate) so the windows stay evenly spaced.", nameof(data));
        return values.ToArray();
    }

    private sealed class Window
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }

    private sealed class MultiStepWindow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float[] Label { get; set; } = Array.Empty<float>();
    }
}
