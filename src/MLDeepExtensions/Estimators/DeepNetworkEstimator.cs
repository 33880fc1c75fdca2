using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Interop;
using MLDeepExtensions.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions;

/// <summary>
/// Trains a deep neural network (TorchSharp/libtorch) on a feature vector column and adds its predictions to the data.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Features: known-size vector of Single. Label: Key (multiclass), Boolean (binary), Single or known-size Single vector (regression).</description></item>
/// <item><term>Output columns</term><description>Multiclass: Score (class probabilities), PredictedLabel (key). Binary: Score (logit), Probability, PredictedLabel (Boolean). Regression: Score.</description></item>
/// <item><term>Needs normalization</term><description>Yes: networks train much better on normalized features (NormalizeMeanVariance).</description></item>
/// <item><term>Needs a GPU</term><description>No; trains on the CPU with TorchSharp-cpu.</description></item>
/// <item><term>Exportable to ONNX</term><description>No.</description></item>
/// </list>
/// The fit reads the data once into contiguous tensors, then runs the training loop; see <see cref="DeepNetworkOptions"/>.
/// </remarks>
public sealed class DeepNetworkEstimator : IEstimator<DeepNetworkTransformer>
{
    private readonly IHost _host;
    private readonly DeepNetworkOptions _options;

    internal DeepNetworkEstimator(IHostEnvironment env, DeepNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _host = env.Register(nameof(DeepNetworkEstimator));
        _options = options;
    }

    /// <summary>The options this estimator trains with.</summary>
    public DeepNetworkOptions Options => _options;

    /// <summary>The schema <see cref="Fit"/>'s transformer will produce; runs the same column checks as Fit.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _options.Architecture.CheckFeatureShape(inputSchema, _options.FeatureColumnName);
        var label = SchemaChecks.FindLabelColumn(inputSchema, _options.LabelColumnName);
        var task = TaskInfo.Resolve(_options.Task, label);
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in TaskInfo.OutputShape(task, label, OutputColumnNames.From(_options)))
            columns[column.Name] = column;
        return new SchemaShape(columns.Values);
    }

    /// <summary>Trains a network on <paramref name="input"/>. Throws, leaving nothing half-trained, on bad data or cancellation.</summary>
    public DeepNetworkTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var featureColumn = SchemaChecks.FindFeatureColumn(input.Schema, _options.FeatureColumnName);
        var architecture = _options.Architecture.ResolveFor(featureColumn, () => TrainingDataReader.MaxVectorLength(input, featureColumn));
        int inputSize = architecture.EncodedWidth(featureColumn);
        var encoder = architecture.CreateEncoder(inputSize);
        var taskInfo = TaskInfo.Resolve(_options.Task, SchemaChecks.FindLabelColumn(input.Schema, _options.LabelColumnName));
        if (_options.ValidationData is { } validationData)
            CheckValidationSchema(validationData, encoder, taskInfo);
        var trained = NetworkFit.Run(_host, _options, input, encoder, _options.LabelColumnName, taskInfo, architecture, _options.ClassWeights);
        var model = new NetworkModel(trained.Module, architecture, taskInfo, inputSize, _options.FeatureColumnName,
            _options.LabelColumnName, OutputColumnNames.From(_options), _options.ScoringBatchSize, trained.History, trained.Device);
        return new DeepNetworkTransformer(_host, model);
    }

    private void CheckValidationSchema(IDataView validationData, FeatureEncoder encoder, TaskInfo taskInfo)
    {
        encoder.CheckColumn(SchemaChecks.FindFeatureColumn(validationData.Schema, _options.FeatureColumnName));
        var validationTask = TaskInfo.Resolve(taskInfo.Task, SchemaChecks.FindLabelColumn(validationData.Schema, _options.LabelColumnName));
        if (validationTask.OutputSize != taskInfo.OutputSize)
            throw SchemaChecks.Mismatch("label", _options.LabelColumnName, $"the training label's size ({taskInfo.OutputSize})",
                $"{validationTask.OutputSize} in the validation data", "Prepare the validation data with the same pipeline as the training data.");
    }
}
