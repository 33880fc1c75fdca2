using System;

namespace MLDeepExtensions.Benchmarks;

/// <summary>Test-set accuracy of a recurrent network that reads each Fashion-MNIST image as 28 rows of 28 pixels.</summary>
internal static class RowSequenceAccuracy
{
    /// <summary>The accuracy the recipe must reach in 10 epochs on the full set.</summary>
    public const double Target = 0.90;

    /// <summary>The recipe: a bidirectional GRU of 128 per direction over the rows, its last states → output.</summary>
    public static RnnArchitecture Architecture => new()
    {
        Cell = RecurrentCell.Gru,
        HiddenSize = 128,
        Bidirectional = true,
        InputShape = new SequenceShape(28, 28),
    };

    public static void Run(BenchmarkData data, int epochs, Report report)
    {
        var architecture = Architecture;
        report.Section($"RNN accuracy on {data.TestImages.Length} test images, each read as 28 rows of 28 pixels ({architecture})");
        var options = new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            Architecture = architecture,
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Schedule = LearningRateSchedule.Cosine() },
            Epochs = epochs,
            BatchSize = 128,
            Seed = 1,
            Progress = new ClassifierRun.EpochPrinter(),
        };
        var (accuracy, seconds, model) = ClassifierRun.FitAndEvaluate(data, data.MLContext.MulticlassClassification.Trainers.DeepNetwork(options));
        using (model)
        {
            report.Add($"RNN, Adam 0.002 + cosine, batch 128, {epochs} epochs", $"micro accuracy {accuracy:F4} (target >= {Target:F2}), fit {seconds:F0} s ({seconds / epochs:F0} s per epoch)");
            report.Add("parameters", $"{model.LastTransformer.ParameterCount:N0}");
            report.Results.Add(new QualityResult(Architectures.Rnn,
                $"Fashion-MNIST test accuracy, each image as 28 rows: bidirectional GRU 128, {epochs} epochs", "accuracy", "F4", accuracy, seconds,
                Array.Empty<Reference>(), $"≥ {Target:F2}", accuracy >= Target));
        }
    }
}
