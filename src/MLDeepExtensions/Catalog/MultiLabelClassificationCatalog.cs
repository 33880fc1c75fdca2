using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Interop;
using MLDeepExtensions.Scoring;

namespace MLDeepExtensions;

/// <summary>
/// Multi-label classification, which ML.NET has no catalog for: <c>mlContext.MultiLabelClassification.Trainers.DeepNetwork(...)</c>
/// and <c>mlContext.MultiLabelClassification.Evaluate(...)</c>.
/// </summary>
public sealed class MultiLabelClassificationCatalog
{
    private readonly IHostEnvironment _env;

    internal MultiLabelClassificationCatalog(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        _env = MLContextAccess.GetEnvironment(mlContext.Transforms);
        Trainers = new MultiLabelTrainers(_env);
    }

    /// <summary>The multi-label trainers.</summary>
    public MultiLabelTrainers Trainers { get; }

    /// <summary>
    /// Evaluates scored rows: the label column against Probability and PredictedLabel as a multi-label classifier wrote them.
    /// </summary>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">The label: a known-size vector of Boolean or Single 0/1. Default: "Label".</param>
    /// <param name="probabilityColumnName">The probabilities, a Single vector of the label's size. Default: "Probability".</param>
    /// <param name="predictedLabelColumnName">The predictions, a Boolean vector of the label's size. Default: "PredictedLabel".</param>
    /// <param name="exampleWeightColumnName">Example weights (Single), or null. Default: null.</param>
    public MultiLabelMetrics Evaluate(IDataView data, string labelColumnName = DeepNetworkDefaults.LabelColumnName,
        string probabilityColumnName = DeepNetworkDefaults.ProbabilityColumnName, string predictedLabelColumnName = DeepNetworkDefaults.PredictedLabelColumnName,
        string? exampleWeightColumnName = null)
        => MultiLabelEvaluator.Evaluate(data, labelColumnName, probabilityColumnName, predictedLabelColumnName, exampleWeightColumnName);

    /// <summary>The multi-label trainers.</summary>
    public sealed class MultiLabelTrainers
    {
        private readonly IHostEnvironment _env;

        internal MultiLabelTrainers(IHostEnvironment env)
        {
            _env = env;
        }

        /// <summary>Trains a multi-label deep network with every setting of <paramref name="options"/>.</summary>
        public MultiLabelEstimator DeepNetwork(MultiLabelOptions options) => new(_env, options);

        /// <summary>Trains a multi-label deep network with the most used settings.</summary>
        /// <param name="labelColumnName">The label: a known-size vector of Boolean or Single 0/1. Default: "Label".</param>
        /// <param name="featureColumnName">The features. Default: "Features".</param>
        /// <param name="architecture">The network. Default: an MLP with hidden layers 128, 64.</param>
        /// <param name="optimizer">The optimizer. Default: Adam, learning rate 0.001.</param>
        /// <param name="epochs">Passes over the data. Default: 10.</param>
        /// <param name="batchSize">Rows per step. Default: 128.</param>
        public MultiLabelEstimator DeepNetwork(string labelColumnName = DeepNetworkDefaults.LabelColumnName, string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
            NetworkArchitecture? architecture = null, OptimizerSettings? optimizer = null, int epochs = DeepNetworkDefaults.Epochs, int batchSize = DeepNetworkDefaults.BatchSize)
            => new(_env, new MultiLabelOptions
            {
                LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Architecture = architecture ?? new MlpArchitecture(),
                Optimizer = optimizer ?? new OptimizerSettings(), Epochs = epochs, BatchSize = batchSize,
            });
    }
}

/// <summary>Puts <see cref="MultiLabelClassificationCatalog"/> on the MLContext.</summary>
public static class MultiLabelClassificationCatalogExtensions
{
    extension(MLContext mlContext)
    {
        /// <summary>Multi-label classification: trainers and evaluation.</summary>
        public MultiLabelClassificationCatalog MultiLabelClassification => new(mlContext);
    }
}
