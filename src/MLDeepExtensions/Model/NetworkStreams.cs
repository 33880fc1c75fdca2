using MLDeepExtensions.Persistence;
using MLDeepExtensions.Training;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Model;

/// <summary>
/// The parts of the model zip every network writes the same way: binary stream "Network" (the architecture's name,
/// settings version and settings, see <see cref="ArchitectureRegistry"/>, then the TorchSharp weights, always as CPU
/// tensors) and binary stream "History" (epoch count, selected epoch, stopped-early flag, then per epoch its metrics;
/// since 0.3.0 followed by the validation metrics' names and each epoch's values of them, absent in older files).
/// Also how a damaged file is reported: every count and size is checked against the module and against the bytes left
/// before anything is allocated (see <see cref="WeightReader"/>).
/// </summary>
internal static class NetworkStreams
{
    private const string NetworkStream = "Network";
    private const string HistoryStream = "History";
    private const string OnnxGraphStream = "OnnxGraph";

    /// <summary>
    /// Writes "Network", "History", the network's ONNX graph as "OnnxGraph" when there is one (the ONNX Runtime scoring
    /// engine's; absent for your own modules and in files of 0.2.0 and before, which build it when first needed), and
    /// "Checksums" (with the hash of <paramref name="fields"/>, the model's own fields as text).
    /// </summary>
    /// <remarks>A model whose module was never built (loaded without libtorch) passes its saved <paramref name="networkEntry"/> instead of a module.</remarks>
    public static void Save(ModelSaveContext ctx, NetworkArchitecture architecture, nn.Module? module, byte[]? networkEntry, TrainingHistory history, string fields, byte[]? onnxGraph)
    {
        byte[] network = networkEntry ?? Bytes(writer =>
        {
            ArchitectureRegistry.Write(writer, architecture);
            module!.save(writer);
        });
        byte[] historyBytes = Bytes(writer => TrainingHistoryFormat.Write(writer, history));
        ctx.SaveBinaryStream(NetworkStream, writer => writer.Write(network));
        ctx.SaveBinaryStream(HistoryStream, writer => writer.Write(historyBytes));
        var sums = new List<(string, ulong)> { (NetworkStream, EntryChecksums.Hash(network)), (HistoryStream, EntryChecksums.Hash(historyBytes)),
            (EntryChecksums.Fields, EntryChecksums.Hash(fields)) };
        if (onnxGraph is not null)
        {
            ctx.SaveBinaryStream(OnnxGraphStream, writer => writer.Write(onnxGraph));
            sums.Add((OnnxGraphStream, EntryChecksums.Hash(onnxGraph)));
        }
        EntryChecksums.Save(ctx, sums);
    }

    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            write(writer);
        return buffer.ToArray();
    }

    /// <summary>The entry's bytes, checked against its checksum when <paramref name="sums"/> holds them (files of 0.1.0 do not).</summary>
    private static BinaryReader Checked(BinaryReader reader, string name, IReadOnlyDictionary<string, ulong>? sums)
    {
        if (sums is null)
            return reader;
        byte[] bytes = EntryChecksums.ReadToEnd(reader.BaseStream);
        EntryChecksums.Verify(sums, name, EntryChecksums.Hash(bytes));
        return new BinaryReader(new MemoryStream(bytes, writable: false));
    }

    /// <summary>Reads the network and its history into a model with <paramref name="head"/>, on the device the loading MLContext picks.</summary>
    /// <remarks>With <paramref name="fields"/> (format 0x00020001 on), every entry is checked against the file's checksums first.</remarks>
    public static NetworkModel Load(IHostEnvironment env, ModelLoadContext ctx, NetworkHead head, int inputSize, string featureColumnName,
        int scoringBatchSize, bool versionedSettings, string? fields = null)
        => Load(env, ctx, _ => head, inputSize, featureColumnName, scoringBatchSize, versionedSettings, fields);

    /// <summary>As above, with a head that depends on the architecture read (files of 0.1.0).</summary>
    public static NetworkModel Load(IHostEnvironment env, ModelLoadContext ctx, Func<NetworkArchitecture, NetworkHead> headFor, int inputSize,
        string featureColumnName, int scoringBatchSize, bool versionedSettings, string? fields = null)
    {
        IReadOnlyDictionary<string, ulong>? sums = null;
        if (fields is not null)
        {
            sums = EntryChecksums.Load(ctx);
            EntryChecksums.Verify(sums, EntryChecksums.Fields, EntryChecksums.Hash(fields));
        }
        if (!TorchNative.LibTorchFound())
        {
            if (sums is not null && LoadWithoutLibTorch(env, ctx, headFor, inputSize, featureColumnName, scoringBatchSize, versionedSettings, sums) is { } scoredByOnnx)
                return scoredByOnnx;
            try
            {
                TorchNative.EnsureInitialized();
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException("Loading this model needs libtorch: its file holds no ONNX graph of the network (your own module, which " +
                    "has no ONNX form, or a model saved by 0.2.0 or before: save it again with this version, where libtorch is, to serve it with ONNX Runtime alone). " +
                    e.Message, e);
            }
        }
        NetworkArchitecture? architecture = null;
        NetworkHead? head = null;
        nn.Module<Tensor, Tensor>? module = null;
        try
        {
            TorchNative.EnsureInitialized();
            bool found = ctx.TryLoadBinaryStream(NetworkStream, entry =>
            {
                var reader = Checked(entry, NetworkStream, sums);
                architecture = ArchitectureRegistry.Read(reader, versionedSettings);
                head = headFor(architecture);
                head.CheckArchitecture(architecture);
                int outputSize = head.NetworkOutputSize(inputSize);
                CheckWeightsFit(architecture, inputSize, outputSize, WeightReader.Remaining(reader.BaseStream));
                module = architecture.CreateModule(inputSize, outputSize);
                WeightReader.Read(reader, module, NetworkStream);
                module.eval();
            });
            if (!found || module is null || architecture is null || head is null)
                throw ModelFileErrors.Corrupt($"the '{NetworkStream}' entry with the network weights is missing.");
            var history = new TrainingHistory();
            ctx.TryLoadBinaryStream(HistoryStream, entry =>
            {
                var reader = Checked(entry, HistoryStream, sums);
                history = TrainingHistoryFormat.Read(reader);
            });
            byte[]? onnxGraph = sums is null ? null : ReadOnnxGraph(ctx, sums);
            using var channel = env.Start("Loading");
            var device = DeviceSelector.Resolve(null, env, channel);
            module.to(device);
            var model = new NetworkModel(module, architecture, head, inputSize, featureColumnName, scoringBatchSize, history, device)
            {
                OnnxGraph = onnxGraph,
                RequestedDevice = DeviceSelector.Requested(null, env),
            };
            module = null;
            return model;
        }
        catch (Exception e) when (e is not (InvalidDataException or CustomModuleNotRegisteredException))
        {
            throw ModelFileErrors.Corrupt("its network weights could not be read (" + e.Message + ")", e);
        }
        finally
        {
            module?.Dispose();
        }
    }

    /// <summary>
    /// Where libtorch is missing: a model whose file carries its ONNX graph loads without it (ONNX Runtime scores it), the
    /// network entry kept to build the module if libtorch is needed later; null when the file has no graph (a custom
    /// module, or a file of 0.2.0 or before), for the ordinary load to report the missing backend.
    /// </summary>
    private static NetworkModel? LoadWithoutLibTorch(IHostEnvironment env, ModelLoadContext ctx, Func<NetworkArchitecture, NetworkHead> headFor, int inputSize,
        string featureColumnName, int scoringBatchSize, bool versionedSettings, IReadOnlyDictionary<string, ulong> sums)
    {
        if (ReadOnnxGraph(ctx, sums) is not { } onnxGraph)
            return null;
        byte[]? network = null;
        ctx.TryLoadBinaryStream(NetworkStream, entry => network = EntryChecksums.ReadToEnd(Checked(entry, NetworkStream, sums).BaseStream));
        if (network is null)
            throw ModelFileErrors.Corrupt($"the '{NetworkStream}' entry with the network weights is missing.");
        NetworkArchitecture architecture;
        NetworkHead head;
        int outputSize;
        using (var reader = new BinaryReader(new MemoryStream(network, writable: false)))
        {
            architecture = ArchitectureRegistry.Read(reader, versionedSettings);
            head = headFor(architecture);
            head.CheckArchitecture(architecture);
            outputSize = head.NetworkOutputSize(inputSize);
            CheckWeightsFit(architecture, inputSize, outputSize, WeightReader.Remaining(reader.BaseStream));
        }
        var history = new TrainingHistory();
        ctx.TryLoadBinaryStream(HistoryStream, entry => history = TrainingHistoryFormat.Read(Checked(entry, HistoryStream, sums)));
        return new NetworkModel(() => BuildLater(env, network, versionedSettings, inputSize, outputSize), network, architecture, head, inputSize,
            featureColumnName, scoringBatchSize, history)
        {
            OnnxGraph = onnxGraph,
            RequestedDevice = DeviceSelector.Requested(null, env),
        };
    }

    /// <summary>The "OnnxGraph" entry's bytes, checked against its checksum; null when the file has none.</summary>
    private static byte[]? ReadOnnxGraph(ModelLoadContext ctx, IReadOnlyDictionary<string, ulong> sums)
    {
        byte[]? graph = null;
        ctx.TryLoadBinaryStream(OnnxGraphStream, entry => graph = EntryChecksums.ReadToEnd(Checked(entry, OnnxGraphStream, sums).BaseStream));
        return graph;
    }

    /// <summary>The module of a model loaded without libtorch, built from its saved entry when something needs libtorch after all.</summary>
    private static (nn.Module<Tensor, Tensor>, Device) BuildLater(IHostEnvironment env, byte[] network, bool versionedSettings, int inputSize, int outputSize)
    {
        TorchNative.EnsureInitialized();
        using var reader = new BinaryReader(new MemoryStream(network, writable: false));
        var architecture = ArchitectureRegistry.Read(reader, versionedSettings);
        var module = architecture.CreateModule(inputSize, outputSize);
        try
        {
            WeightReader.Read(reader, module, NetworkStream);
            module.eval();
            using var channel = env.Start("Loading");
            var device = DeviceSelector.Resolve(null, env, channel);
            module.to(device);
            return (module, device);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Like ML.NET's <c>ctx.CheckAtModel(version)</c>, but a model written by a newer version of MLDeepExtensions gets
    /// a message that says so (ML.NET's speaks of "ML.NET 1.0.0.0" and swaps the two version numbers).
    /// </summary>
    public static void CheckAtModel(ModelLoadContext ctx, VersionInfo version)
    {
        var header = ctx.Header;
        if (header.ModelSignature == version.ModelSignature && header.ModelVerReadable <= header.ModelVerWritten && header.ModelVerReadable > version.VerWrittenCur)
            throw new InvalidDataException(
                FormattableString.Invariant($"The model file's deep network was saved in format 0x{header.ModelVerReadable:X8}, newer than this version of MLDeepExtensions ") +
                FormattableString.Invariant($"reads (up to 0x{version.VerWrittenCur:X8}). Load it with the version of MLDeepExtensions that saved it, or a newer one."));
        ctx.CheckAtModel(version);
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
            throw ModelFileErrors.Corrupt(e.Message, e);
        }
    }

    /// <summary>Fails before the module is built when its weights could not fit in what is left of the entry.</summary>
    private static void CheckWeightsFit(NetworkArchitecture architecture, int inputSize, int outputSize, long bytesLeft)
    {
        double needed = architecture.MinimumWeightCount(inputSize, outputSize) * sizeof(float);
        if (needed > bytesLeft)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"its settings ({architecture}, {inputSize} inputs, {outputSize} outputs) need at least {needed:0} bytes of weights, ") +
                FormattableString.Invariant($"but only {bytesLeft} bytes are left in the '{NetworkStream}' entry."));
    }
}
