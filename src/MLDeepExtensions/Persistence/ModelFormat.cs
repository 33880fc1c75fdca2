using System;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Estimators;
using TorchSharp;

namespace MLDeepExtensions.Persistence;

/// <summary>
/// What a <see cref="DeepNetworkTransformer"/> writes into an ML.NET model zip, and reads back.
/// </summary>
/// <remarks>
/// Layout, version 0x00010001 (raise <c>verWrittenCur</c> on any change; keep reading old versions):
/// model stream — strings feature, label, score, probability and predicted-label column names; int task;
/// int input size; int output size; bool vector label; int scoring batch size; bool has key values, then
/// the key values as ML.NET's BinarySaver writes a type and value.
/// Then the binary streams "Network" and "History" that every network writes (see <see cref="NetworkStreams"/>).
/// </remarks>
internal static class ModelFormat
{
    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "DEEPNETW",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: DeepNetworkTransformer.LoaderSignature,
        loaderAssemblyName: typeof(DeepNetworkTransformer).Assembly.FullName);

    public static void Save(ModelSaveContext ctx, NetworkModel model)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.SaveNonEmptyString(model.FeatureColumnName);
        ctx.SaveNonEmptyString(model.LabelColumnName);
        ctx.SaveNonEmptyString(model.Names.Score);
        ctx.SaveNonEmptyString(model.Names.Probability);
        ctx.SaveNonEmptyString(model.Names.PredictedLabel);
        var task = model.TaskInfo;
        ctx.Writer.Write((int)task.Task);
        ctx.Writer.Write(model.InputSize);
        ctx.Writer.Write(task.OutputSize);
        ctx.Writer.Write(task.VectorLabel);
        ctx.Writer.Write(model.ScoringBatchSize);
        ctx.Writer.Write(task.KeyValues is not null);
        if (task.KeyValues is not null)
            KeyValuesCodec.Write(ctx, task.KeyValues);

        NetworkStreams.Save(ctx, model.Architecture, model.Module, model.History);
    }

    public static NetworkModel Load(IHostEnvironment env, ModelLoadContext ctx)
    {
        return NetworkStreams.Guard(() =>
        {
            NetworkStreams.CheckAtModel(ctx, GetVersionInfo());
            return LoadCore(env, ctx);
        });
    }

    private static NetworkModel LoadCore(IHostEnvironment env, ModelLoadContext ctx)
    {
        string feature = ctx.LoadNonEmptyString();
        string label = ctx.LoadNonEmptyString();
        var names = new OutputColumnNames(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
        var taskKind = (DeepNetworkTask)ctx.Reader.ReadInt32();
        int inputSize = ctx.Reader.ReadInt32();
        int outputSize = ctx.Reader.ReadInt32();
        bool vectorLabel = ctx.Reader.ReadBoolean();
        int scoringBatchSize = ctx.Reader.ReadInt32();
        if (!Enum.IsDefined(taskKind) || taskKind == DeepNetworkTask.Auto || inputSize < 1 || outputSize < 1 || scoringBatchSize < 1)
            throw NetworkStreams.Corrupt($"task {(int)taskKind}, input size {inputSize}, output size {outputSize}, scoring batch size {scoringBatchSize}.");
        var keyValues = ctx.Reader.ReadBoolean() ? KeyValuesCodec.Read(env, ctx) : null;
        var task = TaskInfo.Create(taskKind, outputSize, vectorLabel, keyValues);

        var network = NetworkStreams.Load(env, ctx, inputSize, outputSize);
        return new NetworkModel(network.Module, network.Architecture, task, inputSize, feature, label, names, scoringBatchSize, network.History, network.Device);
    }
}
