using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>What a small data set asks for, and so which trainers and which metric.</summary>
internal enum SmallTask
{
    /// <summary>A Boolean label; area under the ROC curve.</summary>
    Binary,

    /// <summary>A text label mapped to a key; micro (and macro) accuracy.</summary>
    Multiclass,

    /// <summary>A Single label; R².</summary>
    Regression,
}

/// <summary>
/// A small public data set (data/smalldata/README.md): its file under the program's folder, its task, the label column and,
/// for a binary task, the class that is <c>true</c>; columns named in <see cref="Categorical"/> are text, <see cref="Ignored"/>
/// are left out, every other column is a number. <see cref="HeldOut"/> sets were chosen before any measurement as ones
/// that the library's defaults must not be tuned on.
/// </summary>
internal sealed record SmallDataSet(string Name, string File, SmallTask Task, bool HeldOut)
{
    public string LabelColumn { get; init; } = "label";

    public string? PositiveClass { get; init; }

    public string[] Categorical { get; init; } = [];

    public string[] Ignored { get; init; } = [];

    /// <summary>What the label is, for the table.</summary>
    public string Target { get; init; } = "";

    /// <summary>
    /// Binary, multiclass, regression; in each, the sets tuned on first, then the held-out ones. The held-out choice
    /// (breast cancer, glass, Boston housing, servo) was written down before the section first ran.
    /// </summary>
    public static readonly SmallDataSet[] All =
    [
        new("Sonar, mines vs. rocks", "tabular/sonar.csv.gz", SmallTask.Binary, HeldOut: false) { PositiveClass = "M", Target = "mine" },
        new("Pima Indians diabetes", "tabular/pima.csv.gz", SmallTask.Binary, HeldOut: false) { PositiveClass = "pos", Target = "diabetes test positive" },
        new("Ionosphere radar returns", "smalldata/ionosphere.csv.gz", SmallTask.Binary, HeldOut: false) { PositiveClass = "bad", Target = "bad return" },
        new("Breast cancer Wisconsin (diagnostic)", "smalldata/breast-cancer.csv.gz", SmallTask.Binary, HeldOut: true) { PositiveClass = "malignant", Target = "malignant" },
        new("Statlog vehicle silhouettes", "tabular/vehicle.csv.gz", SmallTask.Multiclass, HeldOut: false) { Target = "vehicle type" },
        new("Wine recognition", "smalldata/wine.csv.gz", SmallTask.Multiclass, HeldOut: false) { Target = "cultivar" },
        new("Glass identification", "smalldata/glass.csv.gz", SmallTask.Multiclass, HeldOut: true) { Target = "glass type" },
        new("Diabetes progression", "smalldata/diabetes.csv.gz", SmallTask.Regression, HeldOut: false) { Target = "progression after a year" },
        new("Los Angeles ozone 1976", "smalldata/ozone.csv.gz", SmallTask.Regression, HeldOut: false) { Target = "daily maximum ozone" },
        new("Palmer penguins, body mass", "tabular/penguins.csv", SmallTask.Regression, HeldOut: false)
        {
            LabelColumn = "body_mass_g", Categorical = ["species", "island", "sex"], Ignored = ["year"], Target = "body mass (g)",
        },
        new("Boston housing", "smalldata/boston.csv.gz", SmallTask.Regression, HeldOut: true) { Target = "median home value (k$)" },
        new("Servo rise time", "smalldata/servo.csv.gz", SmallTask.Regression, HeldOut: true) { Categorical = ["motor", "screw"], Target = "rise time (s)" },
    ];
}

/// <summary>One row of a small data set as read: its numbers, its categories (as text) and its label (as text).</summary>
internal sealed record SmallDataRecord(float[] Numeric, string[] Categories, string Label);

/// <summary>A small data set read into memory, with the names of its numeric and categorical columns.</summary>
internal sealed record LoadedSmallData(SmallDataSet Set, string[] NumericColumns, string[] CategoricalColumns, SmallDataRecord[] Rows)
{
    /// <summary>The number of classes (classification) or 0.</summary>
    public int Classes => Set.Task == SmallTask.Regression ? 0 : Rows.Select(r => r.Label).Distinct().Count();

    /// <summary>"214 × 9, 6 classes", "167 × 2 + 2 categorical", for the table.</summary>
    public string Shape
    {
        get
        {
            string columns = CategoricalColumns.Length == 0 ? $"{NumericColumns.Length}" : $"{NumericColumns.Length} + {CategoricalColumns.Length} categorical";
            string labels = Set.Task switch
            {
                SmallTask.Binary => $"binary ({Set.Target})",
                SmallTask.Multiclass => $"{Classes} classes ({Set.Target})",
                _ => Set.Target,
            };
            return $"{Rows.Length} × {columns}; {labels}";
        }
    }

    /// <summary>
    /// Reads a CSV file (gzipped when its name ends in .gz) with a header. A row whose label or any numeric cell is
    /// <c>NA</c> is left out (the two penguins that were not measured); <c>NA</c> in a categorical column is a category.
    /// </summary>
    public static LoadedSmallData Load(SmallDataSet set)
    {
        string path = Path.Combine(AppContext.BaseDirectory, set.File);
        using var stream = File.OpenRead(path);
        using var reader = new StreamReader(path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream);
        string[] header = reader.ReadLine()!.Split(',');
        int label = Index(header, set.LabelColumn, set);
        int[] categorical = set.Categorical.Select(c => Index(header, c, set)).ToArray();
        int[] ignored = set.Ignored.Select(c => Index(header, c, set)).ToArray();
        int[] numeric = Enumerable.Range(0, header.Length).Where(i => i != label && !categorical.Contains(i) && !ignored.Contains(i)).ToArray();

        var rows = new List<SmallDataRecord>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            string[] cells = line.Split(',');
            if (cells.Length != header.Length)
                throw new InvalidDataException($"{set.File}: a row has {cells.Length} cells, the header {header.Length}.");
            if (cells[label] == "NA" || numeric.Any(i => cells[i] == "NA"))
                continue;
            rows.Add(new SmallDataRecord(numeric.Select(i => float.Parse(cells[i], CultureInfo.InvariantCulture)).ToArray(),
                categorical.Select(i => cells[i]).ToArray(), cells[label]));
        }
        if (set.Task == SmallTask.Binary && rows.All(r => r.Label != set.PositiveClass))
            throw new InvalidDataException($"{set.File}: no row has the positive class '{set.PositiveClass}'.");
        return new LoadedSmallData(set, numeric.Select(i => header[i]).ToArray(), set.Categorical, rows.ToArray());
    }

    private static int Index(string[] header, string column, SmallDataSet set)
    {
        int index = Array.IndexOf(header, column);
        return index >= 0 ? index : throw new InvalidDataException($"{set.File} has no column '{column}'.");
    }
}
