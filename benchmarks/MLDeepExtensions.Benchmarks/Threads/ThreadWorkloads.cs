using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// One fixed fit of the <c>threads</c> section: a network, its training data and how long it trains, with the thread
/// count left to the caller (null: the library's default).
/// </summary>
/// <param name="Key">The name <c>--networks</c> selects it by.</param>
/// <param name="Name">What the network is.</param>
/// <param name="Rows">Training rows.</param>
/// <param name="Epochs">Epochs of every fit.</param>
/// <param name="BatchSize">Rows per training batch.</param>
/// <param name="Train">The training data (read anew by every fit).</param>
/// <param name="Estimator">The whole pipeline for a thread count (null: NumberOfThreads left unset).</param>
/// <param name="MeanSteps">
/// For variable-length sequences, the mean number of steps: the multiply-add estimate's factor for a recurrent layer whose
/// output shape the summary could not measure (it runs on packed sequences); null otherwise.
/// </param>
internal sealed record ThreadWorkload(string Key, string Name, int Rows, int Epochs, int BatchSize, IDataView Train,
    Func<int?, IEstimator<ITransformer>> Estimator, double? MeanSteps = null)
{
    /// <summary>The fit as text, e.g. "20,000 rows × 30 epochs, batch 128".</summary>
    public string Work => $"{Rows:N0} rows × {Epochs} epoch{(Epochs == 1 ? "" : "s")}, batch {BatchSize:N0}";
}

/// <summary>
/// The networks of the <c>threads</c> section, each sized to fit in 2–10 s with 2 threads on 2 idle cores (on the full
/// Fashion-MNIST: with fewer images, e.g. the repository's subset, the epochs grow so that each fit reads about as many
/// rows). <c>--quick</c> shrinks every fit to a smoke test.
/// </summary>
internal static class ThreadWorkloads
{
    /// <summary>The networks, in the order they run.</summary>
    public static readonly string[] Keys = { "mlp", "cnn", "gru", "lstm-variable", "forecaster", "tabular" };

    public static ThreadWorkload Create(string key, BenchmarkData data, bool quick) => key switch
    {
        "mlp" => Images(data, key, "MLP 128-64 on Fashion-MNIST pixels", quick, rows: 20_000, epochs: 30,
            new MlpArchitecture(128, 64)),
        "cnn" => Images(data, key, "CNN (CnnArchitecture defaults: conv 32-64, dense 128) on Fashion-MNIST", quick, rows: 6_000, epochs: 2,
            new CnnArchitecture(new ImageShape(1, 28, 28))),
        "gru" => Images(data, key, "GRU 32 over Fashion-MNIST rows (28 steps × 28)", quick, rows: 20_000, epochs: 4,
            new RnnArchitecture { Cell = RecurrentCell.Gru, HiddenSize = 32, InputShape = new SequenceShape(28, 28) }),
        "lstm-variable" => VariableLengthRows(data, key, quick, rows: 10_000, epochs: 2),
        "forecaster" => Forecaster(data.MLContext, key, quick),
        "tabular" => Tabular(data.MLContext, key, quick),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, $"Unknown network; known: {string.Join(", ", Keys)}."),
    };

    private const int ImageBatchSize = 128;

    /// <summary>The first rows (at most what was loaded) and epochs scaled up when fewer rows than asked were loaded.</summary>
    private static (int Rows, int Epochs) Size(int available, bool quick, int rows, int epochs)
    {
        if (quick)
            return (Math.Min(1_000, available), 1);
        int used = Math.Min(rows, available);
        return (used, Math.Max(epochs, (int)Math.Round((double)rows * epochs / used)));
    }

    private static DeepNetworkOptions ImageOptions(string features, NetworkArchitecture architecture, int epochs, int? threads) => new()
    {
        LabelColumnName = "Label",
        FeatureColumnName = features,
        Architecture = architecture,
        Optimizer = OptimizerSettings.Adam(1e-3),
        Epochs = epochs,
        BatchSize = ImageBatchSize,
        Shuffle = true,
        Seed = 1,
        NumberOfThreads = threads,
    };

    private static ThreadWorkload Images(BenchmarkData data, string key, string name, bool quick, int rows, int epochs, NetworkArchitecture architecture)
    {
        var ml = data.MLContext;
        var (used, fitEpochs) = Size(data.TrainCount, quick, rows, epochs);
        var train = ml.Data.LoadFromEnumerable(data.TrainImages.Take(used).ToArray());
        return new ThreadWorkload(key, name, used, fitEpochs, ImageBatchSize, train, threads => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DeepNetwork(ImageOptions(nameof(FashionImage.Pixels), architecture, fitEpochs, threads))));
    }

    /// <summary>
    /// An LSTM 64 over each image's rows from its first to its last row with a pixel (blank rows above and below left
    /// out): sequences of 28 values per step, of different lengths, packed by the library.
    /// </summary>
    private static ThreadWorkload VariableLengthRows(BenchmarkData data, string key, bool quick, int rows, int epochs)
    {
        var ml = data.MLContext;
        var (used, fitEpochs) = Size(data.TrainCount, quick, rows, epochs);
        var sequences = data.TrainImages.Take(used).Select(Crop).ToArray();
        double meanSteps = sequences.Average(s => s.Rows.Length / 28.0);
        var architecture = new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = 64, FeaturesPerStep = 28 };
        return new ThreadWorkload(key, $"LSTM 64 over the image rows that hold pixels (variable length, mean {meanSteps:F1} of 28 steps × 28)",
            used, fitEpochs, ImageBatchSize, ml.Data.LoadFromEnumerable(sequences),
            threads => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.DeepNetwork(ImageOptions(nameof(RowSequence.Rows), architecture, fitEpochs, threads))),
            meanSteps);
    }

    private static RowSequence Crop(FashionImage image)
    {
        bool Inked(int row) => image.Pixels.AsSpan(row * 28, 28).ContainsAnyExcept(0f);
        int first = Enumerable.Range(0, 28).FirstOrDefault(Inked, 0);
        int last = Enumerable.Range(0, 28).LastOrDefault(Inked, 27);
        return new RowSequence { Rows = image.Pixels[(first * 28)..((last + 1) * 28)], Label = image.Label };
    }

    /// <summary>The forecasting defaults (MLP 128-128, batch 32) on the Mauna Loa CO₂ series' training windows, more epochs than the default 100.</summary>
    private static ThreadWorkload Forecaster(MLContext ml, string key, bool quick)
    {
        var series = ForecastingSection.All[0];
        var values = ForecastingSection.Load(series.File);
        int testCount = (int)Math.Round(values.Length * 0.2);
        var split = ml.Data.CreateForecastingSplit(ml.Data.LoadFromEnumerable(values.Select(v => new ForecastingSection.SeriesValue { Value = v })),
            nameof(ForecastingSection.SeriesValue.Value), series.Lookback, series.Horizon, testCount);
        int windows = (int)(split.Train.GetRowCount() ?? 0);
        int epochs = quick ? 10 : 250;
        var defaults = new ForecastingOptions();
        return new ThreadWorkload(key, $"Forecaster, defaults ({defaults.Architecture}) on {series.Name} (lookback {series.Lookback}, horizon {series.Horizon})",
            windows, epochs, defaults.BatchSize, split.Train,
            threads => ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = epochs, Seed = 1, NumberOfThreads = threads }));
    }

    /// <summary>The tabular recipe (MLP 256-128 with batch norm, batches of 1,024) on the Landsat satellite set's training rows, more epochs than its 30.</summary>
    private static ThreadWorkload Tabular(MLContext ml, string key, bool quick)
    {
        const int trainingRows = 4_435; // the set's own split
        var (rows, width) = TabularSection.Load("satellite.csv.gz");
        var schema = SchemaDefinition.Create(typeof(TabularSection.TabularRow));
        schema[nameof(TabularSection.TabularRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var train = ml.Data.LoadFromEnumerable(rows.Take(trainingRows), schema);
        var recipe = TabularSection.Recipe() with { Epochs = quick ? 5 : 120 };
        return new ThreadWorkload(key, $"Tabular recipe (MLP 256-128, batch norm) on Statlog Landsat satellite ({width} features)",
            trainingRows, recipe.Epochs!.Value, recipe.BatchSize, train,
            threads => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.DeepNetwork(recipe with { NumberOfThreads = threads })));
    }

    private sealed class RowSequence
    {
        /// <summary>28 pixels per step, a variable number of steps.</summary>
        public float[] Rows { get; set; } = [];

        public string Label { get; set; } = "";
    }
}
