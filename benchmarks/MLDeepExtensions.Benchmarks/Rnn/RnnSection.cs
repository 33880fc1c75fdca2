using System;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>rnn</c> section: one-epoch fit time of an LSTM reading each image row by row (28 steps × 28 pixels) against
/// the same network in bare TorchSharp, its Transform throughput, then row-sequence accuracy and sunspot forecasting.
/// </summary>
internal static class RnnSection
{
    public const int BatchSize = 128;
    public const int HiddenSize = 128;

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        if (!options.SkipTiming)
        {
            report.Section($"LSTM fit: 1 epoch, 28 steps × 28 pixels, LSTM {HiddenSize} → output 10, Adam 0.001, batch {BatchSize}, {data.TrainCount} rows " +
                $"({options.Repeats} runs each, alternating, after a warm-up)");
            var (ours, bare) = FitComparison.Run(Architectures.Rnn, data, options.Repeats, Estimator, () => BareModels.RowLstm(HiddenSize), BatchSize, report);
            using (ours)
            using (bare)
                ScoringComparison.Run(Architectures.Rnn, data, ours, bare, predictions: 0, repeats: 5, report);
        }
        if (!options.SkipAccuracy)
        {
            RowSequenceAccuracy.Run(data, options.Epochs(), report);
            ForecastingBenchmark.Run(report);
        }

        DeepNetworkEstimator Estimator(int seed) => data.MLContext.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            Architecture = new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = HiddenSize, InputShape = new SequenceShape(28, 28) },
            Optimizer = OptimizerSettings.Adam(1e-3),
            Epochs = 1,
            BatchSize = BatchSize,
            Shuffle = true,
            Seed = seed,
        });
    }
}
