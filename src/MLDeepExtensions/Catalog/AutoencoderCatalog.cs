using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Interop;

namespace MLDeepExtensions;

/// <summary>
/// Catalog entries for autoencoders: <c>mlContext.Transforms.Autoencoder(...)</c> (embeddings and reconstructions)
/// and <c>mlContext.AnomalyDetection.Trainers.Autoencoder(...)</c> (adds a thresholded PredictedLabel).
/// </summary>
public static class AutoencoderCatalog
{
    /// <summary>Trains an autoencoder for feature extraction: adds Embedding, Reconstruction and Score (reconstruction error).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">All settings.</param>
    public static AutoencoderEstimator Autoencoder(this TransformsCatalog catalog, AutoencoderOptions options)
        => new(MLContextAccess.GetEnvironment(catalog), options);

    /// <summary>Trains an autoencoder for feature extraction with the most used settings.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="featureColumnName">Feature vector column. Default: "Features".</param>
    /// <param name="architecture">The network. Default: encoder 256, 128 → latent 32.</param>
    /// <param name="optimizer">The optimizer. Default: Adam, learning rate 0.001.</param>
    /// <param name="epochs">Passes over the data. Default: 10.</param>
    /// <param name="batchSize">Rows per step. Default: 128.</param>
    public static AutoencoderEstimator Autoencoder(this TransformsCatalog catalog,
        string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
        AutoencoderArchitecture? architecture = null,
        OptimizerSettings? optimizer = null,
        int epochs = DeepNetworkDefaults.Epochs,
        int batchSize = DeepNetworkDefaults.BatchSize)
        => new(MLContextAccess.GetEnvironment(catalog), Options(featureColumnName, architecture, optimizer, epochs, batchSize));

    /// <summary>Trains an autoencoder anomaly detector: Score is the reconstruction error, PredictedLabel flags rows above the threshold.</summary>
    /// <param name="catalog">The anomaly detection trainers catalog.</param>
    /// <param name="options">All settings; <see cref="AutoencoderOptions.ThresholdQuantile"/> sets the threshold.</param>
    public static AutoencoderEstimator Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(MLContextAccess.GetEnvironment(catalog), options with { AnomalyDetection = true });
    }

    /// <summary>Trains an autoencoder anomaly detector with the most used settings.</summary>
    /// <param name="catalog">The anomaly detection trainers catalog.</param>
    /// <param name="featureColumnName">Feature vector column. Default: "Features".</param>
    /// <param name="architecture">The network. Default: encoder 256, 128 → latent 32.</param>
    /// <param name="thresholdQuantile">Share of training rows treated as normal. Default: 0.95.</param>
    /// <param name="optimizer">The optimizer. Default: Adam, learning rate 0.001.</param>
    /// <param name="epochs">Passes over the data. Default: 10.</param>
    /// <param name="batchSize">Rows per step. Default: 128.</param>
    public static AutoencoderEstimator Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
        string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
        AutoencoderArchitecture? architecture = null,
        double thresholdQuantile = DeepNetworkDefaults.ThresholdQuantile,
        OptimizerSettings? optimizer = null,
        int epochs = DeepNetworkDefaults.Epochs,
        int batchSize = DeepNetworkDefaults.BatchSize)
    {
        var options = Options(featureColumnName, architecture, optimizer, epochs, batchSize) with { ThresholdQuantile = thresholdQuantile, AnomalyDetection = true };
        return new(MLContextAccess.GetEnvironment(catalog), options);
    }


    private static AutoencoderOptions Options(string features, AutoencoderArchitecture? architecture, OptimizerSettings? optimizer, int epochs, int batchSize) => new()
    {
        FeatureColumnName = features,
        Architecture = architecture ?? new AutoencoderArchitecture(),
        Optimizer = optimizer ?? new OptimizerSettings(),
        Epochs = epochs,
        BatchSize = batchSize,
    };
}
