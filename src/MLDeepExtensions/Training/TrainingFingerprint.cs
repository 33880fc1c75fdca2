using System;
using System.Threading;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.ML;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>
/// Everything a fit's trajectory depends on, as named text values: stored in every checkpoint and compared on resume,
/// so that a checkpoint made with other options, data or architecture is refused with the name of what differs.
/// Callbacks, progress, cancellation, the thread count and the checkpoint settings themselves are not part of it.
/// </summary>
internal static class TrainingFingerprint
{
    public static IReadOnlyList<(string Name, string Value)> Create(NetworkTrainingOptions options, NetworkArchitecture architecture, string featureColumnType,
        int inputSize, NetworkHead head, BatchSource train, BatchSource? validation, int seed, string initialWeights)
    {
        var optimizer = options.Optimizer;
        static string N(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "default";
        return
        [
            ("architecture", $"{architecture} (settings {SettingsHash(architecture)})"),
            ("feature column", FormattableString.Invariant($"'{options.FeatureColumnName}' of type {featureColumnType}, {inputSize} values per row")),
            ("task", head.Describe()),
            ("training data", Describe(train, options.CancellationToken)),
            ("validation data", validation is null ? "none" : Describe(validation, options.CancellationToken)),
            ("seed", seed.ToString(CultureInfo.InvariantCulture)),
            ("initial weights", initialWeights),
            ("optimizer", $"{optimizer.Kind}, learning rate {N(optimizer.EffectiveLearningRate)}, momentum {N(optimizer.Momentum)}, rho {N(optimizer.Rho)}, " +
                $"beta1 {N(optimizer.Beta1)}, beta2 {N(optimizer.Beta2)}, epsilon {N(optimizer.Epsilon)}, weight decay {N(optimizer.WeightDecay)}, " +
                $"gradient clip norm {N(optimizer.GradientClipNorm)}, schedule {optimizer.Schedule?.ToString() ?? "none"}"),
            (nameof(options.Epochs), options.EpochCount.ToString(CultureInfo.InvariantCulture)),
            (nameof(options.BatchSize), options.BatchSize.ToString(CultureInfo.InvariantCulture)),
            (nameof(options.ScoringBatchSize), options.ScoringBatchSize?.ToString(CultureInfo.InvariantCulture) ?? "default"),
            (nameof(options.Shuffle), options.Shuffle ? "true" : "false"),
            (nameof(options.EarlyStopping), options.EarlyStopping is { } stopping
                ? FormattableString.Invariant($"monitor {stopping.Monitor}, patience {stopping.Patience}, min delta {stopping.MinDelta:R}, restore best {stopping.RestoreBestWeights}") +
                  (stopping.Metric is { } metric ? $", metric {metric}" : "")
                : "none"),
            (nameof(options.FrozenLayers), options.FrozenLayers?.ToString() ?? "none"),
            (nameof(options.SkipNonFiniteBatches), options.SkipNonFiniteBatches ? "true" : "false"),
            // Checkpoints from before validation metrics were kept hold a history without them: refused by this entry.
            ("validation metrics", validation is null ? "none" : string.Join(", ", head.Metrics.Select(m => m.Name))),
            .. head.FingerprintEntries(),
        ];
    }

    /// <summary>The first difference between a checkpoint's fingerprint and the current one, in words, or null when they agree.</summary>
    public static string? Difference(IReadOnlyList<(string Name, string Value)> saved, IReadOnlyList<(string Name, string Value)> current)
    {
        foreach (var (name, value) in current)
        {
            var match = saved.FirstOrDefault(s => s.Name == name);
            if (match.Name is null)
                return $"{name}: the checkpoint does not record it (it was written by another version of MLDeepExtensions); now {value}";
            if (match.Value != value)
                return $"{name}: the checkpoint has {match.Value}; now {value}";
        }
        return null;
    }

    public static void Write(BinaryWriter writer, IReadOnlyList<(string Name, string Value)> fingerprint)
    {
        writer.Write(fingerprint.Count);
        foreach (var (name, value) in fingerprint)
        {
            writer.Write(name);
            writer.Write(value);
        }
    }

    public static IReadOnlyList<(string Name, string Value)> Read(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > 1000)
            throw new InvalidDataException(FormattableString.Invariant($"The checkpoint's description of its fit claims {count} entries."));
        var items = new (string, string)[count];
        for (int i = 0; i < count; i++)
            items[i] = (reader.ReadString(), reader.ReadString());
        return items;
    }

    /// <summary>A short hash of the weights and buffers of a module (the initial model a fit continues from).</summary>
    public static string WeightsHash(nn.Module module)
    {
        using var state = ModuleState.Capture(module);
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
            state.Write(writer);
        return Short(SHA256.HashData(bytes.ToArray()));
    }

    private static string SettingsHash(NetworkArchitecture architecture)
    {
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
            ArchitectureRegistry.Write(writer, architecture);
        return Short(SHA256.HashData(bytes.ToArray()));
    }

    /// <summary>The rows' count and a short hash of their features and labels (one pass when streamed).</summary>
    private static string Describe(BatchSource data, CancellationToken cancellation)
    {
        string contents = data.ContentHash(cancellation);
        return FormattableString.Invariant($"{data.Count} rows, contents {contents}");
    }

    private static string Short(byte[] hash) => Convert.ToHexString(hash, 0, 8).ToLowerInvariant();
}
