using System;
using System.Linq;
using Microsoft.ML;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>fttransformer</c> section (benchmarks/RESULTS-fttransformer.md): the FT-Transformer
/// (<see cref="FtTransformerArchitecture"/>, one token per feature) against the tabular MLP recipe and LightGBM with its
/// defaults, on the <c>tabular</c> section's five data sets and splits: test accuracy and fit time, and where attention
/// loses. Sized to run in a few minutes on 2 cores: a small FT-Transformer and few epochs.
/// </summary>
internal static class FtTransformerSection
{
    /// <summary>
    /// The FT-Transformer's settings here: the architecture's defaults (d = 32, 2 layers of 4 heads, feed-forward 64,
    /// encoder dropout 0.1) on the raw features, AdamW 3e-3 (weight decay 1e-5, as the paper) with a cosine schedule,
    /// batches of 128, <paramref name="epochs"/> epochs.
    /// </summary>
    public static DeepNetworkOptions Recipe(int epochs) => new()
    {
        Architecture = new FtTransformerArchitecture(),
        Optimizer = OptimizerSettings.AdamW(learningRate: 3e-3, weightDecay: 1e-5) with { Schedule = LearningRateSchedule.Cosine() },
        Epochs = epochs,
        BatchSize = 128,
        Seed = 1,
    };

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        int epochs = options.Epochs(full: 30);
        var table = new MarkdownTable("Data set", "Shape", "FT-Transformer: accuracy / fit", "MLP recipe: accuracy / fit", "LightGBM defaults: accuracy / fit",
            "FT − MLP (points)", "FT − LightGBM (points)", "Fit time FT / MLP", "Attention");
        foreach (var set in TabularSection.Sets)
        {
            report.Section($"FT-Transformer: {set.Name} ({set.Shape})");
            var (rows, width) = TabularSection.Load(set.File);
            var (ft, ftSeconds) = TabularSection.Median(options.Repeats, () => TabularSection.Measure(ml, set, rows, width, ml.Transforms.DeepNetwork(Recipe(epochs))));
            report.Add("DeepNetwork, FT-Transformer", $"accuracy {ft:F4}, fit {ftSeconds:F1} s");
            var (mlp, mlpSeconds) = TabularSection.Median(options.Repeats, () => TabularSection.Measure(ml, set, rows, width, ml.Transforms.DeepNetwork(TabularSection.Recipe())));
            report.Add("DeepNetwork, tabular MLP recipe", $"accuracy {mlp:F4}, fit {mlpSeconds:F1} s");
            var (gbm, gbmSeconds) = TabularSection.Median(options.Repeats, () => TabularSection.Measure(ml, set, rows, width, ml.MulticlassClassification.Trainers.LightGbm()));
            report.Add("LightGBM (ML.NET, defaults)", $"accuracy {gbm:F4}, fit {gbmSeconds:F1} s");
            double best = Math.Max(mlp, gbm);
            string verdict = ft >= best ? "wins" : ft >= Math.Min(mlp, gbm) ? $"loses to {(mlp > gbm ? "the MLP" : "LightGBM")}" : "loses to both";
            table.Row(set.Name, set.Shape, $"{ft:F4} / {ftSeconds:F1} s", $"{mlp:F4} / {mlpSeconds:F1} s", $"{gbm:F4} / {gbmSeconds:F1} s",
                $"{100 * (ft - mlp):+0.00;-0.00}", $"{100 * (ft - gbm):+0.00;-0.00}", $"{ftSeconds / mlpSeconds:F1}", verdict);
        }
        report.Results.AddTable("Tabular data: the FT-Transformer against the MLP recipe and LightGBM",
            "MapValueToKey(\"Label\") → the trainer, on the raw numeric features (both networks standardize them themselves), the `tabular` " +
            "section's sets and splits (5-fold cross-validation for the small ones, fit time per fold). The FT-Transformer: " +
            $"`new FtTransformerArchitecture()` (d = 32, 2 layers, 4 heads, feed-forward 64, dropout 0.1), AdamW 3e-3 (weight decay 1e-5) with a cosine schedule, " +
            $"batches of 128, {epochs} epochs: smaller and shorter than the paper's (d = 192, 3 layers, up to hundreds of epochs with early stopping) " +
            "so that the section runs in minutes on 2 cores, and not tuned. The MLP recipe and LightGBM are the `tabular` section's. " +
            $"Fit times: the median of {options.Repeats} fit{(options.Repeats == 1 ? "" : "s")}; every fit is seeded.", table);
    }
}
