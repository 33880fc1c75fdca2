using System;
using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions;

/// <summary>
/// Everything that configures a deep network fit: columns, task, architecture, and (from
/// <see cref="NetworkTrainingOptions"/>) the optimizer and training controls. Every setting has a sensible default;
/// the short catalog overloads set the most common ones.
/// </summary>
public sealed record DeepNetworkOptions : NetworkTrainingOptions
{
    /// <summary>The label column: Key (multiclass), Boolean (binary), Single or known-size Single vector (regression). Default: "Label".</summary>
    public string LabelColumnName { get; set; } = DeepNetworkDefaults.LabelColumnName;

    /// <summary>The output score column. Default: "Score".</summary>
    public string ScoreColumnName { get; set; } = DeepNetworkDefaults.ScoreColumnName;

    /// <summary>The output probability column (binary classification only). Default: "Probability".</summary>
    public string ProbabilityColumnName { get; set; } = DeepNetworkDefaults.ProbabilityColumnName;

    /// <summary>The output predicted-label column (classification only). Default: "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = DeepNetworkDefaults.PredictedLabelColumnName;

    /// <summary>The task; <see cref="DeepNetworkTask.Auto"/> decides from the label column type. Default: Auto.</summary>
    public DeepNetworkTask Task { get; set; } = DeepNetworkTask.Auto;

    /// <summary>The network: <see cref="MlpArchitecture"/>, <see cref="CnnArchitecture"/>, <see cref="RnnArchitecture"/> or your own module (<see cref="CustomArchitecture"/>). Default: <c>new MlpArchitecture()</c> (hidden layers 128, 64, ReLU).</summary>
    public NetworkArchitecture Architecture { get; set; } = new MlpArchitecture();

    /// <summary>
    /// A Single column of example weights (each finite and ≥ 0), as every ML.NET trainer's ExampleWeightColumnName: a row's
    /// loss counts its weight times, so a weight of 2 trains as the row twice, and the validation loss and metrics are
    /// weighted the same way (the validation data needs the column too). Combines with <see cref="ClassWeights"/>. Rows
    /// with a NaN weight are bad rows (see <see cref="NetworkTrainingOptions.DropRowsWithNonFiniteValues"/>). Default: null
    /// (every row weighs 1).
    /// </summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>
    /// Regression only: trains on the label standardized, <c>(label − mean) / standard deviation</c> measured on the
    /// training rows (weighted by example weights), as an MLP standardizes its inputs, so a label far from unit scale
    /// (prices, counts) trains as fast as a scaled one; the loss and the validation loss are then in standardized units,
    /// the validation metrics in the label's. When the fit ends the scaling is folded into the network's output layer, so
    /// the fitted network (its Score, ONNX and PyTorch exports, saved model) answers in the label's units. A fit that
    /// starts from a fitted model or from InitialWeights measures its own rows and re-expresses those weights' output
    /// layer in standardized units first (the same network, so it starts where they ended); with 0 epochs or FrozenLayers
    /// it trains on the raw label instead, so that those weights stay exactly as they are. A <see cref="CustomArchitecture"/>
    /// is not standardized (its last layer is not known). Default: true (false trains on the raw label, as earlier
    /// releases did).
    /// </summary>
    public bool StandardizeLabel { get; set; } = DeepNetworkDefaults.StandardizeLabel;

    /// <summary>
    /// Loss weight per class, in key order for multiclass (one per key value) and [false, true] for binary;
    /// each &gt; 0. Default: null (all 1).
    /// </summary>
    public IReadOnlyList<float>? ClassWeights { get; set; }

    /// <summary>
    /// Classification only: label smoothing ε in [0, 1). The loss compares the network's output with targets softened
    /// towards uniform: for multiclass 1 − ε + ε / K on the row's class and ε / K on each of the others (K classes), for
    /// binary ε / 2 and 1 − ε / 2 (PyTorch's and Keras's definitions). It discourages over-confident logits; its effect
    /// on accuracy varies (0.1, the usual value, left our Fashion-MNIST residual CNN's within 0.001). The reported training and validation loss
    /// is the smoothed loss; the LogLoss metric is not smoothed. Default: 0 (off).
    /// </summary>
    public float LabelSmoothing { get; set; }

    /// <summary>
    /// Key-typed columns (one category per row, from MapValueToKey) that an <see cref="MlpArchitecture"/> reads beside the
    /// feature vector, each through an embedding (<see cref="CategoricalColumn"/>), or an <see cref="FtTransformerArchitecture"/>
    /// reads as one token each (embeddings of its model size). Keys unseen in training (MapValueToKey
    /// maps them to the missing key) get the embedding's reserved row. A <see cref="CustomArchitecture"/> module receives
    /// the keys after the feature values and embeds them itself (<see cref="CustomModuleContext.Categorical"/>).
    /// Default: null (none).
    /// </summary>
    /// <example><code>CategoricalColumns = [new CategoricalColumn("Island"), new CategoricalColumn("Sex") { EmbeddingSize = 2 }]</code></example>
    public IReadOnlyList<CategoricalColumn>? CategoricalColumns { get; set; }

    /// <summary>
    /// The class names of the <see cref="NetworkTrainingOptions.InitialWeights"/> of a multiclass network, in the order of
    /// its outputs (PyTorch's class indices, e.g. <c>dataset.classes</c>): the fit checks that the label's keys follow
    /// this order (key <c>i + 1</c> is <c>InitialWeightsClasses[i]</c>) and refuses the weights, naming both orders, when
    /// they do not, since a permuted class order would name the wrong class for every row. Weights exported by
    /// <c>ExportWeights</c> carry their class order in a file beside them (<c>&lt;file&gt;.classes.json</c>), which is
    /// checked the same way. Multiclass only; needs InitialWeights. Default: null (the class file's order, or, without
    /// one, a warning that the order cannot be checked).
    /// </summary>
    public IReadOnlyList<string>? InitialWeightsClasses { get; set; }

    /// <summary>A copy that shares no list with this one: what an estimator keeps.</summary>
    internal override DeepNetworkOptions Snapshot()
        => this with
        {
            Callbacks = CopyOfCallbacks(), ClassWeights = ClassWeights?.ToArray(), CategoricalColumns = CategoricalColumns?.ToArray(),
            InitialWeightsClasses = InitialWeightsClasses?.ToArray(),
        };

    internal override void CheckOtherInputColumns(Microsoft.ML.SchemaShape inputSchema)
    {
        foreach (var column in CategoricalColumns ?? [])
            CategoricalInput.Check(inputSchema, column.Name);
    }

    internal override NetworkArchitecture ResolveOtherInputColumns(NetworkArchitecture architecture, Microsoft.ML.DataViewSchema schema)
    {
        if (CategoricalColumns is not { Count: > 0 } columns)
            return architecture;
        // Validate let categorical columns through only with an architecture that reads them (MLP, FT-Transformer, custom module).
        return architecture with { Categorical = columns.Select(column => CategoricalInput.Resolve(schema, column, architecture.CategoricalEmbeddingSize)).ToArray() };
    }

    internal override NetworkArchitecture TrainedArchitecture => Architecture;

    internal override HeadSpec CreateHead()
        => new SupervisedHead.Spec(LabelColumnName, Task, new OutputColumnNames(ScoreColumnName, ProbabilityColumnName, PredictedLabelColumnName),
            new SupervisedTraining(ClassWeights, InitialWeightsClasses, ExampleWeightColumnName, StandardizeLabel, LabelSmoothing));

    private protected override void Validate(ValidationErrors errors)
    {
        CheckExampleWeightColumn(errors, ExampleWeightColumnName, LabelColumnName);
        CheckNames(errors, (nameof(LabelColumnName), LabelColumnName), (nameof(ScoreColumnName), ScoreColumnName),
            (nameof(ProbabilityColumnName), ProbabilityColumnName), (nameof(PredictedLabelColumnName), PredictedLabelColumnName));
        if (!Enum.IsDefined(Task))
            errors.Add($"{nameof(Task)} is {(int)Task}, which is not a member of {nameof(DeepNetworkTask)}.");
        if (Architecture is null)
            errors.Add($"{nameof(Architecture)} is null; use e.g. new MlpArchitecture(128, 64).");
        else if (Architecture is AutoencoderArchitecture)
            errors.Add($"{nameof(Architecture)} is an autoencoder, which trains without a label; use mlContext.Transforms.Autoencoder or mlContext.AnomalyDetection.Trainers.Autoencoder.");
        else
            Architecture.Validate(errors);
        base.Validate(errors);
        if (CategoricalColumns is { } categorical)
        {
            for (int i = 0; i < categorical.Count; i++)
            {
                var column = categorical[i];
                if (column is null || string.IsNullOrWhiteSpace(column.Name))
                    errors.Add($"{nameof(CategoricalColumns)}[{i}] has no column name; give the name of a key column, e.g. new CategoricalColumn(\"Island\").");
                else if (column.EmbeddingSize is int size && size < 1)
                    errors.Add($"{nameof(CategoricalColumns)}[{i}] ('{column.Name}') has EmbeddingSize {size}; it must be ≥ 1, or null for the default rule.");
                else if (column.Name == FeatureColumnName || column.Name == LabelColumnName)
                    errors.Add($"{nameof(CategoricalColumns)}[{i}] is '{column.Name}', the {(column.Name == FeatureColumnName ? "feature" : "label")} column; a categorical column is a column of its own.");
                else if (categorical.Take(i).Any(other => other?.Name == column.Name))
                    errors.Add($"{nameof(CategoricalColumns)} names '{column.Name}' twice; give each column once.");
                else if (column.EmbeddingSize is int tokenSize && Architecture is FtTransformerArchitecture ft && tokenSize != ft.ModelSize)
                    errors.Add($"{nameof(CategoricalColumns)}[{i}] ('{column.Name}') has EmbeddingSize {tokenSize}; an {nameof(FtTransformerArchitecture)} embeds each column as a token of its {nameof(FtTransformerArchitecture.ModelSize)} ({ft.ModelSize}) values. Leave it null.");
            }
            if (categorical.Count > 0 && Architecture is not null and not (MlpArchitecture or FtTransformerArchitecture or CustomArchitecture))
                errors.Add($"{nameof(CategoricalColumns)} are read through embeddings by an {nameof(MlpArchitecture)} or an {nameof(FtTransformerArchitecture)} (or by your own module, {nameof(CustomArchitecture)}); {Architecture} has no place for them. Use one of those, or one-hot encode the columns into the feature vector (mlContext.Transforms.Categorical.OneHotEncoding).");
        }
        if (InitialWeightsClasses is { } classes)
        {
            if (InitialWeights is null)
                errors.Add($"{nameof(InitialWeightsClasses)} is set but {nameof(InitialWeights)} is null; it gives the class order of imported weights. Set both, or neither.");
            if (classes.Count < 2)
                errors.Add($"{nameof(InitialWeightsClasses)} has {classes.Count} class name(s); a classifier has at least two, one per output in order.");
            for (int i = 0; i < classes.Count; i++)
            {
                if (classes[i] is null)
                    errors.Add($"{nameof(InitialWeightsClasses)}[{i}] is null; give every class name.");
                else if (classes.Take(i).Contains(classes[i], StringComparer.Ordinal))
                    errors.Add($"{nameof(InitialWeightsClasses)} names '{classes[i]}' twice; give each class once, in the order of the network's outputs.");
            }
        }
        CheckLabelSmoothing(errors, LabelSmoothing);
        if (ClassWeights is not null)
        {
            for (int i = 0; i < ClassWeights.Count; i++)
            {
                if (!(ClassWeights[i] > 0 && float.IsFinite(ClassWeights[i])))
                    errors.Add($"{nameof(ClassWeights)}[{i}] is {ClassWeights[i]}; every class weight must be a finite number > 0.");
            }
        }
    }
}
