using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>smalldata</c> section (benchmarks/RESULTS-smalldata.md): how the library's default fits do on small tabular data,
/// so that its defaults can be chosen from measurements. Twelve public sets of 167–846 rows (data/smalldata/README.md;
/// four held out from any tuning), 5-fold cross-validation with the same folds for every pipeline: the network with no
/// options, as in 0.1.0, candidate recipes, LightGBM and a linear model (<see cref="SmallDataVariants"/>); AUC, accuracy
/// or R² (mean and standard deviation over the folds) and fit time per fold.
/// </summary>
internal static class SmallDataSection
{
    private const int Folds = 5;
    private const int Seed = 1;

    /// <summary>One variant on one set: the metric of each fold (and the macro accuracy for multiclass), fit seconds of each.</summary>
    private sealed record Outcome(double[] Metric, double[] MacroAccuracy, double[] FitSeconds)
    {
        public double Mean => Metric.Average();

        /// <summary>The sample standard deviation over the folds.</summary>
        public double Std => Math.Sqrt(Metric.Sum(m => (m - Mean) * (m - Mean)) / (Metric.Length - 1));

        public string Cell => $"{Mean:F3} ± {Std:F3}";
    }

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        var variants = SmallDataVariants.Select(options.Variants);
        var results = new List<(LoadedSmallData Data, Dictionary<SmallDataVariant, Outcome> Outcomes)>();
        foreach (var set in SmallDataSet.All)
        {
            var loaded = LoadedSmallData.Load(set);
            var folds = SmallDataFolds.Split(loaded, Folds, Seed);
            report.Section($"Small data: {set.Name} ({loaded.Shape}{(set.HeldOut ? "; held out" : "")})");
            var outcomes = new Dictionary<SmallDataVariant, Outcome>();
            foreach (var variant in variants.Where(v => v.AppliesTo(set.Task)))
            {
                var outcome = CrossValidate(ml, loaded, folds, variant);
                outcomes[variant] = outcome;
                report.Add(variant.Name, $"{MetricName(set.Task)} {outcome.Cell}" +
                    (set.Task == SmallTask.Multiclass ? $" (macro accuracy {outcome.MacroAccuracy.Average():F3})" : "") +
                    $", fit {outcome.FitSeconds.Average():F2} s per fold");
            }
            results.Add((loaded, outcomes));
        }
        AddTables(report, variants, results);
    }

    /// <summary>Fits the variant's pipeline on each training fold and scores its test fold.</summary>
    private static Outcome CrossValidate(MLContext ml, LoadedSmallData data, (int[] Train, int[] Test)[] folds, SmallDataVariant variant)
    {
        var metric = new double[folds.Length];
        var macro = new double[folds.Length];
        var seconds = new double[folds.Length];
        Timing.Settle();
        for (int k = 0; k < folds.Length; k++)
        {
            var (trainRows, testRows) = folds[k];
            // A standardized label maps the test fold's labels with the training fold's mean and std too: R² is unchanged when
            // labels and scores go through the same affine map, so this is the R² of the un-scaled scores on the raw labels.
            var scaling = variant.StandardizesLabel ? SmallDataFolds.LabelMoments(data, trainRows) : ((double, double)?)null;
            var train = SmallDataFolds.View(ml, data, trainRows, scaling);
            var test = SmallDataFolds.View(ml, data, testRows, scaling);
            var pipeline = Features(ml, data, variant).Append(variant.Trainer(new FoldContext(ml, data.Set.Task, trainRows.Length)));
            long start = Stopwatch.GetTimestamp();
            var model = pipeline.Fit(train);
            seconds[k] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var scored = model.Transform(test);
            switch (data.Set.Task)
            {
                case SmallTask.Binary:
                    metric[k] = ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve;
                    break;
                case SmallTask.Multiclass:
                    var multiclass = ml.MulticlassClassification.Evaluate(scored);
                    (metric[k], macro[k]) = (multiclass.MicroAccuracy, multiclass.MacroAccuracy);
                    break;
                default:
                    metric[k] = ml.Regression.Evaluate(scored).RSquared;
                    break;
            }
            (model as IDisposable)?.Dispose();
        }
        return new Outcome(metric, macro, seconds);
    }

    /// <summary>
    /// What an ML.NET user puts before the trainer: each categorical column one-hot, the numbers and the codes concatenated
    /// into Features, a multiclass label mapped to a key, and for the linear models NormalizeMeanVariance.
    /// </summary>
    private static IEstimator<ITransformer> Features(MLContext ml, LoadedSmallData data, SmallDataVariant variant)
    {
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        if (data.CategoricalColumns.Length > 0)
            pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(data.CategoricalColumns.Select(c => new InputOutputColumnPair(c + "_code", c)).ToArray()));
        pipeline = pipeline.Append(ml.Transforms.Concatenate("Features", [SmallDataFolds.NumericColumn, .. data.CategoricalColumns.Select(c => c + "_code")]));
        if (data.Set.Task == SmallTask.Multiclass)
            pipeline = pipeline.Append(ml.Transforms.Conversion.MapValueToKey("Label"));
        if (variant.NormalizesFeatures)
            pipeline = pipeline.Append(ml.Transforms.NormalizeMeanVariance("Features"));
        return pipeline;
    }

    private static string MetricName(SmallTask task) => task switch
    {
        SmallTask.Binary => "AUC",
        SmallTask.Multiclass => "accuracy",
        _ => "R²",
    };

    private static void AddTables(Report report, SmallDataVariant[] variants, List<(LoadedSmallData Data, Dictionary<SmallDataVariant, Outcome> Outcomes)> results)
    {
        var defaults = variants.FirstOrDefault(v => v.Id == "defaults");
        var metrics = new MarkdownTable(["Data set", "Shape", "Role", "Metric", .. variants.Select(v => v.Name), "Better of LightGBM / linear",
            "No options − that (points)", "Best network variant"]);
        var times = new MarkdownTable(["Data set", .. variants.Select(v => v.Name)]);
        var macro = new MarkdownTable(["Data set", .. variants.Select(v => v.Name)]);
        foreach (var (data, outcomes) in results)
        {
            string Cell(SmallDataVariant v, Func<Outcome, string> format) => outcomes.TryGetValue(v, out var o) ? format(o) : v.AppliesTo(data.Set.Task) ? "not run" : "—";
            var reference = outcomes.Where(o => o.Key.IsReference).OrderByDescending(o => o.Value.Mean).Select(o => (Variant: o.Key, Outcome: o.Value)).FirstOrDefault();
            var network = outcomes.Where(o => !o.Key.IsReference).OrderByDescending(o => o.Value.Mean).Select(o => (Variant: o.Key, Outcome: o.Value)).FirstOrDefault();
            string difference = reference.Variant is not null && defaults is not null && outcomes.TryGetValue(defaults, out var plain)
                ? $"{100 * (plain.Mean - reference.Outcome.Mean):+0.0;-0.0;0.0}" : "not run";
            metrics.Row([data.Set.Name, data.Shape, data.Set.HeldOut ? "held out" : "tuned on", MetricName(data.Set.Task),
                .. variants.Select(v => Cell(v, o => o.Cell)),
                reference.Variant is null ? "not run" : $"{reference.Outcome.Mean:F3} ({reference.Variant.Name})",
                difference,
                network.Variant is null ? "not run" : $"{network.Variant.Name} ({network.Outcome.Mean:F3})"]);
            times.Row([data.Set.Name, .. variants.Select(v => Cell(v, o => $"{o.FitSeconds.Average():F2}"))]);
            if (data.Set.Task == SmallTask.Multiclass)
                macro.Row([data.Set.Name, .. variants.Select(v => Cell(v, o => $"{o.MacroAccuracy.Average():F3}"))]);
        }
        times.Row(["All sets, all folds (s)", .. variants.Select(v => $"{results.Sum(r => r.Outcomes.TryGetValue(v, out var o) ? o.FitSeconds.Sum() : 0):F1}")]);

        report.Results.AddTable("Small tabular data: the network's defaults, candidate recipes, LightGBM and a linear model",
            $"{Folds}-fold cross-validation (seed {Seed}; stratified by class for classification), the same folds for every pipeline. " +
            "Each cell: the mean over the folds ± their standard deviation, of the area under the ROC curve (binary), micro accuracy " +
            "(multiclass) or R² (regression). Features as an ML.NET user gives them: the numbers as they are, categorical columns " +
            "one-hot (`OneHotEncoding`), all concatenated into Features; the label Boolean (binary), text through `MapValueToKey` " +
            "(multiclass) or Single (regression). \"Held out\" sets were chosen before the first run, not to be tuned on. The last " +
            "columns: the better of LightGBM and the linear model, `network, no options` minus it in points (hundredths of AUC, " +
            "accuracy or R²), and the best network variant. What each variant is: the last table; data: data/smalldata/README.md.", metrics);
        if (results.Any(r => r.Data.Set.Task == SmallTask.Multiclass))
            report.Results.AddTable("Small tabular data: macro accuracy of the multiclass sets", "The mean over the folds of the accuracy of each class, averaged over the classes.", macro);
        report.Results.AddTable("Small tabular data: fit time per fold (s)",
            "The mean over the folds of `Fit` of the whole pipeline (reading the fold included), both cores; the last row sums every fold of every set.", times);
        var described = new MarkdownTable("Id (`--variants`)", "Variant", "What it is");
        foreach (var variant in variants)
            described.Row($"`{variant.Id}`", variant.Name, variant.Description);
        report.Results.AddTable("Small tabular data: the variants",
            "Run a subset with `--variants id,id,...`. Adam's learning rate, the network (an MLP), input standardization and every " +
            "other setting not named are the library's defaults at the commit measured.", described);
    }
}
