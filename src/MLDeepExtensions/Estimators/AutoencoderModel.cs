using MLDeepExtensions.Architectures;
using static TorchSharp.torch;

namespace MLDeepExtensions.Estimators;

/// <summary>The column names an autoencoder writes.</summary>
internal readonly record struct AutoencoderColumnNames(string Embedding, string Reconstruction, string Score, string PredictedLabel)
{
    public static AutoencoderColumnNames From(AutoencoderOptions options)
        => new(options.EmbeddingColumnName, options.ReconstructionColumnName, options.ScoreColumnName, options.PredictedLabelColumnName);
}

/// <summary>Everything a trained autoencoder is made of: what its model format saves and loads.</summary>
internal sealed record AutoencoderModel(
    AutoencoderModule Module,
    AutoencoderArchitecture Architecture,
    int InputSize,
    string FeatureColumnName,
    AutoencoderColumnNames Names,
    double? Threshold,
    int ScoringBatchSize,
    TrainingHistory History,
    Device Device);
