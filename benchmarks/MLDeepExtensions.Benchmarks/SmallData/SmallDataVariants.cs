using System;
using System.Globalization;
using System.Linq;
using Microsoft.ML;

namespace MLDeepExtensions.Benchmarks;

/// <summary>What a variant's trainer may depend on: the context, the task and how many rows the fold trains on.</summary>
internal sealed record FoldContext(MLContext ML, SmallTask Task, int TrainingRows);

/// <summary>
/// One pipeline of the <c>smalldata</c> section: a short id for <c>--variants</c>, the name in the tables, what it is,
/// and its trainer (after the features are put together: one-hot codes for categories, MapValueToKey for a multiclass
/// label, and with <see cref="NormalizesFeatures"/> NormalizeMeanVariance).
/// </summary>
internal sealed record SmallDataVariant(string Id, string Name, string Description, Func<FoldContext, IEstimator<ITransformer>> Trainer)
{
    /// <summary>LightGBM or the linear model: what the networks are measured against.</summary>
    public bool IsReference { get; init; }

    /// <summary>NormalizeMeanVariance on the features before the trainer.</summary>
    public bool NormalizesFeatures { get; init; }

    /// <summary>Fits on (y − mean) / std of the training fold's label (regression only; the variant skips other tasks).</summary>
    public bool StandardizesLabel { get; init; }

    public bool AppliesTo(SmallTask task) => !StandardizesLabel || task == SmallTask.Regression;
}

/// <summary>
/// Every pipeline the section compares, in one list: the library's defaults as a user meets them, 0.1.0's inputs, the
/// candidate recipes a new default could be chosen from (explicit options, so they measure the same thing whatever the
/// defaults become), and the references. Add a candidate with one more line in <see cref="All"/>.
/// </summary>
internal static class SmallDataVariants
{
    /// <summary>The share of the training fold that the early-stopping candidates hold out.</summary>
    private const float ValidationFraction = 0.2f;

    public static readonly SmallDataVariant[] All =
    [
        new("defaults", "network, no options",
            "`ml.<Task>.Trainers.DeepNetwork(\"Label\", \"Features\")`: whatever the library's defaults are at the commit measured",
            fold => Network(fold, options: null)),
        new("v010", "network, 0.1.0-like",
            "0.1.0's defaults: `MlpArchitecture { StandardizeInputs = false }`, `Epochs = 10`, `StandardizeLabel = false` (raw inputs and label, 10 epochs)",
            fold => Network(fold, Unstandardized())),
        Candidate("s500-b32", new Recipe(Steps: 500, BatchSize: 32)),
        Candidate("s500-b128", new Recipe(Steps: 500, BatchSize: 128)),
        Candidate("s2000-b32", new Recipe(Steps: 2000, BatchSize: 32)),
        Candidate("s2000-b128", new Recipe(Steps: 2000, BatchSize: 128)),
        Candidate("s2000-b32-es", new Recipe(Steps: 2000, BatchSize: 32) { EarlyStopping = true }),
        Candidate("s2000-b32-wd", new Recipe(Steps: 2000, BatchSize: 32) { WeightDecay = 1e-4 }),
        Candidate("s2000-b32-y", new Recipe(Steps: 2000, BatchSize: 32) { StandardizeLabel = true }),
        Candidate("s2000-b32-es-y", new Recipe(Steps: 2000, BatchSize: 32) { EarlyStopping = true, StandardizeLabel = true }),
        new("lightgbm", "LightGBM defaults", "`ml.<Task>.Trainers.LightGbm()` with its defaults, on the same features", LightGbm) { IsReference = true },
        new("linear", "linear",
            "NormalizeMeanVariance, then `Sdca()` (regression; OLS needs Microsoft.ML.Mkl.Components, which the benchmarks do not reference), " +
            "`LbfgsLogisticRegression()` (binary) or `LbfgsMaximumEntropy()` (multiclass), defaults", Linear)
            { IsReference = true, NormalizesFeatures = true },
    ];

    /// <summary>The variants <paramref name="ids"/> (comma-separated) names, in the list's order; all for null.</summary>
    public static SmallDataVariant[] Select(string? ids)
    {
        if (ids is null)
            return All;
        string[] wanted = ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return All.Where(v => wanted.Contains(v.Id, StringComparer.OrdinalIgnoreCase)).ToArray();
    }

    /// <summary>The ids in <paramref name="ids"/> that name no variant.</summary>
    public static string[] Unknown(string ids)
        => ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(id => !All.Any(v => string.Equals(v.Id, id, StringComparison.OrdinalIgnoreCase))).ToArray();

    public static string Ids => string.Join(", ", All.Select(v => v.Id));

    /// <summary>
    /// A candidate recipe: the default network and Adam settings, with as many epochs as make about <see cref="Steps"/>
    /// optimizer steps of <see cref="BatchSize"/> rows on the rows the fit trains on; optionally 20% of them held out for
    /// early stopping on the validation loss (patience a tenth of the epochs, at least 5; best weights restored), AdamW's
    /// decoupled weight decay, and (regression) a standardized label.
    /// </summary>
    private sealed record Recipe(int Steps, int BatchSize)
    {
        public bool EarlyStopping { get; init; }

        public double? WeightDecay { get; init; }

        public bool StandardizeLabel { get; init; }

        public string Name => $"{Steps} steps, batch {BatchSize}" + (EarlyStopping ? ", early stopping" : "") +
            (WeightDecay is double decay ? string.Create(CultureInfo.InvariantCulture, $", AdamW {decay:G}") : "") + (StandardizeLabel ? ", label standardized" : "");

        public string Description => $"epochs = round({Steps} / batches per epoch), `BatchSize = {BatchSize}`" +
            (EarlyStopping ? $", `ValidationFraction = {ValidationFraction:0.0}f`, `EarlyStopping = new EarlyStoppingOptions {{ Patience = max(5, epochs / 10), RestoreBestWeights = true }}` (validation loss)" : "") +
            (WeightDecay is double decay ? string.Create(CultureInfo.InvariantCulture, $", `Optimizer = OptimizerSettings.AdamW(weightDecay: {decay:G})`") : "") +
            (StandardizeLabel ? ", fitted on (y − mean) / std of the training fold (regression only; R² of the un-scaled scores)" : "") +
            "; the default network and learning rate otherwise";

        public DeepNetworkOptions Options(int trainingRows)
        {
            int fitted = EarlyStopping ? trainingRows - (int)Math.Round(trainingRows * ValidationFraction) : trainingRows;
            int batchesPerEpoch = (fitted + BatchSize - 1) / BatchSize;
            int epochs = Math.Max(1, (int)Math.Round((double)Steps / batchesPerEpoch));
            // The label as given: the "label standardized" candidates scale it in the pipeline, which the library's own
            // StandardizeLabel (now the default) replaced; the "defaults" variant measures that.
            var options = new DeepNetworkOptions { Epochs = epochs, BatchSize = BatchSize, StandardizeLabel = false };
            if (WeightDecay is double decay)
                options.Optimizer = OptimizerSettings.AdamW(weightDecay: decay);
            if (EarlyStopping)
            {
                options.ValidationFraction = ValidationFraction;
                options.EarlyStopping = new EarlyStoppingOptions { Patience = Math.Max(5, epochs / 10), RestoreBestWeights = true };
            }
            return options;
        }
    }

    private static SmallDataVariant Candidate(string id, Recipe recipe)
        => new(id, recipe.Name, recipe.Description, fold => Network(fold, recipe.Options(fold.TrainingRows))) { StandardizesLabel = recipe.StandardizeLabel };

    /// <summary>0.1.0's defaults: the default MLP without input standardization, 10 epochs, the raw label.</summary>
    private static DeepNetworkOptions Unstandardized()
    {
        var options = new DeepNetworkOptions { Epochs = 10, StandardizeLabel = false };
        options.Architecture = options.Architecture is MlpArchitecture mlp
            ? mlp with { StandardizeInputs = false }
            : throw new NotSupportedException($"The default architecture is {options.Architecture}, not an MLP; the 0.1.0-like variant needs revisiting.");
        return options;
    }

    /// <summary>The task's DeepNetwork catalog method: with only the column names when <paramref name="options"/> is null.</summary>
    private static IEstimator<ITransformer> Network(FoldContext fold, DeepNetworkOptions? options)
    {
        var ml = fold.ML;
        return (fold.Task, options) switch
        {
            (SmallTask.Binary, null) => ml.BinaryClassification.Trainers.DeepNetwork(labelColumnName: "Label", featureColumnName: "Features"),
            (SmallTask.Multiclass, null) => ml.MulticlassClassification.Trainers.DeepNetwork(labelColumnName: "Label", featureColumnName: "Features"),
            (_, null) => ml.Regression.Trainers.DeepNetwork(labelColumnName: "Label", featureColumnName: "Features"),
            (SmallTask.Binary, _) => ml.BinaryClassification.Trainers.DeepNetwork(options),
            (SmallTask.Multiclass, _) => ml.MulticlassClassification.Trainers.DeepNetwork(options),
            _ => ml.Regression.Trainers.DeepNetwork(options),
        };
    }

    private static IEstimator<ITransformer> LightGbm(FoldContext fold) => fold.Task switch
    {
        SmallTask.Binary => fold.ML.BinaryClassification.Trainers.LightGbm(),
        SmallTask.Multiclass => fold.ML.MulticlassClassification.Trainers.LightGbm(),
        _ => fold.ML.Regression.Trainers.LightGbm(),
    };

    private static IEstimator<ITransformer> Linear(FoldContext fold) => fold.Task switch
    {
        SmallTask.Binary => fold.ML.BinaryClassification.Trainers.LbfgsLogisticRegression(),
        SmallTask.Multiclass => fold.ML.MulticlassClassification.Trainers.LbfgsMaximumEntropy(),
        _ => fold.ML.Regression.Trainers.Sdca(),
    };
}
