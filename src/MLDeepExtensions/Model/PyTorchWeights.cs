using MLDeepExtensions.Persistence;
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLDeepExtensions.Model;

/// <summary>
/// Weights in PyTorch's formats, through TorchSharp.PyBridge: a <c>state_dict</c> saved by <c>torch.save</c> (.pt, .pth)
/// and safetensors. Before PyBridge reads a file, everything it claims — names, element types, shapes, storage sizes —
/// is checked against the file's own length and against the network, so a hostile or mismatched file is refused
/// before anything is allocated; a .pt file's pickle is read by <see cref="PickleScanner"/>, which runs none of it.
/// </summary>
internal static class PyTorchWeights
{
    /// <summary>Largest data.pkl or safetensors header accepted: a state_dict's are a few bytes per tensor.</summary>
    private const long MaxIndexBytes = 64L << 20;

    internal enum Format
    {
        PyTorch,
        Safetensors,
    }

    /// <summary>The format a path's extension names: .pt, .pth or .bin for torch.save; .safetensors.</summary>
    public static Format FormatOf(string path, string parameterName)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".pt" or ".pth" or ".bin" => Format.PyTorch,
            ".safetensors" => Format.Safetensors,
            _ => throw new ArgumentException($"'{path}' has extension '{extension}'; use .pt or .pth (a PyTorch state_dict, torch.save) or .safetensors.", parameterName),
        };
    }

    /// <summary>Writes a CPU copy of <paramref name="module"/>'s state_dict (same names and shapes) to <paramref name="path"/>.</summary>
    public static void Save(nn.Module module, string path, Format format)
    {
        using var scope = NewDisposeScope();
        var state = module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        if (format == Format.PyTorch)
            PyTorchPickler.PickleStateDict(file, state, leaveOpen: true);
        else
            Safetensors.SaveStateDict(file, state, leaveOpen: true);
    }

    /// <summary>
    /// Copies the weights in <paramref name="path"/> into <paramref name="module"/> (on the CPU), after checking that the
    /// file holds exactly the module's names and shapes. Floating-point weights of another precision are converted to
    /// float32, with a warning; any other difference is an <see cref="InvalidDataException"/> listing every missing,
    /// unexpected and mismatched name.
    /// </summary>
    public static void Load(nn.Module module, string path, IChannel channel)
    {
        var format = FormatOf(path, "path");
        if (!File.Exists(path))
            throw new FileNotFoundException($"The weights file '{path}' does not exist.", path);
        var expected = module.state_dict();
        var declared = format == Format.PyTorch ? CheckPyTorch(path) : CheckSafetensors(path);
        WithoutAbsentStandardization(module, expected, declared, path, channel);
        CheckNames(path, expected, declared, channel);

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> loaded;
        try
        {
            loaded = format == Format.PyTorch
                ? PyTorchUnpickler.UnpickleStateDict(path).Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (Tensor)e.Value!)
                : Safetensors.LoadStateDict(path);
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            throw new InvalidDataException($"'{path}' could not be read as {(format == Format.PyTorch ? "a PyTorch state_dict" : "safetensors")}: {e.Message}", e);
        }
        using var noGrad = no_grad();
        foreach (var (name, target) in expected)
            target.copy_(loaded[name].to(target.dtype));
    }

    /// <summary>
    /// A file from PyTorch usually has no input standardization: when it holds none of that layer's buffers, the layer
    /// becomes the identity (the imported network takes raw inputs, as it did in PyTorch) and is left out of the names
    /// the file must hold.
    /// </summary>
    private static void WithoutAbsentStandardization(nn.Module module, Dictionary<string, Tensor> expected,
        Dictionary<string, (ScalarType Type, long[] Shape)> declared, string path, IChannel channel)
    {
        foreach (var (name, layer) in module.named_modules())
        {
            if (layer is not InputStandardization standardization)
                continue;
            string prefix = name.Length == 0 ? "" : name + ".";
            var keys = expected.Keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal) && key.IndexOf('.', prefix.Length) < 0).ToList();
            if (keys.Any(declared.ContainsKey))
                continue;
            standardization.Reset();
            foreach (string key in keys)
                expected.Remove(key);
            channel.Info($"'{path}' holds no input standardization ({string.Join(", ", keys)}): the network takes the features as they are, as in PyTorch.");
        }
    }

    /// <summary>The names, element types and shapes a torch.save zip holds, each storage checked against its entry's size.</summary>
    private static Dictionary<string, (ScalarType Type, long[] Shape)> CheckPyTorch(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        if (file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("PK\u0003\u0004"u8))
            throw new InvalidDataException($"'{path}' is not in PyTorch's zip format: it is empty, damaged, or written by PyTorch before 1.6 (or with " +
                "_use_new_zipfile_serialization=False). Load it in PyTorch and save it again with torch.save(model.state_dict(), path), or as safetensors.");
        file.Position = 0;
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is a damaged or truncated zip file ({e.Message}); save the state_dict again.", e);
        }
        using (archive)
        {
            var pickles = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl").ToList();
            if (pickles.Count != 1)
                throw new InvalidDataException($"'{path}' is a zip file but not a torch.save file: it holds {pickles.Count} data.pkl entries where torch.save writes one.");
            var pickleEntry = pickles[0];
            if (pickleEntry.Length > MaxIndexBytes)
                throw new InvalidDataException(FormattableString.Invariant($"'{path}' has a {pickleEntry.Length}-byte pickle; a state_dict's takes a few bytes per tensor. It is not a state_dict."));
            string folder = pickleEntry.FullName[..^"data.pkl".Length];
            var pickle = new byte[pickleEntry.Length];
            try
            {
                using var stream = pickleEntry.Open();
                stream.ReadExactly(pickle);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw new InvalidDataException($"'{path}' is damaged or truncated: its data.pkl cannot be read ({e.Message}).", e);
            }
            var result = new Dictionary<string, (ScalarType, long[])>(StringComparer.Ordinal);
            foreach (var (name, tensor) in PickleScanner.Read(pickle, path))
            {
                var storage = tensor.Storage;
                var (type, elementSize) = PickleScanner.StorageTypes[storage.Type];
                var entry = archive.GetEntry(folder + "data/" + storage.Key)
                    ?? throw new InvalidDataException($"'{path}' is damaged: tensor '{name}' refers to storage '{storage.Key}', which the file does not hold.");
                if (entry.Length != checked(storage.Count * elementSize))
                    throw new InvalidDataException(FormattableString.Invariant(
                        $"'{path}' is damaged: tensor '{name}' claims a storage of {storage.Count} elements ({storage.Count * (double)elementSize:0} bytes), but the file holds {entry.Length} bytes for it."));
                if (!FitsIn(tensor, storage.Count))
                    throw new InvalidDataException($"'{path}' is damaged: tensor '{name}' of shape [{string.Join(", ", tensor.Shape)}] reaches outside its storage of {storage.Count} elements.");
                if (!result.TryAdd(name, (type, tensor.Shape)))
                    throw new InvalidDataException($"'{path}' holds tensor '{name}' twice.");
            }
            return result;
        }
    }

    /// <summary>Whether every element of the view lies inside a storage of <paramref name="count"/> elements.</summary>
    private static bool FitsIn(PickleScanner.TensorView tensor, long count)
    {
        try
        {
            if (tensor.Shape.Any(d => d == 0))
                return true;
            long last = tensor.Offset;
            for (int i = 0; i < tensor.Shape.Length; i++)
                last = checked(last + (tensor.Shape[i] - 1) * tensor.Stride[i]);
            return last < count;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>The names, element types and shapes a safetensors header declares, each checked against the file's length.</summary>
    private static Dictionary<string, (ScalarType Type, long[] Shape)> CheckSafetensors(string path)
    {
        long fileLength = new FileInfo(path).Length;
        using var file = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"'{path}' is too short to be a safetensors file.");
        ulong headerLength = BitConverter.ToUInt64(prefix);
        if (headerLength > (ulong)Math.Min(MaxIndexBytes, fileLength - 8))
            throw new InvalidDataException(FormattableString.Invariant($"'{path}' is not a safetensors file, or is truncated: it declares a {headerLength}-byte header in a {fileLength}-byte file."));
        var header = new byte[headerLength];
        file.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;
        var result = new Dictionary<string, (ScalarType, long[])>(StringComparer.Ordinal);
        try
        {
            using var json = JsonDocument.Parse(header);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                    continue;
                var entry = property.Value;
                var (type, size) = entry.GetProperty("dtype").GetString() switch
                {
                    "F32" => (ScalarType.Float32, 4),
                    "F64" => (ScalarType.Float64, 8),
                    "F16" => (ScalarType.Float16, 2),
                    "BF16" => (ScalarType.BFloat16, 2),
                    "I64" => (ScalarType.Int64, 8),
                    "I32" => (ScalarType.Int32, 4),
                    "I16" => (ScalarType.Int16, 2),
                    "I8" => (ScalarType.Int8, 1),
                    "U8" => (ScalarType.Byte, 1),
                    "BOOL" => (ScalarType.Bool, 1),
                    var other => throw new InvalidDataException($"'{path}': tensor '{property.Name}' has element type '{other}', which this library does not read."),
                };
                var shape = entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                long count = 1;
                foreach (long d in shape)
                    count = d < 0 ? -1 : checked(count * d);
                if (count < 0 || offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || offsets[1] - offsets[0] != checked(count * size))
                    throw new InvalidDataException($"'{path}' is damaged or truncated: tensor '{property.Name}' of shape [{string.Join(", ", shape)}] does not match its bytes [{string.Join(", ", offsets)}] in {dataLength} bytes of data.");
                if (!result.TryAdd(property.Name, (type, shape)))
                    throw new InvalidDataException($"'{path}' holds tensor '{property.Name}' twice.");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file, or its header is damaged ({e.Message}).", e);
        }
        return result;
    }

    /// <summary>Exactly the network's names and shapes; floating point of another precision is converted (with a warning), other types refused.</summary>
    private static void CheckNames(string path, IReadOnlyDictionary<string, Tensor> expected, Dictionary<string, (ScalarType Type, long[] Shape)> declared, IChannel channel)
    {
        var problems = new List<string>();
        var missing = expected.Keys.Where(k => !declared.ContainsKey(k)).ToList();
        var unexpected = declared.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            problems.Add($"missing: {string.Join(", ", missing)}");
        if (unexpected.Count > 0)
            problems.Add($"unexpected: {string.Join(", ", unexpected)}");
        var converted = new List<string>();
        foreach (var (name, tensor) in expected)
        {
            if (!declared.TryGetValue(name, out var found))
                continue;
            if (!found.Shape.SequenceEqual(tensor.shape))
                problems.Add($"'{name}' has shape [{string.Join(", ", found.Shape)}] in the file and [{string.Join(", ", tensor.shape)}] in the network");
            else if (found.Type != tensor.dtype)
            {
                if (IsFloating(found.Type) && IsFloating(tensor.dtype))
                    converted.Add($"{name} ({found.Type})");
                else if (!(IsInteger(found.Type) && IsInteger(tensor.dtype)))
                    problems.Add($"'{name}' holds {found.Type} values where the network has {tensor.dtype}");
            }
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"The weights in '{path}' do not fit this network ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}): {string.Join("; ", problems)}. " +
                "The file must hold the state_dict of the equivalent PyTorch module, with the same names and shapes (see the architecture's weight names in the documentation).");
        if (converted.Count > 0)
            channel.Warning($"Converted to float32 on import from '{path}': {string.Join(", ", converted)}.");
    }

    private static bool IsFloating(ScalarType type) => type is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    private static bool IsInteger(ScalarType type) => type is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;
}
