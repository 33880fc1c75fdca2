using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Training;

namespace MLDeepExtensions;

/// <summary>
/// What every network estimator does, whatever it learns: check the columns (in <see cref="GetOutputSchema"/> and
/// <see cref="Fit"/> alike), resolve the architecture and the head for the training data, and run the one fit.
/// <see cref="DeepNetworkEstimator"/> learns from a label, <see cref="AutoencoderEstimator"/> to reproduce its input.
/// </summary>
/// <typeparam name="TTransformer">The fitted transformer.</typeparam>
public abstract class NetworkEstimatorBase<TTransformer> : IEstimator<TTransformer>
    where TTransformer : NetworkTransformerBase
{
    private readonly IHost _host;
    private readonly NetworkTrainingOptions _options;
    private readonly NetworkArchitecture _architecture;
    private readonly HeadSpec _head;
    private readonly Func<IHostEnvironment, NetworkModel, TTransformer> _createTransformer;

    /// <summary>Takes a copy of <paramref name="options"/> and validates it: later changes to the caller's object change nothing.</summary>
    /// <param name="env">The MLContext's environment.</param>
    /// <param name="options">The options; an <see cref="ArgumentException"/> lists every invalid setting.</param>
    /// <param name="createTransformer">Wraps a trained network in the estimator's transformer.</param>
    private protected NetworkEstimatorBase(IHostEnvironment env, NetworkTrainingOptions options, Func<IHostEnvironment, NetworkModel, TTransformer> createTransformer)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Snapshot();
        _options.Validate();
        _host = env.Register(GetType().Name);
        _architecture = _options.TrainedArchitecture;
        _head = _options.CreateHead();
        _createTransformer = createTransformer;
    }

    /// <summary>A copy of the options the estimator trains with.</summary>
    private protected NetworkTrainingOptions CopyOfOptions() => _options.Snapshot();

    /// <summary>The schema the fitted transformer will produce; runs the same column checks as <see cref="Fit"/>.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _architecture.CheckFeatureShape(inputSchema, _options.FeatureColumnName);
        return OutputColumn.AppendShapes(inputSchema, _head.OutputShape(inputSchema));
    }

    /// <summary>Trains a network on <paramref name="input"/>. Throws, leaving nothing half-trained, on bad data or cancellation.</summary>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var featureColumn = SchemaChecks.FindFeatureColumn(input.Schema, _options.FeatureColumnName);
        var architecture = _architecture.ResolveFor(featureColumn, () => TrainingDataReader.MaxVectorLength(input, featureColumn));
        int inputSize = architecture.EncodedWidth(featureColumn);
        var encoder = architecture.CreateEncoder(inputSize);
        var head = _head.Resolve(input.Schema, architecture, inputSize);
        if (_options.ValidationData is { } validation)
        {
            encoder.CheckColumn(SchemaChecks.FindFeatureColumn(validation.Schema, _options.FeatureColumnName));
            _head.CheckValidationData(validation.Schema, head);
        }
        return _createTransformer(_host, NetworkFit.Run(_host, _options, input, architecture, encoder, head));
    }
}
