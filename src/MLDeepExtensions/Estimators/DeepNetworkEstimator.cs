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
        SchemaChecks.CheckFeatureColumn(inputSchema, _options.FeatureColumnName);
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
        int inputSize = SchemaChecks.CheckFeatureColumn(input.Schema, _options.FeatureColumnName);
        var architecture = _options.Architecture.ResolveFor((VectorDataViewType)input.Schema[_options.FeatureColumnName].Type, _options.FeatureColumnName);
        var taskInfo = TaskInfo.Resolve(_options.Task, SchemaChecks.FindLabelColumn(input.Schema, _options.LabelColumnName));
        if (_options.ValidationData is { } validationData)
            CheckValidationSchema(validationData, inputSize, taskInfo);
        TorchNative.EnsureInitialized();

        int seed = _options.Seed ?? MLContextAccess.GetSeed(_host) ?? 0;
        using var channel = _host.Start("Training");
        TrainingSet? train = null, validation = null;
        nn.Module<Tensor, Tensor>? module = null;
        try
        {
            train = Read(input, "training", inputSize, taskInfo, channel);
            if (_options.ValidationFraction > 0)
            {
                if (train.Count < 2)
                    throw new ArgumentException($"{nameof(DeepNetworkOptions.ValidationFraction)} needs at least 2 training rows; there is {train.Count}.", "input");
                var whole = train;
                (train, validation) = whole.Split(_options.ValidationFraction, seed);
                whole.Dispose();
            }
            else if (_options.ValidationData is not null)
                validation = Read(_options.ValidationData, "validation", inputSize, taskInfo, channel);

            var device = DeviceSelector.Resolve(_options.Device, _host, channel);
            train.MoveTo(device);
            validation?.MoveTo(device);
            random.manual_seed(seed);
            module = architecture.CreateModule(inputSize, taskInfo.OutputSize);
            module.to(device);
            channel.Info($"{nameof(DeepNetworkEstimator)}: {architecture} for {taskInfo.Task}, {inputSize} inputs → {taskInfo.OutputSize} outputs, " +
                $"{train.Count} training rows{(validation is null ? "" : $", {validation.Count} validation rows")}, {_options.Optimizer}, on {device}.");
            using var loss = new LossFunction(taskInfo.Task, taskInfo.OutputSize, _options.ClassWeights, device);
            var history = new TrainingLoop(module, loss, _options, channel).Run(train, validation, seed);
            var model = new NetworkModel(module, architecture, taskInfo, inputSize, _options.FeatureColumnName,
                _options.LabelColumnName, OutputColumnNames.From(_options), _options.ScoringBatchSize, history, device);
            module = null;
            return new DeepNetworkTransformer(_host, model);
        }
        finally
        {
            module?.Dispose();
            train?.Dispose();
            validation?.Dispose();
        }
    }

    private TrainingSet Read(IDataView data, string role, int inputSize, TaskInfo taskInfo, IChannel channel)
        => TrainingDataReader.Read(data, role, _options.FeatureColumnName, inputSize, _options.LabelColumnName, taskInfo,
            _options.DropRowsWithNonFiniteValues, channel, _options.CancellationToken);

    private void CheckValidationSchema(IDataView validationData, int inputSize, TaskInfo taskInfo)
    {
        SchemaChecks.CheckFeatureColumn(validationData.Schema, _options.FeatureColumnName, inputSize);
        var validationTask = TaskInfo.Resolve(taskInfo.Task, SchemaChecks.FindLabelColumn(validationData.Schema, _options.LabelColumnName));
        if (validationTask.OutputSize != taskInfo.OutputSize)
            throw SchemaChecks.Mismatch("label", _options.LabelColumnName, $"the training label's size ({taskInfo.OutputSize})",
                $"{validationTask.OutputSize} in the validation data", "Prepare the validation data with the same pipeline as the training data.");
    }
}
