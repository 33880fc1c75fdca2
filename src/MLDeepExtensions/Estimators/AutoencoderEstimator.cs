using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Training;
using static TorchSharp.torch;

namespace MLDeepExtensions;

/// <summary>
/// Trains an autoencoder on a feature vector column, without a label, and adds the latent Embedding, the
/// Reconstruction and the per-row reconstruction error (Score); as an anomaly detector also PredictedLabel.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Features: known-size vector of Single (for the convolutional variant, images of the declared C×H×W or with ExtractPixels' dimensions). No label.</description></item>
/// <item><term>Output columns</term><description>Embedding (latent vector), Reconstruction (vector like the input), Score (mean squared reconstruction error); anomaly detection adds PredictedLabel (Boolean, Score above the threshold).</description></item>
/// <item><term>Needs normalization</term><description>Yes: scale features to a common range (e.g. NormalizeMinMax).</description></item>
/// <item><term>Needs a GPU</term><description>No.</description></item>
/// <item><term>Exportable to ONNX</term><description>No.</description></item>
/// </list>
/// The anomaly threshold is the <see cref="AutoencoderOptions.ThresholdQuantile"/> quantile of the training rows' errors.
/// </remarks>
public sealed class AutoencoderEstimator : IEstimator<AutoencoderTransformer>
{
    private readonly IHost _host;
    private readonly AutoencoderOptions _options;

    internal AutoencoderEstimator(IHostEnvironment env, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _host = env.Register(nameof(AutoencoderEstimator));
        _options = options;
    }

    /// <summary>The options this estimator trains with.</summary>
    public AutoencoderOptions Options => _options;

    /// <summary>The schema the fitted transformer will produce; runs the same column checks as Fit.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.CheckFeatureColumn(inputSchema, _options.FeatureColumnName);
        var columns = inputSchema.ToDictionary(c => c.Name);
        void Add(string name, SchemaShape.Column.VectorKind kind, DataViewType type)
            => columns[name] = new SchemaShape.Column(name, kind, type, false, new SchemaShape(_options.AnomalyDetection && name != _options.EmbeddingColumnName && name != _options.ReconstructionColumnName
                ? AnnotationUtils.GetTrainerOutputAnnotation() : Enumerable.Empty<SchemaShape.Column>()));
        Add(_options.EmbeddingColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single);
        Add(_options.ReconstructionColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single);
        Add(_options.ScoreColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single);
        if (_options.AnomalyDetection)
            Add(_options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Trains the autoencoder on <paramref name="input"/> (no label needed).</summary>
    public AutoencoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        int inputSize = SchemaChecks.CheckFeatureColumn(input.Schema, _options.FeatureColumnName);
        if (_options.ValidationData is { } validation)
            SchemaChecks.CheckFeatureColumn(validation.Schema, _options.FeatureColumnName, inputSize);
        // Reconstruction is regression onto the input itself: MSE loss, −MSE as the validation metric.
        var task = TaskInfo.Create(DeepNetworkTask.Regression, inputSize, vectorLabel: true, keyValues: null);
        var architecture = (AutoencoderArchitecture)_options.Architecture.ResolveFor(input.Schema[_options.FeatureColumnName], () => inputSize);
        double? threshold = null;
        var trained = NetworkFit.Run(_host, _options, input, architecture.CreateEncoder(inputSize), labelColumnName: null, task, architecture, classWeights: null,
            afterTraining: (module, train) =>
            {
                if (_options.AnomalyDetection)
                    threshold = Quantile(ReconstructionErrors((AutoencoderModule)module, train.Features, _options.ScoringBatchSize), _options.ThresholdQuantile);
            });
        var model = new AutoencoderModel((AutoencoderModule)trained.Module, architecture, inputSize, _options.FeatureColumnName,
            AutoencoderColumnNames.From(_options), threshold, _options.ScoringBatchSize, trained.History, trained.Device);
        return new AutoencoderTransformer(_host, model);
    }

    /// <summary>Per-row mean squared reconstruction error, in eval mode without gradients.</summary>
    private static float[] ReconstructionErrors(AutoencoderModule module, Tensor features, int batchSize)
    {
        module.eval();
        using var noGrad = no_grad();
        long rows = features.shape[0];
        var errors = new float[rows];
        for (long start = 0; start < rows; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long size = Math.Min(batchSize, rows - start);
            var x = features.narrow(0, start, size);
            var error = (module.forward(x) - x).square().mean(new long[] { 1 });
            error.cpu().data<float>().CopyTo(errors, (int)start);
        }
        return errors;
    }

    /// <summary>The <paramref name="q"/> quantile (linear interpolation between order statistics).</summary>
    internal static double Quantile(float[] values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
