using System;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Persistence;

/// <summary>A network read back from a model zip, on the device the loading MLContext picks.</summary>
internal sealed record LoadedNetwork(NetworkArchitecture Architecture, nn.Module<Tensor, Tensor> Module, TrainingHistory History, Device Device);

/// <summary>
/// The parts of the model zip every network writes the same way: binary stream "Network" (the architecture's kind
/// and settings, then the TorchSharp weights, always as CPU tensors) and binary stream "History" (epoch count,
/// selected epoch, stopped-early flag, then per epoch its metrics). Also how a damaged file is reported.
/// </summary>
internal static class NetworkStreams
{
    private const string NetworkStream = "Network";
    private const string HistoryStream = "History";

    public static void Save(ModelSaveContext ctx, NetworkArchitecture architecture, nn.Module module, TrainingHistory history)
    {
        ctx.SaveBinaryStream(NetworkStream, writer =>
        {
            architecture.Write(writer);
            module.save(writer);
        });
        ctx.SaveBinaryStream(HistoryStream, writer => WriteHistory(writer, history));
    }

    public static LoadedNetwork Load(IHostEnvironment env, ModelLoadContext ctx, int inputSize, int outputSize)
    {
        NetworkArchitecture? architecture = null;
        nn.Module<Tensor, Tensor>? module = null;
        try
        {
            TorchNative.EnsureInitialized();
            bool found = ctx.TryLoadBinaryStream(NetworkStream, reader =>
            {
                architecture = NetworkArchitecture.Read(reader);
                module = architecture.CreateModule(inputSize, outputSize);
                module.load(reader, strict: true);
                module.eval();
            });
            if (!found || module is null || architecture is null)
                throw Corrupt($"the '{NetworkStream}' entry with the network weights is missing.");
            var history = new TrainingHistory();
            ctx.TryLoadBinaryStream(HistoryStream, reader => history = ReadHistory(reader));
            using var channel = env.Start("Loading");
            var device = DeviceSelector.Resolve(null, env, channel);
            module.to(device);
            return new LoadedNetwork(architecture, module, history, device);
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

    /// <summary>Runs a loader, reporting the reader's format and end-of-stream errors as a corrupt file.</summary>
    public static T Guard<T>(Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            throw Corrupt(e.Message, e);
        }
    }

    public static InvalidDataException Corrupt(string detail, Exception? inner = null)
        => new($"The model file's deep network is corrupt or truncated: {detail} Save the model again, or check that the file was copied whole.", inner);

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

}
