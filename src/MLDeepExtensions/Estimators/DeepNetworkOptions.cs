using System;
using System.Collections.Generic;
using System.Linq;
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
    /// Loss weight per class, in key order for multiclass (one per key value) and [false, true] for binary;
    /// each &gt; 0. Default: null (all 1).
    /// </summary>
    public IReadOnlyList<float>? ClassWeights { get; set; }

    /// <summary>A copy that shares no list with this one: what an estimator keeps.</summary>
    internal override DeepNetworkOptions Snapshot() => this with { Callbacks = CopyOfCallbacks(), ClassWeights = ClassWeights?.ToArray() };

    internal override NetworkArchitecture TrainedArchitecture => Architecture;

    internal override HeadSpec CreateHead() => new SupervisedHead.Spec(this);

    private protected override void Validate(ValidationErrors errors)
    {
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
