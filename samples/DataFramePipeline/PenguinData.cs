using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.Data.Analysis;

namespace MLDeepExtensions.Samples;

/// <summary>Loads the Palmer penguins CSV into a DataFrame and cleans it: missing values, derived columns, filters.</summary>
public static class PenguinData
{
    /// <summary>The four measurement columns; R wrote their missing values as "NA".</summary>
    public static readonly string[] Measurements = { "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g" };

    /// <summary>Reads Data/penguins.csv (copied next to the program) with the column types DataFrame guesses.</summary>
    public static DataFrame Load()
        => DataFrame.LoadCsv(Path.Combine(AppContext.BaseDirectory, "Data", "penguins.csv"));

    /// <summary>
    /// Turns the CSV's "NA" texts into real nulls, drops the rows without measurements, fills the missing sex with
    /// "unknown" and adds two derived columns: bill_ratio (length / depth) and body_mass_kg (the label).
    /// </summary>
    public static DataFrame Clean(DataFrame raw, TextWriter log)
    {
        // LoadCsv treats only empty fields as missing; columns that contain "NA" come back as text.
        var frame = raw.Clone();
        foreach (string name in Measurements)
            frame[name] = ParseNumbers((StringDataFrameColumn)frame[name]);
        var sex = (StringDataFrameColumn)frame["sex"];
        sex.Apply(value => value == "NA" ? null! : value, inPlace: true);
        log.WriteLine("Missing values per column: " + string.Join(", ", frame.Columns.Select(c => $"{c.Name} {c.NullCount}")));

        // Two birds were never measured: drop them. The sex of nine others was not determined: keep them as "unknown".
        frame = frame.Filter(frame["body_mass_g"].ElementwiseIsNotNull());
        frame["sex"].FillNulls("unknown", inPlace: true);
        log.WriteLine($"After dropping unmeasured birds and filling sex: {frame.Rows.Count} rows, {frame.Columns.Sum(c => c.NullCount)} missing values.");

        var ratio = frame["bill_length_mm"] / frame["bill_depth_mm"];
        ratio.SetName("bill_ratio");
        var kilograms = frame["body_mass_g"] / 1000f;
        kilograms.SetName("body_mass_kg");
        frame.Columns.Add(ratio);
        frame.Columns.Add(kilograms);
        return frame;
    }

    /// <summary>Splits by study year: 2007 and 2008 to train on, 2009 (a season the model never saw) to test on.</summary>
    public static (DataFrame Train, DataFrame Test) SplitByYear(DataFrame frame, int testYear = 2009)
        => (frame.Filter(frame["year"].ElementwiseLessThan(testYear)), frame.Filter(frame["year"].ElementwiseEquals(testYear)));

    /// <summary>A seeded random sample of <paramref name="count"/> rows (DataFrame.Sample takes no seed).</summary>
    public static DataFrame Sample(DataFrame frame, int count, int seed)
    {
        var rows = Enumerable.Range(0, (int)frame.Rows.Count).ToArray();
        new Random(seed).Shuffle(rows);
        return frame.Filter(new Int32DataFrameColumn("row", rows.Take(count).Order()));
    }

    private static SingleDataFrameColumn ParseNumbers(StringDataFrameColumn text)
        => new(text.Name, text.Select(value => value is null or "NA" ? (float?)null : float.Parse(value, CultureInfo.InvariantCulture)));
}
