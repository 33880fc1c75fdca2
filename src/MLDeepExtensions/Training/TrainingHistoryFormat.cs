using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLDeepExtensions.Persistence;

namespace MLDeepExtensions.Training;

/// <summary>
/// The binary layout of a <see cref="TrainingHistory"/>, in model files (entry "History") and checkpoints: epoch count,
/// selected epoch, stopped-early flag, then per epoch its metrics; since 0.3.0 followed by the validation metrics'
/// names and each epoch's values of them, absent in older model files. Every count is checked against the bytes left.
/// </summary>
internal static class TrainingHistoryFormat
{
    public static void Write(BinaryWriter writer, TrainingHistory history)
    {
        writer.Write(history.Count);
        writer.Write(history.SelectedEpoch);
        writer.Write(history.StoppedEarly);
        foreach (var m in history)
        {
            writer.Write(m.Epoch);
            writer.Write(m.TrainingLoss);
            writer.Write(m.ValidationLoss ?? double.NaN);
            writer.Write(m.ValidationMetric ?? double.NaN);
            writer.Write(m.LearningRate);
            writer.Write(m.Elapsed.Ticks);
        }
        // The named validation metrics: the names in order of first appearance, then per epoch whether it has them and a
        // value for each (NaN where the data could not tell, e.g. an AUC on one class).
        var names = history.SelectMany(m => m.ValidationMetrics.Keys).Distinct().ToArray();
        writer.Write(names.Length);
        foreach (var name in names)
            writer.Write(name);
        foreach (var m in history)
        {
            bool present = m.ValidationMetrics.Count > 0;
            writer.Write(present);
            if (!present)
                continue;
            foreach (var name in names)
                writer.Write(m.ValidationMetrics.TryGetValue(name, out var value) ? value : double.NaN);
        }
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote. <paramref name="withMetrics"/>: whether the named validation metrics
    /// follow (a checkpoint's always do); null reads them when bytes are left (a model file's own History entry, where
    /// files of 0.2.0 and before end after the epochs).
    /// </summary>
    public static TrainingHistory Read(BinaryReader reader, bool? withMetrics = null)
    {
        int count = reader.ReadInt32();
        // Epoch, loss, validation loss and metric, learning rate, elapsed ticks, after the selected epoch and stopped-early flag.
        const int EpochBytes = sizeof(int) + 4 * sizeof(double) + sizeof(long);
        long left = WeightReader.Remaining(reader.BaseStream);
        if (count < 0 || count > 1_000_000 || (long)count * EpochBytes > left - sizeof(int) - sizeof(bool))
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"the training history claims {count} epochs; its {left} bytes hold at most {Math.Max(0, (left - sizeof(int) - sizeof(bool)) / EpochBytes)}."));
        int selected = reader.ReadInt32();
        bool stoppedEarly = reader.ReadBoolean();
        var epochs = new EpochMetrics[count];
        for (int i = 0; i < count; i++)
        {
            int epoch = reader.ReadInt32();
            double loss = reader.ReadDouble();
            double validationLoss = reader.ReadDouble();
            double validationMetric = reader.ReadDouble();
            double learningRate = reader.ReadDouble();
            var elapsed = TimeSpan.FromTicks(reader.ReadInt64());
            epochs[i] = new EpochMetrics(epoch, loss, double.IsNaN(validationLoss) ? null : validationLoss,
                double.IsNaN(validationMetric) ? null : validationMetric, learningRate, elapsed);
        }
        if (withMetrics ?? WeightReader.Remaining(reader.BaseStream) > 0)
            ReadMetrics(reader, epochs);
        var history = new TrainingHistory(epochs) { SelectedEpoch = selected, StoppedEarly = stoppedEarly };
        return history;
    }

    /// <summary>Reads the named validation metrics into <paramref name="epochs"/>, checking the counts against the bytes left.</summary>
    private static void ReadMetrics(BinaryReader reader, EpochMetrics[] epochs)
    {
        int names = reader.ReadInt32();
        long left = WeightReader.Remaining(reader.BaseStream);
        if (names < 0 || names > 1000 || names + epochs.Length > left)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"the training history claims {names} validation metrics; its {left} bytes left cannot hold them for {epochs.Length} epochs."));
        var keys = new string[names];
        for (int i = 0; i < names; i++)
            keys[i] = reader.ReadString();
        for (int e = 0; e < epochs.Length; e++)
        {
            if (!reader.ReadBoolean())
                continue;
            if ((long)names * sizeof(double) > WeightReader.Remaining(reader.BaseStream))
                throw ModelFileErrors.Corrupt(FormattableString.Invariant($"the training history's validation metrics of epoch {epochs[e].Epoch} are cut short."));
            var values = new Dictionary<string, double>(names);
            foreach (var key in keys)
                values[key] = reader.ReadDouble();
            epochs[e] = epochs[e] with { ValidationMetrics = values };
        }
    }
}
