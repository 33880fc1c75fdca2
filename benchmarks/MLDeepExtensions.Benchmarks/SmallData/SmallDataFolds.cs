using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The cross-validation folds of a small data set (the same for every pipeline) and its rows as an <see cref="IDataView"/>
/// with the label typed as an ML.NET user would type it: Boolean for binary, text (for MapValueToKey) for multiclass,
/// Single for regression; the numbers as one vector column <see cref="NumericColumn"/>, each categorical column as text.
/// </summary>
internal static class SmallDataFolds
{
    public const string NumericColumn = "Numeric";

    /// <summary>Categorical columns a row can carry (<see cref="SmallDataRow{TLabel}"/> has this many text members).</summary>
    private const int MaxCategorical = 4;

    /// <summary>
    /// <paramref name="count"/> folds, each the test rows of one fit and the training rows of the others. Rows are shuffled
    /// with <paramref name="seed"/>; for classification each class is dealt out over the folds in turn (stratified, so that
    /// every training fold has every class), for regression all rows together.
    /// </summary>
    public static (int[] Train, int[] Test)[] Split(LoadedSmallData data, int count, int seed)
    {
        var random = new Random(seed);
        var groups = data.Set.Task == SmallTask.Regression
            ? [Enumerable.Range(0, data.Rows.Length).ToArray()]
            : data.Rows.Select((row, index) => (row.Label, index)).GroupBy(r => r.Label, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Select(r => r.index).ToArray()).ToArray();
        var fold = new int[data.Rows.Length];
        int next = 0;
        foreach (int[] group in groups)
        {
            random.Shuffle(group);
            foreach (int row in group)
                fold[row] = next++ % count;
        }
        return Enumerable.Range(0, count).Select(k =>
            (Enumerable.Range(0, fold.Length).Where(i => fold[i] != k).ToArray(), Enumerable.Range(0, fold.Length).Where(i => fold[i] == k).ToArray())).ToArray();
    }

    /// <summary>The mean and standard deviation of the regression label over <paramref name="rows"/>.</summary>
    public static (double Mean, double Scale) LabelMoments(LoadedSmallData data, int[] rows)
    {
        double[] y = rows.Select(i => Number(data.Rows[i].Label)).ToArray();
        double mean = y.Average();
        double scale = Math.Sqrt(y.Sum(v => (v - mean) * (v - mean)) / y.Length);
        return (mean, scale > 0 ? scale : 1);
    }

    /// <summary>
    /// The <paramref name="rows"/> of the set as a view. With <paramref name="labelScaling"/>, a regression label y becomes
    /// (y − mean) / scale.
    /// </summary>
    public static IDataView View(MLContext ml, LoadedSmallData data, IEnumerable<int> rows, (double Mean, double Scale)? labelScaling = null)
    {
        var records = rows.Select(i => data.Rows[i]);
        var (mean, scale) = labelScaling ?? (0, 1);
        return data.Set.Task switch
        {
            SmallTask.Binary => View(ml, data, records, label => label == data.Set.PositiveClass),
            SmallTask.Multiclass => View(ml, data, records, label => label),
            _ => View(ml, data, records, label => (float)((Number(label) - mean) / scale)),
        };
    }

    private static IDataView View<TLabel>(MLContext ml, LoadedSmallData data, IEnumerable<SmallDataRecord> records, Func<string, TLabel> label)
    {
        if (data.CategoricalColumns.Length > MaxCategorical)
            throw new NotSupportedException($"{data.Set.Name} has {data.CategoricalColumns.Length} categorical columns; a row carries at most {MaxCategorical}.");
        var schema = SchemaDefinition.Create(typeof(SmallDataRow<TLabel>));
        schema[nameof(SmallDataRow<TLabel>.Numeric)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.NumericColumns.Length);
        for (int i = 0; i < MaxCategorical; i++)
        {
            var column = schema[$"Category{i}"];
            if (i < data.CategoricalColumns.Length)
                column.ColumnName = data.CategoricalColumns[i];
            else
                schema.Remove(column);
        }
        var rows = records.Select(r => new SmallDataRow<TLabel>
        {
            Numeric = r.Numeric,
            Category0 = r.Categories.ElementAtOrDefault(0) ?? "",
            Category1 = r.Categories.ElementAtOrDefault(1) ?? "",
            Category2 = r.Categories.ElementAtOrDefault(2) ?? "",
            Category3 = r.Categories.ElementAtOrDefault(3) ?? "",
            Label = label(r.Label),
        }).ToArray();
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>A row as the view serves it; the schema names the category members after the set's columns and drops the unused ones.</summary>
    private sealed class SmallDataRow<TLabel>
    {
        public float[] Numeric { get; set; } = [];

        public string Category0 { get; set; } = "";

        public string Category1 { get; set; } = "";

        public string Category2 { get; set; } = "";

        public string Category3 { get; set; } = "";

        public TLabel Label { get; set; } = default!;
    }
}
