using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>tabular</c> section (benchmarks/RESULTS-tabular.md): our documented tabular recipe (<see cref="Recipe"/>)
/// against ML.NET's LightGBM with its defaults, on three public data sets of different shapes chosen before any tuning
/// and tuned on, then two more that the tuning never saw (data/tabular/README.md): test accuracy and fit time on the
/// data set's own train/test split, or 5-fold cross-validation where the set is too small for one split to say much.
/// </summary>
internal static class TabularSection
{
    /// <summary>
    /// A data set: its file, its rows' split (training rows first; 0 = 5-fold cross-validation), what it is, and whether
    /// the recipe was tuned on it.
    /// </summary>
    internal sealed record TabularSet(string Name, string File, int TrainingRows, string Shape, bool TunedOn);

    internal static readonly TabularSet[] Sets =
    [
        new("Letter recognition", "letter.csv.gz", 16_000, "20,000 × 16, 26 classes; the set's split: first 16,000 / last 4,000", TunedOn: true),
        new("Statlog Landsat satellite", "satellite.csv.gz", 4_435, "6,435 × 36, 6 classes; the set's split: first 4,435 / last 2,000", TunedOn: true),
        new("Pima Indians diabetes", "pima.csv.gz", 0, "768 × 8, 2 classes; 5-fold cross-validation", TunedOn: true),
        new("Statlog vehicle silhouettes", "vehicle.csv.gz", 0, "846 × 18, 4 classes; 5-fold cross-validation", TunedOn: false),
        new("Sonar, mines vs. rocks", "sonar.csv.gz", 0, "208 × 60, 2 classes; 5-fold cross-validation", TunedOn: false),
    ];

    /// <summary>
    /// The tabular default the README documents: an MLP 256-128 with batch normalization over the raw features (which it
    /// standardizes itself), AdamW at 0.01 with a cosine schedule, batches of 1,024, 30 epochs. Large batches with batch
    /// normalization and a high learning rate take few optimizer steps, where the time goes on small rows.
    /// </summary>
    public static DeepNetworkOptions Recipe() => new()
    {
        Architecture = new MlpArchitecture(256, 128) { BatchNormalization = true },
        Optimizer = OptimizerSettings.AdamW(learningRate: 1e-2) with { Schedule = LearningRateSchedule.Cosine() },
        Epochs = 30,
        BatchSize = 1024,
        Seed = 1,
    };

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        var table = new MarkdownTable("Data set", "Shape", "Tuned on", "MLP recipe: accuracy / fit", "LightGBM defaults: accuracy / fit", "Accuracy difference (points)", "Fit time ratio MLP / LightGBM");
        foreach (var set in Sets)
        {
            report.Section($"Tabular: {set.Name} ({set.Shape})");
            var (rows, width) = Load(set.File);
            var (mlp, mlpSeconds) = Median(options.Repeats, () => Measure(ml, set, rows, width, ml.Transforms.DeepNetwork(Recipe())));
            report.Add("DeepNetwork, tabular recipe", $"accuracy {mlp:F4}, fit {mlpSeconds:F1} s");
            var (gbm, gbmSeconds) = Median(options.Repeats, () => Measure(ml, set, rows, width, ml.MulticlassClassification.Trainers.LightGbm()));
            report.Add("LightGBM (ML.NET, defaults)", $"accuracy {gbm:F4}, fit {gbmSeconds:F1} s");
            table.Row(set.Name, set.Shape, set.TunedOn ? "yes" : "no (checked after tuning)", $"{mlp:F4} / {mlpSeconds:F1} s", $"{gbm:F4} / {gbmSeconds:F1} s",
                $"{100 * (mlp - gbm):+0.00;-0.00}", $"{mlpSeconds / gbmSeconds:F2}");
        }
        report.Results.AddTable("Tabular data: the MLP recipe against LightGBM",
            "MapValueToKey(\"Label\") → the trainer, on the raw numeric features (the MLP standardizes them itself). The recipe: " +
            "`new MlpArchitecture(256, 128) { BatchNormalization = true }`, AdamW 0.01 with a cosine schedule, 30 epochs, batches of 1,024. LightGBM: " +
            $"`ml.MulticlassClassification.Trainers.LightGbm()` with its defaults. Fit times (the median of {options.Repeats} fits; both are seeded, so " +
            "every fit gives the same accuracy) include reading the data; both use both cores. " +
            "Goal: the MLP within 0.5 points of LightGBM's accuracy in no more than its fit time.", table);
        Categorical(ml, options, report);
    }

    /// <summary>
    /// Categorical columns: the Palmer penguins' body mass from three measurements and species, island and sex, by
    /// 5-fold cross-validation: the recipe with the categories as embeddings, the recipe on one-hot codes, LightGBM
    /// on one-hot codes.
    /// </summary>
    private static void Categorical(MLContext ml, BenchmarkOptions options, Report report)
    {
        report.Section("Tabular: Palmer penguins, body mass (342 × 3 measurements + 3 categorical columns; 5-fold cross-validation)");
        string[] numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm"], categories = ["species", "island", "sex"];
        var data = ml.Data.LoadFromEnumerable(Penguins());
        var keys = ml.Transforms.Conversion.MapValueToKey(categories.Select(c => new InputOutputColumnPair(c + "_key", c)).ToArray());
        var oneHot = ml.Transforms.Categorical.OneHotEncoding(categories.Select(c => new InputOutputColumnPair(c + "_code", c)).ToArray())
            .Append(ml.Transforms.Concatenate("Features", [.. numeric, .. categories.Select(c => c + "_code")]));
        var recipe = Recipe() with { LabelColumnName = "Label" };
        var table = new MarkdownTable("Pipeline", "R² (mean of 5 folds)", "Fit (per fold)");
        foreach (var (name, pipeline) in new (string, IEstimator<ITransformer>)[]
        {
            ("recipe, categories as embeddings", ml.Transforms.Concatenate("Features", numeric).Append(keys)
                .Append(ml.Regression.Trainers.DeepNetwork(recipe with { CategoricalColumns = categories.Select(c => new CategoricalColumn(c + "_key")).ToArray() }))),
            ("recipe, categories one-hot", oneHot.Append(ml.Regression.Trainers.DeepNetwork(recipe))),
            ("LightGBM (defaults), categories one-hot", oneHot.Append(ml.Regression.Trainers.LightGbm())),
        })
        {
            var (r2, seconds) = Median(options.Repeats, () =>
            {
                Timing.Settle();
                long clock = Stopwatch.GetTimestamp();
                var folds = ml.Regression.CrossValidate(data, pipeline, numberOfFolds: 5, seed: 1);
                double perFold = Stopwatch.GetElapsedTime(clock).TotalSeconds / folds.Count;
                foreach (var fold in folds)
                    (fold.Model as IDisposable)?.Dispose();
                return (folds.Average(f => f.Metrics.RSquared), perFold);
            });
            report.Add(name, $"R² {r2:F3}, fit {seconds:F2} s per fold");
            table.Row(name, $"{r2:F3}", $"{seconds:F2} s");
        }
        report.Results.AddTable("Categorical columns: embeddings, one-hot codes, LightGBM",
            "The Palmer penguins (samples/DataFramePipeline/Data, CC0): body mass in kg from bill length, bill depth and flipper length " +
            "and the categorical species, island and sex (`NA` kept as a category), 342 measured birds, 5-fold cross-validation (seed 1). " +
            "The recipe is the one above, as a regression.", table);
    }

    /// <summary>The penguins with all three measurements and a body mass; sex as read, `NA` included.</summary>
    private static PenguinRow[] Penguins()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "tabular", "penguins.csv");
        return File.ReadLines(path).Skip(1).Select(line => line.Split(','))
            .Where(cells => cells[2] != "NA" && cells[5] != "NA")
            .Select(cells => new PenguinRow
            {
                species = cells[0], island = cells[1], sex = cells[6],
                bill_length_mm = float.Parse(cells[2], CultureInfo.InvariantCulture),
                bill_depth_mm = float.Parse(cells[3], CultureInfo.InvariantCulture),
                flipper_length_mm = float.Parse(cells[4], CultureInfo.InvariantCulture),
                Label = float.Parse(cells[5], CultureInfo.InvariantCulture) / 1000,
            }).ToArray();
    }

#pragma warning disable IDE1006 // the CSV's column names
    private sealed class PenguinRow
    {
        public string species { get; set; } = "";
        public string island { get; set; } = "";
        public string sex { get; set; } = "";
        public float bill_length_mm { get; set; }
        public float bill_depth_mm { get; set; }
        public float flipper_length_mm { get; set; }
        public float Label { get; set; }
    }
#pragma warning restore IDE1006

    /// <summary>The accuracy of <paramref name="repeats"/> fits (seeded: all the same) and their median fit time.</summary>
    internal static (double Accuracy, double Seconds) Median(int repeats, Func<(double Accuracy, double Seconds)> fit)
    {
        var runs = Enumerable.Range(0, repeats).Select(_ => fit()).ToArray();
        return (runs[^1].Accuracy, Timing.Median(runs.Select(r => r.Seconds).ToArray()));
    }

    /// <summary>Accuracy and fit seconds of MapValueToKey → the trainer: on the set's split, or the mean of 5 folds.</summary>
    internal static (double Accuracy, double Seconds) Measure(MLContext ml, TabularSet set, TabularRow[] rows, int width,
        IEstimator<ITransformer> trainer)
    {
        var schema = SchemaDefinition.Create(typeof(TabularRow));
        schema[nameof(TabularRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        IDataView View(IEnumerable<TabularRow> part) => ml.Data.LoadFromEnumerable(part, schema);
        if (set.TrainingRows == 0)
        {
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer);
            Timing.Settle();
            long clock = Stopwatch.GetTimestamp();
            var folds = ml.MulticlassClassification.CrossValidate(View(rows), pipeline, numberOfFolds: 5, seed: 1);
            double seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds / folds.Count;
            double accuracy = folds.Average(f => f.Metrics.MicroAccuracy);
            foreach (var fold in folds)
                (fold.Model as IDisposable)?.Dispose();
            return (accuracy, seconds);
        }
        else
        {
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer);
            Timing.Settle();
            long clock = Stopwatch.GetTimestamp();
            var model = pipeline.Fit(View(rows.Take(set.TrainingRows)));
            double seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
            double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(View(rows.Skip(set.TrainingRows)))).MicroAccuracy;
            (model as IDisposable)?.Dispose();
            return (accuracy, seconds);
        }
    }

    /// <summary>Reads a gzipped CSV whose last column is the label and whose other columns are numbers.</summary>
    internal static (TabularRow[] Rows, int Width) Load(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "tabular", file);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        int width = reader.ReadLine()!.Split(',').Length - 1;
        var rows = new List<TabularRow>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            string[] cells = line.Split(',');
            rows.Add(new TabularRow
            {
                Features = cells.Take(width).Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray(),
                Label = cells[width],
            });
        }
        return (rows.ToArray(), width);
    }

    internal sealed class TabularRow
    {
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }
}
