using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Tests;

/// <summary>A row of 16 features (a 4×4 image, or 4 steps × 4 features) and a regression target.</summary>
public sealed class SixteenRow
{
    [VectorType(16)]
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Target { get; set; }
}

/// <summary>The Score every tiny network writes: the regression prediction, or an autoencoder's reconstruction error.</summary>
public sealed class ScoreOutput
{
    public float Score { get; set; }
}

/// <summary>
/// One tiny fitted network per architecture on the same generated rows, for the workouts every architecture must pass
/// (threads, native memory): "mlp", "cnn", "lstm", "gru", "transformer", "autoencoder", "conv-autoencoder", "resnet", "ft-transformer".
/// </summary>
public static class TestNetworks
{
    public static readonly string[] Kinds = { "mlp", "cnn", "lstm", "gru", "transformer", "autoencoder", "conv-autoencoder", "resnet", "ft-transformer" };

    /// <summary>Rows whose target is the first half of the features minus the second half, plus a little noise.</summary>
    public static SixteenRow[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
            return new SixteenRow { Features = x, Target = x.Take(8).Sum() - x.Skip(8).Sum() + 0.05f * (float)random.NextDouble() };
        }).ToArray();
    }

    /// <summary>An unfitted estimator of the given kind that scores in batches of <paramref name="scoringBatchSize"/>.</summary>
    public static IEstimator<ITransformer> Estimator(MLContext ml, string kind, int epochs = 2, int scoringBatchSize = 64, DataLoadingOptions? loading = null,
        bool shuffle = true, float validationFraction = 0)
    {
        var shape = new ImageShape(1, 4, 4);
        NetworkArchitecture architecture = kind switch
        {
            "mlp" => new MlpArchitecture(16),
            "cnn" => new CnnArchitecture(shape) { ConvolutionBlocks = new[] { new ConvolutionBlock(4) { Pooling = PoolingKind.Max, BatchNormalization = true } }, HiddenLayers = new[] { 8 } },
            "lstm" => new RnnArchitecture { InputShape = new SequenceShape(4, 4), HiddenSize = 8 },
            "gru" => new RnnArchitecture { Cell = RecurrentCell.Gru, InputShape = new SequenceShape(4, 4), HiddenSize = 8, Bidirectional = true },
            "transformer" => new TransformerArchitecture { InputShape = new SequenceShape(4, 4), ModelSize = 8, Heads = 2, FeedForwardSize = 16 },
            "autoencoder" => new AutoencoderArchitecture(4, 8),
            "conv-autoencoder" => new AutoencoderArchitecture(4) { InputShape = shape, ConvolutionBlocks = new[] { new ConvolutionBlock(4) { Pooling = PoolingKind.Max } } },
            "ft-transformer" => new FtTransformerArchitecture { ModelSize = 8, Heads = 2 },
            "resnet" => new ResidualCnnArchitecture(shape) { StemChannels = 4, Stages = new[] { 4, 8 }, BlocksPerStage = 1, HiddenLayers = new[] { 8 } },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown test network"),
        };
        if (architecture is AutoencoderArchitecture autoencoder)
            return ml.Transforms.Autoencoder(new AutoencoderOptions
            {
                FeatureColumnName = nameof(SixteenRow.Features), Architecture = autoencoder, Epochs = epochs, BatchSize = 32, Seed = 1,
                ScoringBatchSize = scoringBatchSize, DataLoading = loading ?? new(), Shuffle = shuffle, ValidationFraction = validationFraction,
            });
        return ml.Regression.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            LabelColumnName = nameof(SixteenRow.Target), FeatureColumnName = nameof(SixteenRow.Features), Architecture = architecture,
            Epochs = epochs, BatchSize = 32, Seed = 1, ScoringBatchSize = scoringBatchSize, DataLoading = loading ?? new(), Shuffle = shuffle,
            ValidationFraction = validationFraction,
        });
    }

    /// <summary>The Score column of <paramref name="model"/> applied to <paramref name="data"/>.</summary>
    public static float[] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float>("Score").ToArray();

    /// <summary>Predicts every row with a new PredictionEngine that does not own (and so does not dispose) the model.</summary>
    public static float[] Predict(MLContext ml, ITransformer model, IReadOnlyList<SixteenRow> rows)
    {
        using var engine = ml.Model.CreatePredictionEngine<SixteenRow, ScoreOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return rows.Select(row => engine.Predict(row).Score).ToArray();
    }
}
