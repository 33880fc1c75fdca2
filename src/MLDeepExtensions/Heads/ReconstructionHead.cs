using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Onnx;
using MLDeepExtensions.Persistence;
using MLDeepExtensions.Training;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>The column names an autoencoder writes.</summary>
internal readonly record struct AutoencoderColumnNames(string Embedding, string Reconstruction, string Score, string PredictedLabel);

/// <summary>
/// Learning to reproduce the input (no label): Embedding (the latent vector), Reconstruction, Score (the mean squared
/// reconstruction error) and, for anomaly detection, PredictedLabel (Score above a threshold: a quantile of the
/// training rows' errors). The network must be an autoencoder: ours (<see cref="AutoencoderModule"/>) or a user's (<see cref="CustomAutoencoderModule"/>).
/// </summary>
/// <remarks>
/// Model-file fields, version 1: Embedding, Reconstruction, Score and PredictedLabel column names; latent size;
/// anomaly-detection flag, then the threshold (double).
/// </remarks>
internal sealed class ReconstructionHead : NetworkHead
{
    internal const string RegisteredName = "reconstruction";
    private const int CurrentVersion = 1;

    private readonly AutoencoderColumnNames _names;
    private readonly double? _thresholdQuantile;

    /// <param name="names">The output column names.</param>
    /// <param name="latentSize">The embedding's size.</param>
    /// <param name="inputSize">The features' (and reconstruction's) size.</param>
    /// <param name="anomalyDetection">Adds PredictedLabel and marks Score as an anomaly score.</param>
    /// <param name="threshold">The anomaly threshold on Score, or null until training has set it.</param>
    /// <param name="thresholdQuantile">Training only: the quantile of the training errors that becomes the threshold.</param>
    public ReconstructionHead(AutoencoderColumnNames names, int latentSize, int inputSize, bool anomalyDetection, double? threshold, double? thresholdQuantile = null)
    {
        _names = names;
        LatentSize = latentSize;
        InputSize = inputSize;
        AnomalyDetection = anomalyDetection;
        Threshold = threshold;
        _thresholdQuantile = thresholdQuantile;
        Columns = Describe(names, anomalyDetection, latentSize, inputSize);
    }

    public override string Name => RegisteredName;

    public override int Version => CurrentVersion;

    public int LatentSize { get; }

    public int InputSize { get; }

    public bool AnomalyDetection { get; }

    /// <summary>The anomaly threshold on Score, or null when not trained for anomaly detection.</summary>
    public double? Threshold { get; }

    public override IReadOnlyList<OutputColumn> Columns { get; }

    public override LabelSource? Label => null;

    private static OutputColumn[] Describe(AutoencoderColumnNames names, bool anomalyDetection, int latentSize, int inputSize)
    {
        var embedding = new OutputColumn(names.Embedding, OutputKind.Vector, latentSize);
        var reconstruction = new OutputColumn(names.Reconstruction, OutputKind.Vector, inputSize);
        if (!anomalyDetection)
            return [embedding, reconstruction, new OutputColumn(names.Score, OutputKind.Single)];
        const string kind = AnnotationUtils.Const.ScoreColumnKind.AnomalyDetection;
        return
        [
            embedding, reconstruction,
            new OutputColumn(names.Score, OutputKind.Single, 1, kind, AnnotationUtils.Const.ScoreValueKind.Score),
            new OutputColumn(names.PredictedLabel, OutputKind.Boolean, 1, kind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel),
        ];
    }

    public override int NetworkOutputSize(int inputSize) => inputSize;

    public override string ChecksummedFields()
        => FormattableString.Invariant($"{_names.Embedding}|{_names.Reconstruction}|{_names.Score}|{_names.PredictedLabel}|{LatentSize}|{AnomalyDetection}|{(Threshold ?? 0).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");

    public override string Describe() => FormattableString.Invariant($"reconstruction of {InputSize} values through {LatentSize} latent values") +
        (AnomalyDetection ? ", anomaly detection" : "");

    public override void CheckArchitecture(NetworkArchitecture architecture)
    {
        if (architecture is not AutoencoderArchitecture autoencoder || autoencoder.LatentSize != LatentSize)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"an autoencoder model with a latent size of {LatentSize} holds {architecture}."));
    }

    public override HeadLoss CreateLoss(Device device) => new SquaredErrorLoss(null);

    public override IReadOnlyList<MetricDefinition> Metrics => ErrorMetrics.Definitions;

    public override MetricAccumulator CreateMetrics() => new ErrorMetrics(null, InputSize);

    public override Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var scope = NewDisposeScope();
        var autoencoder = (IEncoderDecoder)module;
        var latent = autoencoder.Encode(input);
        var reconstruction = autoencoder.Decode(latent);
        var error = Error(reconstruction, input);
        if (!AnomalyDetection)
            return cat([latent, reconstruction, error], 1).MoveToOuterDisposeScope();
        double threshold = Threshold ?? throw new InvalidOperationException("The anomaly threshold is set after training; nothing scores before it.");
        // Compared in double precision, as the threshold is: a float error just above it must count as above.
        // A row that cannot be scored (NaN or infinite features give a NaN error) is flagged: never silently "normal".
        var anomalous = error.to_type(ScalarType.Float64).gt(threshold).logical_or(error.isnan()).to_type(ScalarType.Float32);
        return cat([latent, reconstruction, error, anomalous], 1).MoveToOuterDisposeScope();
    }

    public override string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize)
    {
        var autoencoder = module as AutoencoderModule ?? throw new NotSupportedException(
            $"The {graph.Owner} cannot be exported to ONNX: its module {module.GetType().Name} (a custom autoencoder) has no ONNX form. Score it with the {graph.Owner} itself.");
        string latent = autoencoder.ExportEncoder(graph, rows, inputSize);
        string reconstruction = autoencoder.ExportDecoder(graph, latent);
        string difference = graph.Sub(reconstruction, rows);
        string error = graph.Op("ReduceMean", graph.Mul(difference, difference), ("axes", new[] { 1L }), ("keepdims", 1L));
        if (!AnomalyDetection)
            return [latent, reconstruction, error];
        double threshold = Threshold ?? throw new InvalidOperationException("The anomaly threshold is set after training; nothing exports before it.");
        // A float error is above the double threshold exactly when it is above the largest float not above it.
        float below = (float)threshold;
        if (below > threshold)
            below = MathF.BitDecrement(below);
        return [latent, reconstruction, error, graph.Op("Or", [graph.Op("Greater", [error, graph.Float(below, "threshold")]), graph.Op("IsNaN", error)])];
    }

    /// <summary>The Score: each row's mean squared reconstruction error, [rows, 1].</summary>
    private static Tensor Error(Tensor reconstruction, Tensor input) => (reconstruction - input).square().mean([1], keepdim: true);

    /// <summary>For anomaly detection, sets the threshold: the asked-for quantile of the training rows' errors.</summary>
    public override NetworkHead Complete(nn.Module<Tensor, Tensor> module, BatchSource training, BatchSource? validation, int batchSize, IChannel channel, System.Threading.CancellationToken cancellation)
    {
        if (_thresholdQuantile is not double quantile)
            return this;
        var autoencoder = (IEncoderDecoder)module;
        using var noGrad = no_grad();
        var errors = new List<float>();
        training.ForEachInOrder(batchSize, (x, _) => errors.AddRange(Error(autoencoder.Decode(autoencoder.Encode(x)), x).cpu().data<float>().ToArray()), cancellation);
        return new ReconstructionHead(_names, LatentSize, InputSize, AnomalyDetection, Quantile(errors.ToArray(), quantile));
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

    private protected override void WriteFields(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(_names.Embedding);
        ctx.SaveNonEmptyString(_names.Reconstruction);
        ctx.SaveNonEmptyString(_names.Score);
        ctx.SaveNonEmptyString(_names.PredictedLabel);
        ctx.Writer.Write(LatentSize);
        ctx.Writer.Write(AnomalyDetection);
        ctx.Writer.Write(Threshold ?? 0);
    }

    /// <summary>Reads the fields <see cref="WriteFields"/> writes; <paramref name="inputSize"/> comes from the model's common fields.</summary>
    internal static ReconstructionHead ReadFields(ModelLoadContext ctx, int version, int inputSize)
    {
        if (version > CurrentVersion)
            throw Newer(RegisteredName, version, CurrentVersion);
        var names = ReadNames(ctx);
        int latent = ctx.Reader.ReadInt32();
        bool anomalyDetection = ctx.Reader.ReadBoolean();
        double threshold = ctx.Reader.ReadDouble();
        if (latent < 1 || !double.IsFinite(threshold))
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"latent size {latent}, threshold {threshold}."));
        return new ReconstructionHead(names, latent, inputSize, anomalyDetection, anomalyDetection ? threshold : null);
    }

    /// <summary>The four column names, in the order both this head and a 0.1.0 autoencoder model write them.</summary>
    internal static AutoencoderColumnNames ReadNames(ModelLoadContext ctx)
        => new(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());

    /// <summary>The reconstruction head an autoencoder's output column names and anomaly settings ask for.</summary>
    /// <param name="names">The output column names.</param>
    /// <param name="anomalyDetection">Adds PredictedLabel.</param>
    /// <param name="thresholdQuantile">Anomaly detection: the quantile of the training errors that becomes the threshold.</param>
    internal sealed class Spec(AutoencoderColumnNames names, bool anomalyDetection, double thresholdQuantile) : HeadSpec
    {
        private readonly AutoencoderColumnNames _names = names;

        public override IEnumerable<SchemaShape.Column> OutputShape(SchemaShape inputSchema)
            => Describe(_names, anomalyDetection, latentSize: 0, inputSize: 0).Select(c => c.ToShape(label: null));

        public override NetworkHead Resolve(DataViewSchema trainingSchema, NetworkArchitecture architecture, int inputSize)
            => new ReconstructionHead(_names, ((AutoencoderArchitecture)architecture).LatentSize, inputSize, anomalyDetection, threshold: null,
                anomalyDetection ? thresholdQuantile : null);

        public override void CheckValidationData(DataViewSchema validationSchema, NetworkHead head)
        {
        }
    }
}
