using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.ModelRunner;

namespace MLDeepExtensions.Tests.Estimators;

/// <summary>
/// One small case per head and architecture (and ML.NET trainers as controls) for <see cref="DataViewConformanceTests"/>:
/// data already prepared for the estimator (keys mapped, tokens made), whose feature column is always "Features", the
/// estimator, and the ML.NET trainer of the same task whose output annotations ours must carry (none where ML.NET has no
/// trainer for the task).
/// </summary>
internal sealed record ConformanceCase(MLContext Ml, IDataView Data, IEstimator<ITransformer> Estimator, (IEstimator<ITransformer> Trainer, IDataView Data)? AnnotationControl)
{
    public const string Features = "Features";

    public static readonly string[] Names =
    {
        "mlp-multiclass", "mlp-binary", "mlp-regression", "mlp-multioutput", "mlp-categorical", "cnn", "lstm", "gru-bidirectional",
        "rnn-variable", "rnn-tokens", "custom-module", "autoencoder", "conv-autoencoder", "anomaly-autoencoder", "forecasting",
        "mlp-multilabel", "transformer", "transformer-variable", "transformer-tokens", "forecasting-transformer", "resnet", "ft-transformer", "ft-transformer-multiclass", "control-mlnet-regression", "control-mlnet-multiclass",
    };

    public sealed class VariableRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Target { get; set; }
    }

    public sealed class TextRow
    {
        public string Text { get; set; } = "";

        public bool Positive { get; set; }
    }

    public sealed class TaggedRow
    {
        [VectorType(4)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(3)]
        public bool[] Tags { get; set; } = Array.Empty<bool>();
    }

    public sealed class Point
    {
        public float Value { get; set; }
    }

    private static DeepNetworkOptions Tiny(string label) => TestData.Tiny(label, epochs: 2) with { ScoringBatchSize = 32 };

    public static ConformanceCase Create(string name)
    {
        var ml = new MLContext(seed: 3);
        var generated = ml.Data.LoadFromEnumerable(TestData.Generate(150, seed: 5));
        var sixteen = ml.Data.LoadFromEnumerable(TestNetworks.Rows(150, seed: 5));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", nameof(GeneratedRow.Class)).Fit(generated).Transform(generated);
        var classifierTrainer = ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", Features, maximumNumberOfIterations: 5);
        var regressorTrainer = ml.Regression.Trainers.Sdca(nameof(GeneratedRow.Target), Features, maximumNumberOfIterations: 5);
        (IEstimator<ITransformer>, IDataView) classifier = (classifierTrainer, keyed), regressor = (regressorTrainer, generated);
        (IEstimator<ITransformer>, IDataView) binary = (ml.BinaryClassification.Trainers.SdcaLogisticRegression(nameof(GeneratedRow.Positive), Features, maximumNumberOfIterations: 5), generated);
        return name switch
        {
            "mlp-multiclass" => new(ml, keyed, ml.MulticlassClassification.Trainers.DeepNetwork(Tiny("Label")), classifier),
            "mlp-binary" => new(ml, generated, ml.BinaryClassification.Trainers.DeepNetwork(Tiny(nameof(GeneratedRow.Positive))), binary),
            "mlp-regression" => new(ml, generated, ml.Regression.Trainers.DeepNetwork(Tiny(nameof(GeneratedRow.Target))), regressor),
            "mlp-multioutput" => new(ml, generated, ml.Transforms.DeepNetwork(Tiny(nameof(GeneratedRow.Targets))), null),
            "mlp-categorical" => new(ml, keyed, ml.Regression.Trainers.DeepNetwork(Tiny(nameof(GeneratedRow.Target)) with { CategoricalColumns = new[] { new CategoricalColumn("Label") } }), regressor),
            "cnn" or "lstm" or "resnet" => new(ml, sixteen, TestNetworks.Estimator(ml, name, epochs: 1, scoringBatchSize: 32), regressor),
            "gru-bidirectional" => new(ml, sixteen, TestNetworks.Estimator(ml, "gru", epochs: 1, scoringBatchSize: 32), regressor),
            "rnn-variable" => new(ml, Variable(ml), ml.Regression.Trainers.DeepNetwork(Tiny(nameof(VariableRow.Target)) with
            {
                Architecture = new RnnArchitecture { HiddenSize = 8, FeaturesPerStep = 2, Pooling = SequencePooling.Mean },
            }), regressor),
            "rnn-tokens" => new(ml, Tokens(ml), ml.BinaryClassification.Trainers.DeepNetwork(Tiny(nameof(TextRow.Positive)) with
            {
                Architecture = new RnnArchitecture { Cell = RecurrentCell.Gru, HiddenSize = 8, EmbeddingSize = 4 },
            }), binary),
            "custom-module" => new(ml, keyed, ml.MulticlassClassification.Trainers.DeepNetwork(Tiny("Label") with { Architecture = new CustomArchitecture(ExampleModules.ResidualMlpName) }), classifier),
            "autoencoder" or "conv-autoencoder" => new(ml, sixteen, TestNetworks.Estimator(ml, name, epochs: 1, scoringBatchSize: 32), null),
            "anomaly-autoencoder" => new(ml, sixteen, ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderOptions
            {
                FeatureColumnName = Features, Architecture = new AutoencoderArchitecture(4, 8), Epochs = 1, Seed = 1, ScoringBatchSize = 32,
            }), (ml.AnomalyDetection.Trainers.RandomizedPca(Features, rank: 4), sixteen)),
            // Calibrated (Auto with held-out windows): the engines are compared on conformal bounds.
            "forecasting" => new(ml, Windows(ml), ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 2, Seed = 1, ScoringBatchSize = 32, ValidationFraction = 0.25f }), null),
            "mlp-multilabel" => new(ml, Tagged(ml), ml.MultiLabelClassification.Trainers.DeepNetwork(new MultiLabelOptions
            {
                LabelColumnName = nameof(TaggedRow.Tags), Architecture = new MlpArchitecture(16), Epochs = 2, Seed = 1, ScoringBatchSize = 32,
            }), null),
            "transformer" => new(ml, sixteen, ml.Regression.Trainers.DeepNetwork(Tiny(nameof(SixteenRow.Target)) with
            {
                Architecture = new TransformerArchitecture { ModelSize = 8, Heads = 2, FeedForwardSize = 16, InputShape = new SequenceShape(8, 2) },
            }), regressor),
            "transformer-variable" => new(ml, Variable(ml), ml.Regression.Trainers.DeepNetwork(Tiny(nameof(VariableRow.Target)) with
            {
                Architecture = new TransformerArchitecture { ModelSize = 8, Heads = 2, FeedForwardSize = 16, FeaturesPerStep = 2, Pooling = SequencePooling.Last },
            }), regressor),
            "transformer-tokens" => new(ml, Tokens(ml), ml.BinaryClassification.Trainers.DeepNetwork(Tiny(nameof(TextRow.Positive)) with
            {
                Architecture = new TransformerArchitecture { ModelSize = 8, Heads = 2, FeedForwardSize = 16, Pooling = SequencePooling.ClassToken, Positions = PositionEncoding.Sinusoidal },
            }), binary),
            "forecasting-transformer" => new(ml, Windows(ml), ml.Forecasting.DeepNetwork(new ForecastingOptions
            {
                Epochs = 2, Seed = 1, ScoringBatchSize = 32, Architecture = new TransformerArchitecture { ModelSize = 8, Heads = 2, FeedForwardSize = 16 },
            }), null),
            "ft-transformer" => new(ml, keyed, ml.Regression.Trainers.DeepNetwork(Tiny(nameof(GeneratedRow.Target)) with
            {
                Architecture = new FtTransformerArchitecture { ModelSize = 8, Heads = 2 }, CategoricalColumns = new[] { new CategoricalColumn("Label") },
            }), regressor),
            "ft-transformer-multiclass" => new(ml, keyed, ml.MulticlassClassification.Trainers.DeepNetwork(Tiny("Label") with
            {
                Architecture = new FtTransformerArchitecture { ModelSize = 8, Heads = 2, HiddenLayers = [8] },
            }), classifier),
            "control-mlnet-regression" => new(ml, generated, regressorTrainer, null),
            "control-mlnet-multiclass" => new(ml, keyed, classifierTrainer, null),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown conformance case"),
        };
    }

    /// <summary>Sequences of 2 to 7 steps of 2 features; the target is the mean of the first feature.</summary>
    private static IDataView Variable(MLContext ml)
    {
        var random = new Random(4);
        return ml.Data.LoadFromEnumerable(Enumerable.Range(0, 150).Select(_ =>
        {
            var values = Enumerable.Range(0, 2 * random.Next(2, 8)).Select(_ => (float)random.NextDouble()).ToArray();
            return new VariableRow { Features = values, Target = values.Where((_, i) => i % 2 == 0).Average() };
        }).ToList());
    }

    /// <summary>Short sentences whose label says whether a "good" word occurs, as token keys in "Features".</summary>
    private static IDataView Tokens(MLContext ml)
    {
        string[] good = { "fine", "lovely", "great" }, other = { "the", "a", "day", "was", "film", "plot", "dull", "slow" };
        var random = new Random(6);
        var rows = Enumerable.Range(0, 150).Select(i =>
        {
            var words = Enumerable.Range(0, random.Next(2, 6)).Select(_ => other[random.Next(other.Length)]).ToList();
            if (i % 2 == 0)
                words.Insert(random.Next(words.Count), good[random.Next(good.Length)]);
            return new TextRow { Text = string.Join(' ', words), Positive = i % 2 == 0 };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Text.TokenizeIntoWords(Features, nameof(TextRow.Text)).Append(ml.Transforms.Conversion.MapValueToKey(Features))
            .Fit(data).Transform(data);
    }

    /// <summary>The generated rows with three tags each: Positive, Target above 0.5, and x0·x1 above 0.</summary>
    private static IDataView Tagged(MLContext ml)
        => ml.Data.LoadFromEnumerable(TestData.Generate(150, seed: 5).Select(r => new TaggedRow
        {
            Features = r.Features, Tags = [r.Positive, r.Target > 0.5f, r.Features[0] * r.Features[1] > 0],
        }).ToList());

    /// <summary>Windows of 12 steps and 2 ahead from a noisy seasonal series.</summary>
    private static IDataView Windows(MLContext ml)
    {
        var random = new Random(8);
        var series = Enumerable.Range(0, 120).Select(t => new Point { Value = (float)(5 + Math.Sin(2 * Math.PI * t / 12) + 0.2 * random.NextDouble()) }).ToList();
        return ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(series), nameof(Point.Value), lookback: 12, horizon: 2);
    }

    /// <summary>The data without its feature column: every estimator and transformer must refuse it.</summary>
    public IDataView WithoutFeatures() => Ml.Transforms.DropColumns(Features).Fit(Data).Transform(Data);
}
