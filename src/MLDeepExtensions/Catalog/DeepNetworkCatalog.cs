using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Interop;

namespace MLDeepExtensions;

/// <summary>
/// Catalog entries for deep networks: <c>mlContext.Transforms.DeepNetwork(...)</c> (task from the label type) and
/// <c>mlContext.{MulticlassClassification, BinaryClassification, Regression}.Trainers.DeepNetwork(...)</c>.
/// </summary>
public static class DeepNetworkCatalog
{
    /// <summary>Trains a deep network; the task follows the label column type (Key, Boolean, Single).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">All settings.</param>
    public static DeepNetworkEstimator DeepNetwork(this TransformsCatalog catalog, DeepNetworkOptions options)
        => new(MLContextAccess.GetEnvironment(catalog), options);

    /// <summary>Trains a deep network with the most used settings; the task follows the label column type.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="labelColumnName">Label column. Default: "Label".</param>
    /// <param name="featureColumnName">Feature vector column. Default: "Features".</param>
    /// <param name="architecture">The network. Default: an MLP with hidden layers 128, 64.</param>
    /// <param name="optimizer">The optimizer. Default: Adam, learning rate 0.001.</param>
    /// <param name="epochs">Passes over the data. Default: null, chosen from the data (see <see cref="NetworkTrainingOptions.Epochs"/>).</param>
    /// <param name="batchSize">Rows per step. Default: 128.</param>
    public static DeepNetworkEstimator DeepNetwork(this TransformsCatalog catalog,
        string labelColumnName = DeepNetworkDefaults.LabelColumnName,
        string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
        NetworkArchitecture? architecture = null,
        OptimizerSettings? optimizer = null,
        int? epochs = null,
        int batchSize = DeepNetworkDefaults.BatchSize)
        => new(MLContextAccess.GetEnvironment(catalog), Options(DeepNetworkTask.Auto, labelColumnName, featureColumnName, architecture, optimizer, epochs, batchSize));

    /// <summary>Trains a multiclass classifier (Key label) with the given settings.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">All settings; <see cref="DeepNetworkOptions.Task"/> must be Auto or MulticlassClassification.</param>
    public static DeepNetworkEstimator DeepNetwork(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, DeepNetworkOptions options)
        => new(MLContextAccess.GetEnvironment(catalog), ForTask(options, DeepNetworkTask.MulticlassClassification));

    /// <summary>Trains a multiclass classifier (Key label) with the most used settings.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Label column (Key). Default: "Label".</param>
    /// <param name="featureColumnName">Feature vector column. Default: "Features".</param>
    /// <param name="architecture">The network. Default: an MLP with hidden layers 128, 64.</param>
    /// <param name="optimizer">The optimizer. Default: Adam, learning rate 0.001.</param>
    /// <param name="epochs">Passes over the data. Default: null, chosen from the data (see <see cref="NetworkTrainingOptions.Epochs"/>).</param>
    /// <param name="batchSize">Rows per step. Default: 128.</param>
    public static DeepNetworkEstimator DeepNetwork(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DeepNetworkDefaults.LabelColumnName,
        string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
        NetworkArchitecture? architecture = null,
        OptimizerSettings? optimizer = null,
        int? epochs = null,
        int batchSize = DeepNetworkDefaults.BatchSize)
        => new(MLContextAccess.GetEnvironment(catalog), Options(DeepNetworkTask.MulticlassClassification, labelColumnName, featureColumnName, architecture, optimizer, epochs, batchSize));

    /// <summary>Trains a binary classifier (Boolean label) with the given settings.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="options">All settings; <see cref="DeepNetworkOptions.Task"/> must be Auto or BinaryClassification.</param>
    public static DeepNetworkEstimator DeepNetwork(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, DeepNetworkOptions options)
        => new(MLContextAccess.GetEnvironment(catalog), ForTask(options, DeepNetworkTask.BinaryClassification));

    /// <summary>Trains a binary classifier (Boolean label) with the most used settings.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="labelColumnName">Label column (Boolean). Default: "Label".</param>
    /// <param name="featureColumnName">Feature vector column. Default: "Features".</param>
    /// <param name="architecture">The network. Default: an MLP with hidden layers 128, 64.</param>
    /// <param name="optimizer">The optimizer. Default: Adam, learning rate 0.001.</param>
    /// <param name="epochs">Passes over the data. Default: null, chosen from the data (see <see cref="NetworkTrainingOptions.Epochs"/>).</param>
    /// <param name="batchSize">Rows per step. Default: 128.</param>
    public static DeepNetworkEstimator DeepNetwork(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = DeepNetworkDefaults.LabelColumnName,
        string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
        NetworkArchitecture? architecture = null,
        OptimizerSettings? optimizer = null,
        int? epochs = null,
        int batchSize = DeepNetworkDefaults.BatchSize)
        => new(MLContextAccess.GetEnvironment(catalog), Options(DeepNetworkTask.BinaryClassification, labelColumnName, featureColumnName, architecture, optimizer, epochs, batchSize));

    /// <summary>Trains a regression network (Single or Single-vector label) with the given settings.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="options">All settings; <see cref="DeepNetworkOptions.Task"/> must be Auto or Regression.</param>
    public static DeepNetworkEstimator DeepNetwork(this RegressionCatalog.RegressionTrainers catalog, DeepNetworkOptions options)
        => new(MLContextAccess.GetEnvironment(catalog), ForTask(options, DeepNetworkTask.Regression));

    /// <summary>Trains a regression network (Single or Single-vector label) with the most used settings.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="labelColumnName">Label column (Single, or a known-size Single vector). Default: "Label".</param>
    /// <param name="featureColumnName">Feature vector column. Default: "Features".</param>
    /// <param name="architecture">The network. Default: an MLP with hidden layers 128, 64.</param>
    /// <param name="optimizer">The optimizer. Default: Adam, learning rate 0.001.</param>
    /// <param name="epochs">Passes over the data. Default: null, chosen from the data (see <see cref="NetworkTrainingOptions.Epochs"/>).</param>
    /// <param name="batchSize">Rows per step. Default: 128.</param>
    public static DeepNetworkEstimator DeepNetwork(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = DeepNetworkDefaults.LabelColumnName,
        string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
        NetworkArchitecture? architecture = null,
        OptimizerSettings? optimizer = null,
        int? epochs = null,
        int batchSize = DeepNetworkDefaults.BatchSize)
        => new(MLContextAccess.GetEnvironment(catalog), Options(DeepNetworkTask.Regression, labelColumnName, featureColumnName, architecture, optimizer, epochs, batchSize));


    private static DeepNetworkOptions Options(DeepNetworkTask task, string label, string features, NetworkArchitecture? architecture,
        OptimizerSettings? optimizer, int? epochs, int batchSize) => new()
    {
        Task = task,
        LabelColumnName = label,
        FeatureColumnName = features,
        Architecture = architecture ?? new MlpArchitecture(),
        Optimizer = optimizer ?? new OptimizerSettings(),
        Epochs = epochs,
        BatchSize = batchSize,
    };

    /// <summary>The options with the task a trainer catalog stands for, without changing the caller's object.</summary>
    private static DeepNetworkOptions ForTask(DeepNetworkOptions options, DeepNetworkTask task)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Task == task)
            return options;
        if (options.Task != DeepNetworkTask.Auto)
            throw new ArgumentException($"{nameof(DeepNetworkOptions)}.{nameof(DeepNetworkOptions.Task)} is {options.Task}, but this is the {task} catalog; set it to Auto or {task}, or use mlContext.Transforms.DeepNetwork.", nameof(options));
        return options with { Task = task };
    }
}
