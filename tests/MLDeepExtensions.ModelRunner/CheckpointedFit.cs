using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using MLDeepExtensions;
using MLDeepExtensions.Training;

namespace MLDeepExtensions.ModelRunner;

/// <summary>
/// The fit of the kill-and-resume test (<c>ModelRunner checkpoint-fit &lt;folder&gt; &lt;pause&gt;</c>): DeterministicFit's
/// data and network (dropout, batch norm, a validation split), Adam with ReduceOnPlateau, early stopping that restores
/// the best weights, a checkpoint after every epoch, resuming from the folder. With a pause point it prints "paused"
/// there and waits to be killed: "batch:E:B" after batch B of epoch E, "write:E" with half of epoch E's checkpoint
/// written. Without one it finishes and prints the hashes of the saved network and the scores, and the history.
/// </summary>
internal static class CheckpointedFit
{
    public const int Epochs = 6;

    public static int Run(string folder, string pause)
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(DeterministicFit.Rows(240));
        var options = new DeepNetworkOptions
        {
            LabelColumnName = nameof(DeterministicFit.Row.Label),
            Architecture = new MlpArchitecture(16, 8) { Dropout = 0.1f, BatchNormalization = true },
            Optimizer = OptimizerSettings.Adam(0.01) with { Schedule = LearningRateSchedule.ReduceOnPlateau(0.5, patience: 0) },
            Epochs = Epochs,
            BatchSize = 32,
            ValidationFraction = 0.2f,
            EarlyStopping = new EarlyStoppingOptions { Patience = Epochs },
            Seed = 3,
            NumberOfThreads = DeterministicFit.Threads,
            Checkpoints = new CheckpointOptions(folder) { Resume = true, KeepLast = 2 },
        };
        if (pause.StartsWith("batch:", StringComparison.Ordinal))
        {
            var parts = pause.Split(':');
            options.Callbacks.Add(new PauseAt(int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)));
        }
        else if (pause.StartsWith("write:", StringComparison.Ordinal))
        {
            string file = FormattableString.Invariant($"epoch-{int.Parse(pause[6..], CultureInfo.InvariantCulture):D6}.checkpoint");
            CheckpointStore.HalfWrittenForTests = name =>
            {
                if (name == file)
                    Paused();
            };
        }
        using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        var (network, scores) = DeterministicFit.Hashes(ml, model, data);
        Console.WriteLine($"network-sha256={network}");
        Console.WriteLine($"scores-sha256={scores}");
        Console.WriteLine("history=" + string.Join(";", model.History.Select(m =>
            FormattableString.Invariant($"{m.Epoch},{m.TrainingLoss:R},{m.ValidationLoss:R},{m.ValidationMetric:R},{m.LearningRate:R}"))) +
            FormattableString.Invariant($";selected {model.History.SelectedEpoch}, stopped early {model.History.StoppedEarly}"));
        return 0;
    }

    private static void Paused()
    {
        Console.WriteLine("paused");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }

    private sealed class PauseAt(int epoch, int batch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, int e, int b)
        {
            if (e == epoch && b == batch)
                Paused();
        }
    }
}
