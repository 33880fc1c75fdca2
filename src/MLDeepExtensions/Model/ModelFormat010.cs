using MLDeepExtensions.Persistence;
using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions.Model;

/// <summary>
/// Reads the model files release 0.1.0 wrote (version 0x00010001), one layout per transformer. Kept as long as those
/// files must load: never change what it reads. The fixtures under tests/.../Fixtures/v0.1.0 hold one file of each kind.
/// </summary>
/// <remarks>
/// Supervised (signature DEEPNETW): strings feature, label, score, probability and predicted-label column names; int
/// task; int input size; int output size; bool vector label; int scoring batch size; bool has key values, then the
/// key values as ML.NET's BinarySaver writes a type and value. Autoencoder (DEEPAUTO): strings feature, embedding,
/// reconstruction, score and predicted-label column names; int input size; int scoring batch size; bool has
/// threshold, then the threshold (double). Both: the "Network" stream (architecture name and settings, no settings
/// version) and the "History" stream.
/// </remarks>
internal static class ModelFormat010
{
    public const uint Version = 0x00010001;

    public static NetworkModel Load(IHostEnvironment env, ModelLoadContext ctx, string headName)
    {
        string feature = ctx.LoadNonEmptyString();
        return headName == SupervisedHead.RegisteredName ? LoadSupervised(env, ctx, feature) : LoadAutoencoder(env, ctx, feature);
    }

    private static NetworkModel LoadSupervised(IHostEnvironment env, ModelLoadContext ctx, string feature)
    {
        string label = ctx.LoadNonEmptyString();
        var names = new OutputColumnNames(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
        var task = (DeepNetworkTask)ctx.Reader.ReadInt32();
        int inputSize = ctx.Reader.ReadInt32();
        int outputSize = ctx.Reader.ReadInt32();
        bool vectorLabel = ctx.Reader.ReadBoolean();
        int scoringBatchSize = ctx.Reader.ReadInt32();
        CheckSizes(inputSize, scoringBatchSize);
        var head = SupervisedHead.Loaded(env, ctx, label, names, task, outputSize, vectorLabel);
        return NetworkStreams.Load(env, ctx, head, inputSize, feature, scoringBatchSize, versionedSettings: false);
    }

    private static NetworkModel LoadAutoencoder(IHostEnvironment env, ModelLoadContext ctx, string feature)
    {
        var names = ReconstructionHead.ReadNames(ctx);
        int inputSize = ctx.Reader.ReadInt32();
        int scoringBatchSize = ctx.Reader.ReadInt32();
        bool hasThreshold = ctx.Reader.ReadBoolean();
        double threshold = ctx.Reader.ReadDouble();
        CheckSizes(inputSize, scoringBatchSize);
        if (!double.IsFinite(threshold))
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"threshold {threshold}."));
        // The latent size is the architecture's; the head takes it from there once the network is read (and rejects any other architecture).
        return NetworkStreams.Load(env, ctx, architecture => new ReconstructionHead(names, (architecture as AutoencoderArchitecture)?.LatentSize ?? 0, inputSize,
            hasThreshold, hasThreshold ? threshold : null), inputSize, feature, scoringBatchSize, versionedSettings: false);
    }

    private static void CheckSizes(int inputSize, int scoringBatchSize)
    {
        if (inputSize < 1 || scoringBatchSize < 1)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"input size {inputSize}, scoring batch size {scoringBatchSize}."));
    }
}
