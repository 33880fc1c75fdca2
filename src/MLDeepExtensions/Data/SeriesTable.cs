using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLDeepExtensions.Data;

/// <summary>
/// One series of a long-format table as the windows read it: its id (null for a single series), its values in time order,
/// and its past-only and known-future covariates, each row's values in column order (<see cref="PastWidth"/> and
/// <see cref="FutureWidth"/> per time step).
/// </summary>
internal sealed record SeriesRows(string? Id, float[] Values, float[] Past, int PastWidth, float[] Future, int FutureWidth)
{
    public int Length => Values.Length;

}

/// <summary>
/// Reads a long-format table (one row per time step; many series one after another or interleaved, each in time order)
/// into <see cref="SeriesRows"/>, grouped by the series-id column in order of first appearance.
/// </summary>
internal static class SeriesTable
{
    public static IReadOnlyList<SeriesRows> Read(IDataView data, string seriesColumnName, string? idColumnName,
        IReadOnlyList<string> pastColumns, IReadOnlyList<string> futureColumns, string parameterName)
    {
        var valueColumn = data.Schema.GetColumnOrNull(seriesColumnName)
            ?? throw new ArgumentOutOfRangeException(parameterName, $"Could not find series column '{seriesColumnName}'.");
        var value = NumberReader(valueColumn, "series", parameterName, scalarOnly: true);
        var past = pastColumns.Select(name => FindCovariate(data, name, "past covariate", parameterName)).ToArray();
        var future = futureColumns.Select(name => FindCovariate(data, name, "future covariate", parameterName)).ToArray();
        int pastWidth = past.Sum(c => c.Width), futureWidth = future.Sum(c => c.Width);
        var idColumn = idColumnName is null ? (DataViewSchema.Column?)null
            : data.Schema.GetColumnOrNull(idColumnName) ?? throw new ArgumentOutOfRangeException(parameterName, $"Could not find series id column '{idColumnName}'.");

        var active = new[] { valueColumn }.Concat(past.Select(c => c.Column)).Concat(future.Select(c => c.Column));
        if (idColumn is { } id)
            active = active.Append(id);
        var groups = new Dictionary<string, Builder>();
        var order = new List<Builder>();
        using var cursor = data.GetRowCursor(active.Distinct());
        var readValue = value.Bind(cursor);
        var readPast = past.Select(c => c.Reader.Bind(cursor)).ToArray();
        var readFuture = future.Select(c => c.Reader.Bind(cursor)).ToArray();
        var readId = idColumn is { } idc ? IdReader(cursor, idc, parameterName) : null;
        var scratch = new float[Math.Max(1, Math.Max(pastWidth, futureWidth))];
        while (cursor.MoveNext())
        {
            string key = readId?.Invoke() ?? "";
            if (!groups.TryGetValue(key, out var series))
            {
                groups[key] = series = new Builder(readId is null ? null : key);
                order.Add(series);
            }
            readValue(scratch.AsSpan(0, 1));
            series.Values.Add(scratch[0]);
            Append(readPast, past, scratch, series.Past);
            Append(readFuture, future, scratch, series.Future);
        }
        if (order.Count == 0 && readId is null)
            order.Add(new Builder(null));
        if (order.Count == 0)
            throw new ArgumentException($"The data has no rows; series column '{seriesColumnName}' needs values.", parameterName);
        var result = order.Select(b => new SeriesRows(b.Id, b.Values.ToArray(), b.Past.ToArray(), pastWidth, b.Future.ToArray(), futureWidth)).ToArray();
        foreach (var series in result)
        {
            Check(series, "Series", seriesColumnName, series.Values, 1, parameterName);
            CheckCovariates(series, past, series.Past, pastWidth, parameterName);
            CheckCovariates(series, future, series.Future, futureWidth, parameterName);
        }
        return result;
    }

    private static void Append(Action<Span<float>>[] readers, Covariate[] columns, float[] scratch, List<float> destination)
    {
        for (int c = 0; c < readers.Length; c++)
        {
            var span = scratch.AsSpan(0, columns[c].Width);
            readers[c](span);
            foreach (float v in span)
                destination.Add(v);
        }
    }

    private static void CheckCovariates(SeriesRows series, Covariate[] columns, float[] values, int width, string parameterName)
    {
        int offset = 0;
        foreach (var column in columns)
        {
            var own = new float[series.Length * column.Width];
            for (int t = 0; t < series.Length; t++)
                Array.Copy(values, t * width + offset, own, t * column.Width, column.Width);
            Check(series, "Covariate", column.Column.Name, own, column.Width, parameterName);
            offset += column.Width;
        }
    }

    /// <summary>An exception listing the time steps (positions in the series) where a column has missing or infinite values.</summary>
    private static void Check(SeriesRows series, string role, string column, float[] values, int width, string parameterName)
    {
        var gaps = SeriesGaps.Find(values, 0).Select(i => i / width).Distinct().ToArray();
        if (gaps.Length > 0)
            throw new ArgumentException($"{role} column '{column}' {(series.Id is null ? "" : $"of series '{series.Id}' ")}has missing or infinite values at {SeriesGaps.Describe(gaps)}; " +
                "fill the gaps first (e.g. interpolate, or repeat the previous value) so the windows stay evenly spaced.", parameterName);
    }

    private sealed class Builder(string? id)
    {
        public string? Id { get; } = id;
        public List<float> Values { get; } = [];
        public List<float> Past { get; } = [];
        public List<float> Future { get; } = [];
    }

    private sealed record Covariate(DataViewSchema.Column Column, int Width, ValueReader Reader);

    private static Covariate FindCovariate(IDataView data, string name, string role, string parameterName)
    {
        var column = data.Schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(parameterName, $"Could not find {role} column '{name}'.");
        var reader = NumberReader(column, role, parameterName, scalarOnly: false);
        return new Covariate(column, reader.Width, reader);
    }

    /// <summary>Reads a Single or Double value, or a known-size Single vector, into a span of its width.</summary>
    private sealed class ValueReader(DataViewSchema.Column column, int width)
    {
        public int Width { get; } = width;

        public Action<Span<float>> Bind(DataViewRowCursor cursor)
        {
            if (column.Type == NumberDataViewType.Single)
            {
                var getter = cursor.GetGetter<float>(column);
                float v = 0;
                return destination => { getter(ref v); destination[0] = v; };
            }
            if (column.Type == NumberDataViewType.Double)
            {
                var getter = cursor.GetGetter<double>(column);
                double v = 0;
                return destination => { getter(ref v); destination[0] = (float)v; };
            }
            var vector = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            return destination => { vector(ref buffer); SchemaChecks.CopyExact(buffer, destination, "covariate", column.Name, cursor.Position); };
        }
    }

    private static ValueReader NumberReader(DataViewSchema.Column column, string role, string parameterName, bool scalarOnly)
    {
        if (column.Type == NumberDataViewType.Single || column.Type == NumberDataViewType.Double)
            return new ValueReader(column, 1);
        if (!scalarOnly && column.Type is VectorDataViewType { IsKnownSize: true } v && v.ItemType == NumberDataViewType.Single)
            return new ValueReader(column, v.Size);
        throw new ArgumentOutOfRangeException(parameterName,
            $"Schema mismatch for {role} column '{column.Name}': expected Single or Double{(scalarOnly ? "" : " or a known-size vector of Single")}, got {column.Type}.");
    }

    /// <summary>A reader of the series id as text: a text column, or a key column whose key values are text.</summary>
    private static Func<string> IdReader(DataViewRowCursor cursor, DataViewSchema.Column column, string parameterName)
    {
        if (column.Type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            var text = default(ReadOnlyMemory<char>);
            return () => { getter(ref text); return text.ToString(); };
        }
        if (column.Type is KeyDataViewType { RawType: var raw } && raw == typeof(uint)
            && column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            column.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref names);
            var values = names.DenseValues().Select(n => n.ToString()).ToArray();
            var getter = cursor.GetGetter<uint>(column);
            uint key = 0;
            return () =>
            {
                getter(ref key);
                return key == 0 || key > values.Length
                    ? throw new ArgumentException($"Series id column '{column.Name}' has a missing key at row {cursor.Position}; every row needs its series.", parameterName)
                    : values[key - 1];
            };
        }
        throw new ArgumentOutOfRangeException(parameterName,
            $"Schema mismatch for series id column '{column.Name}': expected Text (or a Key with text key values), got {column.Type}. Convert numeric ids with mlContext.Transforms.Conversion.ConvertType(…, DataKind.String).");
    }
}
