using MLDeepExtensions.Model;
using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Training;

namespace MLDeepExtensions;

/// <summary>
/// What every network estimator does, whatever it learns: check the columns (in <see cref="GetOutputSchema"/> and
/// <see cref="Fit(IDataView)"/> alike), resolve the architecture and the head for the training data, and run the one fit.
/// <see cref="DeepNetworkEstimator"/> learns from a label, <see cref="MultiLabelEstimator"/> from a vector of labels,
/// <see cref="AutoencoderEstimator"/> to reproduce its input, <see cref="ForecastingEstimator"/> a series' next values.
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

    /// <summary>The schema the fitted transformer will produce; runs the same column checks as <see cref="Fit(IDataView)"/>.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _architecture.CheckFeatureShape(inputSchema, _options.FeatureColumnName);
        _options.CheckOtherInputColumns(inputSchema);
        return OutputColumn.AppendShapes(inputSchema, _head.OutputShape(inputSchema));
    }

    /// <summary>
    /// What the network this estimator trains on data of <paramref name="inputSchema"/> is made of, before any training
    /// (like Keras's <c>model.summary()</c>): its layers with output shapes and weight counts, the frozen ones
    /// (<see cref="NetworkTrainingOptions.FrozenLayers"/>), the input width and columns, and the task. Builds the network
    /// with random weights and runs two placeholder rows through it; reads no rows. Runs the checks of
    /// <see cref="GetOutputSchema"/> and <see cref="Fit(IDataView)"/> on the columns.
    /// </summary>
    /// <param name="inputSchema">The schema of the training data (e.g. <c>data.Schema</c>).</param>
    /// <exception cref="InvalidOperationException">
    /// The features are variable-length sequences whose length the fit measures on the data: pass the data
    /// (<see cref="Summary(IDataView)"/>) or set <see cref="RnnArchitecture.MaxSteps"/>.
    /// </exception>
    public NetworkSummary Summary(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Summary(inputSchema, () => throw new InvalidOperationException(
            $"The length of the sequences in column '{_options.FeatureColumnName}' is measured on the training data, which a schema does not hold. " +
            $"Call Summary(data) with the training data, or set {nameof(RnnArchitecture)}.{nameof(RnnArchitecture.MaxSteps)}."));
    }

    /// <summary>
    /// What the network this estimator trains on <paramref name="input"/> is made of, before any training; as
    /// <see cref="Summary(DataViewSchema)"/>, but reads the feature column once when the fit would measure the longest
    /// variable-length sequence.
    /// </summary>
    /// <param name="input">The training data.</param>
    public NetworkSummary Summary(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Summary(input.Schema, () => TrainingDataReader.MaxVectorLength(input, SchemaChecks.FindFeatureColumn(input.Schema, _options.FeatureColumnName)));
    }

    private NetworkSummary Summary(DataViewSchema schema, Func<int> measureMaxSteps)
    {
        GetOutputSchema(SchemaShape.Create(schema));
        var featureColumn = SchemaChecks.FindFeatureColumn(schema, _options.FeatureColumnName);
        var architecture = _options.ResolveOtherInputColumns(_architecture.ResolveFor(featureColumn, measureMaxSteps), schema);
        int inputSize = architecture.InputSizeFor(featureColumn);
        var head = _head.Resolve(schema, architecture, inputSize);
        return NetworkSummaries.Create(architecture, inputSize, head, _options.FeatureColumnName, fitted: null, _options.FrozenLayers);
    }

    /// <summary>Trains a network on <paramref name="input"/>. Throws, leaving nothing half-trained, on bad data or cancellation.</summary>
    public TTransformer Fit(IDataView input) => Fit(input, initialModel: null, nameof(input));

    /// <summary>
    /// Continues training <paramref name="initialModel"/> on <paramref name="input"/> (ML.NET's warm start): the new
    /// network starts from its weights and batch-norm statistics, with a fresh optimizer and schedule, for these
    /// options' epochs; its history holds only the new epochs. The architecture, the input width and the task (output
    /// size, class names) must be the ones <paramref name="initialModel"/> was trained with; an
    /// <see cref="ArgumentException"/> names what differs. <paramref name="initialModel"/> is neither changed nor
    /// disposed. In a pipeline, pass the fitted network itself, e.g. <c>fittedPipeline.LastTransformer</c>, and fit the
    /// estimator on data transformed by the steps before it. Combine with <see cref="NetworkTrainingOptions.FrozenLayers"/> to fine-tune.
    /// </summary>
    /// <param name="input">The training data, with the columns the first fit had.</param>
    /// <param name="initialModel">A fitted transformer of this estimator's kind.</param>
    public TTransformer Fit(IDataView input, TTransformer initialModel)
    {
        ArgumentNullException.ThrowIfNull(initialModel);
        if (_options.InitialWeights is not null)
            throw new ArgumentException($"These options start from the weights in '{_options.InitialWeights}' (InitialWeights); a fit starts from one of initialModel and InitialWeights. " +
                "Set InitialWeights to null to continue initialModel.", nameof(initialModel));
        return Fit(input, initialModel, nameof(input));
    }

    /// <summary>
    /// Finds a learning rate for these options with the learning-rate range test (L. Smith, 2017; fastai's
    /// <c>lr_find</c>): trains a fresh network, built as <see cref="Fit(IDataView)"/> would build it (architecture,
    /// head, seed, training rows), for <paramref name="steps"/> batches while raising the learning rate exponentially
    /// from <paramref name="startLearningRate"/> to <paramref name="endLearningRate"/>, and records the smoothed training
    /// loss; stops early when that loss exceeds 4 times its best. The optimizer is the options' (its schedule is not
    /// used); the network is then thrown away, and libtorch's random generator restored, so a later Fit gives the
    /// model it would have given. Set the options' learning rate to <see cref="LearningRateFinderResult.Suggested"/>
    /// (or the more careful <see cref="LearningRateFinderResult.SuggestedFromMinimum"/>) and fit.
    /// </summary>
    /// <param name="input">The training data, as for <see cref="Fit(IDataView)"/>.</param>
    /// <param name="startLearningRate">The first learning rate, &gt; 0. Default: 1e-7.</param>
    /// <param name="endLearningRate">The last learning rate, &gt; <paramref name="startLearningRate"/>. Default: 10.</param>
    /// <param name="steps">Training batches of the sweep (the data are passed over as often as needed), ≥ 10; typical 100–300. Default: 200.</param>
    public LearningRateFinderResult FindLearningRate(IDataView input, double startLearningRate = LearningRateFinder.DefaultStart,
        double endLearningRate = LearningRateFinder.DefaultEnd, int steps = LearningRateFinder.DefaultSteps)
    {
        ArgumentNullException.ThrowIfNull(input);
        LearningRateFinder.CheckArguments(startLearningRate, endLearningRate, steps);
        var (architecture, encoder, head) = Resolve(input, initial: null);
        return LearningRateFinder.Run(_host, _options, input, architecture, encoder, head, startLearningRate, endLearningRate, steps);
    }

    private TTransformer Fit(IDataView input, TTransformer? initialModel, string inputName)
    {
        ArgumentNullException.ThrowIfNull(input, inputName);
        var initial = initialModel?.NetworkForContinuing(nameof(initialModel));
        var (architecture, encoder, head) = Resolve(input, initial);
        if (initial is not null)
            CheckContinues(initial, architecture, inputSize: encoder.InputSize, head);
        var transformer = _createTransformer(_host, NetworkFit.Run(_host, _options, input, architecture, encoder, head, initial));
        transformer.ScoringEngine = _options.ScoringEngine;
        return transformer;
    }

    /// <summary>Checks the columns and resolves the architecture, the feature encoder and the head for <paramref name="input"/> (a continued fit: as <paramref name="initial"/> measured).</summary>
    private (NetworkArchitecture Architecture, FeatureEncoder Encoder, NetworkHead Head) Resolve(IDataView input, NetworkModel? initial)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var featureColumn = SchemaChecks.FindFeatureColumn(input.Schema, _options.FeatureColumnName);
        // A continued fit keeps the first fit's measured sequence length (MaxSteps null means the longest of its data).
        Func<int> measureMaxSteps = initial?.Architecture.MeasuredLength is int measured
            ? () => measured
            : () => TrainingDataReader.MaxVectorLength(input, featureColumn);
        var architecture = _options.ResolveOtherInputColumns(_architecture.ResolveFor(featureColumn, measureMaxSteps), input.Schema);
        int inputSize = architecture.InputSizeFor(featureColumn);
        var encoder = architecture.CreateEncoder(inputSize);
        var head = _head.Resolve(input.Schema, architecture, inputSize);
        MonitoredQuantity.Check(_options, head.Metrics);
        if (_options.ValidationData is { } validation)
        {
            encoder.CheckColumn(SchemaChecks.FindFeatureColumn(validation.Schema, _options.FeatureColumnName));
            encoder.CheckOtherInputColumns(validation.Schema);
            _head.CheckValidationData(validation.Schema, head);
        }
        return (architecture, encoder, head);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming what differs when <paramref name="initial"/>'s weights cannot start this fit.</summary>
    private void CheckContinues(NetworkModel initial, NetworkArchitecture architecture, int inputSize, NetworkHead head)
    {
        const string parameter = "initialModel";
        if (initial.Architecture != architecture)
            throw new ArgumentException($"initialModel was trained with architecture {initial.Architecture}; these options train {architecture}. " +
                $"Settings that differ (initialModel → these options): {string.Join("; ", SettingDifferences.Between(initial.Architecture, architecture))}. " +
                "To continue a fit, use the same architecture: e.g. set the options' Architecture to initialModel.Architecture.", parameter);
        if (initial.InputSize != inputSize)
            throw new ArgumentException(FormattableString.Invariant($"initialModel reads {initial.InputSize} values per row; column '{_options.FeatureColumnName}' of this data gives {inputSize}. ") +
                "Continue on data with the features the model was trained on.", parameter);
        string was = initial.Head.Describe(), now = head.Describe();
        if (initial.Head.Name != head.Name || was != now)
            throw new ArgumentException($"initialModel was trained for {was}; this data and these options ask for {now}. " +
                "Continue on data whose label has the same classes (in the same key order) and size.", parameter);
    }
}
