using MLDeepExtensions.Heads;

namespace MLDeepExtensions;

/// <summary>
/// Configures an autoencoder fit: the architecture, the output column names, the anomaly threshold, and (from
/// <see cref="NetworkTrainingOptions"/>) the optimizer and training controls. No label is needed.
/// </summary>
public sealed record AutoencoderOptions : NetworkTrainingOptions
{
    /// <summary>The network, dense or convolutional. Default: encoder 256, 128 → latent 32, mirrored decoder.</summary>
    public AutoencoderArchitecture Architecture { get; set; } = new();

    /// <summary>Output column with the latent vector. Default: "Embedding".</summary>
    public string EmbeddingColumnName { get; set; } = DeepNetworkDefaults.EmbeddingColumnName;

    /// <summary>Output column with the reconstructed feature vector. Default: "Reconstruction".</summary>
    public string ReconstructionColumnName { get; set; } = DeepNetworkDefaults.ReconstructionColumnName;

    /// <summary>Output column with the row's reconstruction error (mean squared error over the features). Default: "Score".</summary>
    public string ScoreColumnName { get; set; } = DeepNetworkDefaults.ScoreColumnName;

    /// <summary>Output column flagging anomalies (anomaly detection only). Default: "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = DeepNetworkDefaults.PredictedLabelColumnName;

    /// <summary>
    /// Anomaly detection: the share of training rows treated as normal, in (0, 1]. The threshold is that quantile of
    /// the training rows' reconstruction errors; a row scoring above it is predicted anomalous. Default: 0.95.
    /// </summary>
    public double ThresholdQuantile { get; set; } = DeepNetworkDefaults.ThresholdQuantile;

    /// <summary>Set by the anomaly-detection catalog entry: adds PredictedLabel and marks Score as an anomaly score.</summary>
    internal bool AnomalyDetection { get; init; }

    /// <summary>A copy that shares no list with this one: what an estimator keeps.</summary>
    internal override AutoencoderOptions Snapshot() => this with { Callbacks = CopyOfCallbacks() };

    internal override NetworkArchitecture TrainedArchitecture => Architecture;

    internal override HeadSpec CreateHead()
        => new ReconstructionHead.Spec(new AutoencoderColumnNames(EmbeddingColumnName, ReconstructionColumnName, ScoreColumnName, PredictedLabelColumnName),
            AnomalyDetection, ThresholdQuantile);

    private protected override void Validate(ValidationErrors errors)
    {
        CheckNames(errors, (nameof(EmbeddingColumnName), EmbeddingColumnName), (nameof(ReconstructionColumnName), ReconstructionColumnName),
            (nameof(ScoreColumnName), ScoreColumnName), (nameof(PredictedLabelColumnName), PredictedLabelColumnName));
        if (Architecture is null)
            errors.Add($"{nameof(Architecture)} is null; use e.g. new AutoencoderArchitecture(latentSize: 32, 256, 128).");
        else
            Architecture.Validate(errors);
        if (!(ThresholdQuantile > 0 && ThresholdQuantile <= 1))
            errors.Add($"{nameof(ThresholdQuantile)} is {ThresholdQuantile}; it must be in (0, 1], e.g. 0.95 to flag the 5% worst-reconstructed training rows.");
        base.Validate(errors);
    }
}
