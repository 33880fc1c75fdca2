using System;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>sequence</c> section (benchmarks/RESULTS-sequence.md): attention against recurrence at about equal parameter
/// count on a real sequence task, Fashion-MNIST read as 28 rows of 28 pixels: an LSTM, a GRU and a Transformer encoder,
/// each trained the same way (Adam 0.002 with a cosine schedule, batches of 128, the same epochs), test accuracy and fit
/// time. The settings were chosen for equal size before the run, not tuned on it.
/// </summary>
internal static class SequenceSection
{
    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        int epochs = options.Epochs(5);
        var shape = new SequenceShape(28, 28);
        var networks = new (string Name, NetworkArchitecture Architecture)[]
        {
            ("LSTM 64, last state", new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = 64, InputShape = shape }),
            ("GRU 74, last state", new RnnArchitecture { Cell = RecurrentCell.Gru, HiddenSize = 74, InputShape = shape }),
            ("Transformer 2 × 36 (4 heads, feed-forward 72), class token", new TransformerArchitecture
            {
                ModelSize = 36, Heads = 4, EncoderLayers = 2, FeedForwardSize = 72, Pooling = SequencePooling.ClassToken, InputShape = shape,
            }),
            ("Transformer 2 × 36, mean pooling, no dropout", new TransformerArchitecture
            {
                ModelSize = 36, Heads = 4, EncoderLayers = 2, FeedForwardSize = 72, Pooling = SequencePooling.Mean, EncoderDropout = 0, InputShape = shape,
            }),
        };
        var table = new MarkdownTable("Network", "Parameters", "Test accuracy", "Fit", "Per epoch");
        foreach (var (name, architecture) in networks)
        {
            report.Section($"Sequence: {name}, {epochs} epochs on {data.TrainCount} images as 28 rows");
            var estimator = data.MLContext.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Pixels",
                Architecture = architecture,
                Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Schedule = LearningRateSchedule.Cosine() },
                Epochs = epochs,
                BatchSize = 128,
                Seed = 1,
                Progress = new ClassifierRun.EpochPrinter(),
            });
            var (accuracy, seconds, model) = ClassifierRun.FitAndEvaluate(data, estimator);
            using (model)
            {
                long parameters = model.LastTransformer.ParameterCount;
                report.Add(name, $"accuracy {accuracy:F4}, {parameters:N0} parameters, fit {seconds:F0} s");
                table.Row(name, $"{parameters:N0}", $"{accuracy:F4}", $"{seconds:F0} s", $"{seconds / epochs:F1} s");
            }
        }
        report.Results.AddTable("Sequences: a Transformer encoder against LSTM and GRU",
            $"Fashion-MNIST ({data.TrainCount} training, {data.TestImages.Length} test images), each image read as 28 steps of 28 pixels; about equal parameter counts; " +
            $"Adam 0.002 with a cosine schedule, batches of 128, {epochs} epochs, seed 1, 2 threads. Fit time includes reading the data.", table);
    }
}
