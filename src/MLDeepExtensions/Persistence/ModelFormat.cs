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
/// Binary stream "Network" — the architecture (kind + settings) then the TorchSharp weights.
/// Binary stream "History" — epoch count, selected epoch, stopped-early flag, then per epoch its metrics.
/// </remarks>
internal static class ModelFormat
{
    private const string NetworkStream = "Network";
    private const string HistoryStream = "History";

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

        ctx.SaveBinaryStream(NetworkStream, writer =>
        {
            model.Architecture.Write(writer);
            model.Module.save(writer);
        });
        ctx.SaveBinaryStream(HistoryStream, writer => WriteHistory(writer, model.History));
    }

    public static NetworkModel Load(IHostEnvironment env, ModelLoadContext ctx)
    {
        try
        {
            ctx.CheckAtModel(GetVersionInfo());
            return LoadCore(env, ctx);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            throw Corrupt(e.Message, e);
        }
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
            throw Corrupt($"task {(int)taskKind}, input size {inputSize}, output size {outputSize}, scoring batch size {scoringBatchSize}.");
        var keyValues = ctx.Reader.ReadBoolean() ? KeyValuesCodec.Read(env, ctx) : null;
        var task = TaskInfo.Create(taskKind, outputSize, vectorLabel, keyValues);

        NetworkArchitecture? architecture = null;
        TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? module = null;
        try
        {
            Interop.TorchNative.EnsureInitialized();
            bool found = ctx.TryLoadBinaryStream(NetworkStream, reader =>
            {
                architecture = NetworkArchitecture.Read(reader);
                module = architecture.CreateModule(inputSize, outputSize);
                module.load(reader, strict: true);
                module.eval();
            });
            if (!found)
                throw Corrupt($"the '{NetworkStream}' entry with the network weights is missing.");
            var history = new TrainingHistory();
            ctx.TryLoadBinaryStream(HistoryStream, reader => history = ReadHistory(reader));
            using var channel = env.Start("Loading");
            var device = Interop.DeviceSelector.Resolve(null, env, channel);
            module!.to(device);
            return new NetworkModel(module!, architecture!, task, inputSize, feature, label, names, scoringBatchSize, history, device);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            module?.Dispose();
            throw Corrupt("its network weights could not be read (" + e.Message + ")", e);
        }
        catch
        {
            module?.Dispose();
            throw;
        }
    }

    private static void WriteHistory(BinaryWriter writer, TrainingHistory history)
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
    }

    private static TrainingHistory ReadHistory(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > 1_000_000)
            throw Corrupt($"the training history claims {count} epochs.");
        var history = new TrainingHistory { SelectedEpoch = reader.ReadInt32(), StoppedEarly = reader.ReadBoolean() };
        for (int i = 0; i < count; i++)
        {
            int epoch = reader.ReadInt32();
            double loss = reader.ReadDouble();
            double validationLoss = reader.ReadDouble();
            double validationMetric = reader.ReadDouble();
            double learningRate = reader.ReadDouble();
            var elapsed = TimeSpan.FromTicks(reader.ReadInt64());
            history.Add(new EpochMetrics(epoch, loss, double.IsNaN(validationLoss) ? null : validationLoss,
                double.IsNaN(validationMetric) ? null : validationMetric, learningRate, elapsed));
        }
        return history;
    }

    internal static InvalidDataException Corrupt(string detail, Exception? inner = null)
        => new($"The model file's deep network is corrupt or truncated: {detail} Save the model again, or check that the file was copied whole.", inner);
}
