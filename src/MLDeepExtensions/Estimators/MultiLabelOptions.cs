using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions;

/// <summary>
/// Configures a multi-label classifier: a row has any number of labels out of L (tags, genres, symptoms). The label is
/// a known-size vector of L Booleans (or Singles 0/1); the network has L independent sigmoid outputs trained with binary
/// cross entropy. Every other setting comes from <see cref="NetworkTrainingOptions"/>.
/// </summary>
public sealed record MultiLabelOptions : NetworkTrainingOptions
{
    /// <summary>The label column: a known-size vector of Boolean, or of Single 0/1 (values between are soft targets). Its slot names name the labels in the outputs. Default: "Label".</summary>
    public string LabelColumnName { get; set; } = DeepNetworkDefaults.LabelColumnName;

    /// <summary>The output column of the L logits. Default: "Score".</summary>
    public string ScoreColumnName { get; set; } = DeepNetworkDefaults.ScoreColumnName;

    /// <summary>The output column of the L probabilities. Default: "Probability".</summary>
    public string ProbabilityColumnName { get; set; } = DeepNetworkDefaults.ProbabilityColumnName;

    /// <summary>The output column of the L predicted labels (a Boolean vector). Default: "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = DeepNetworkDefaults.PredictedLabelColumnName;

    /// <summary>The network: <see cref="MlpArchitecture"/>, <see cref="CnnArchitecture"/>, <see cref="RnnArchitecture"/> or your own (<see cref="CustomArchitecture"/>). Default: <c>new MlpArchitecture()</c>.</summary>
    public NetworkArchitecture Architecture { get; set; } = new MlpArchitecture();

    /// <summary>
    /// A weight per label on its positive rows' loss, each &gt; 0 (PyTorch's pos_weight): for a rare label, about
    /// negatives / positives raises its recall. Default: null (all 1).
    /// </summary>
    public IReadOnlyList<float>? PositiveWeights { get; set; }

    /// <summary>A Single column of example weights, as <see cref="DeepNetworkOptions.ExampleWeightColumnName"/>. Default: null.</summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>
    /// Chooses each label's threshold on the validation data (<see cref="NetworkTrainingOptions.ValidationFraction"/> or
    /// <see cref="NetworkTrainingOptions.ValidationData"/>, which it then needs) as the probability that maximises that
    /// label's F1, instead of 0.5. Helps rare labels. Default: false.
    /// </summary>
    public bool TuneThresholds { get; set; }

    /// <summary>
    /// Label smoothing ε in [0, 1): each label's target t becomes t(1 − ε) + ε / 2 (Keras's definition for binary cross
    /// entropy), as <see cref="DeepNetworkOptions.LabelSmoothing"/>. The reported loss is the smoothed one. Default: 0 (off).
    /// </summary>
    public float LabelSmoothing { get; set; }

    internal override MultiLabelOptions Snapshot() => this with { Callbacks = CopyOfCallbacks(), PositiveWeights = PositiveWeights?.ToArray() };

    internal override NetworkArchitecture TrainedArchitecture => Architecture;

    internal override HeadSpec CreateHead()
        => new MultiLabelHead.Spec(LabelColumnName, new MultiLabelColumnNames(ScoreColumnName, ProbabilityColumnName, PredictedLabelColumnName),
            new MultiLabelTraining(PositiveWeights, ExampleWeightColumnName, TuneThresholds, LabelSmoothing));

    private protected override void Validate(ValidationErrors errors)
    {
        CheckNames(errors, (nameof(LabelColumnName), LabelColumnName), (nameof(ScoreColumnName), ScoreColumnName),
            (nameof(ProbabilityColumnName), ProbabilityColumnName), (nameof(PredictedLabelColumnName), PredictedLabelColumnName));
        if (Architecture is null)
            errors.Add($"{nameof(Architecture)} is null; use e.g. new MlpArchitecture(128, 64).");
        else if (Architecture is AutoencoderArchitecture or ForecastArchitecture)
            errors.Add($"{nameof(Architecture)} is {Architecture}, which does not classify; use an MLP, CNN or RNN, or your own module.");
        else
            Architecture.Validate(errors);
        base.Validate(errors);
        for (int i = 0; i < (PositiveWeights?.Count ?? 0); i++)
        {
            if (!(PositiveWeights![i] > 0 && float.IsFinite(PositiveWeights[i])))
                errors.Add($"{nameof(PositiveWeights)}[{i}] is {PositiveWeights[i]}; every positive weight must be a finite number > 0.");
        }
        CheckExampleWeightColumn(errors, ExampleWeightColumnName, LabelColumnName);
        CheckLabelSmoothing(errors, LabelSmoothing);
        if (TuneThresholds && ValidationFraction == 0 && ValidationData is null)
            errors.Add($"{nameof(TuneThresholds)} chooses thresholds on validation data, but there is none; set {nameof(ValidationFraction)} (e.g. 0.2) or {nameof(ValidationData)}.");
    }
}
