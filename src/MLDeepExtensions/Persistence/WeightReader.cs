using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Persistence;

/// <summary>
/// Reads the weights that TorchSharp's <c>nn.Module.save(BinaryWriter)</c> writes into a freshly built module,
/// checking every count, name, type and size against the module (and against what is left of the stream) before it
/// reads or allocates anything. TorchSharp's own <c>load</c> allocates an array as long as the dimension count the
/// file claims, before any check; a damaged file could ask for gigabytes.
/// </summary>
/// <remarks>
/// The format (TorchSharp 0.107, <c>Module.save_state_dict</c> and <c>TensorExtensionMethods.Save</c>; unsigned
/// LEB128 integers): entry count; per entry the name (a <see cref="BinaryWriter"/> string), the element type
/// (<see cref="ScalarType"/> code), the number of dimensions, each dimension, then the elements' bytes in native
/// (little-endian) order. We keep writing with <c>module.save</c>, so saved files stay byte-for-byte what they were;
/// the tests check that this reader reads exactly what it writes.
/// </remarks>
internal static class WeightReader
{
    /// <summary>Longest weight name we accept, in bytes; ours are a few dozen ("head.dense0.weight").</summary>
    private const int MaxNameBytes = 1024;

    /// <summary>Reads the weights into <paramref name="module"/>'s own (CPU) tensors; throws <see cref="InvalidDataException"/> on any mismatch.</summary>
    public static void Read(BinaryReader reader, nn.Module module, string entryName)
        => Read(reader, module.state_dict(), entryName, toEnd: true);

    /// <summary>
    /// Reads weights into <paramref name="expected"/>'s contiguous CPU tensors, which give the names, types and shapes;
    /// with <paramref name="toEnd"/>, nothing may follow them in the stream.
    /// </summary>
    public static void Read(BinaryReader reader, IReadOnlyDictionary<string, Tensor> expected, string entryName, bool toEnd)
    {
        var stream = reader.BaseStream;
        long count = ReadNumber(reader, "the number of weight tensors");
        if (count != expected.Count)
            throw Mismatch(entryName, $"it holds {count} weight tensors where the network has {expected.Count}");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            string name = ReadName(reader, entryName);
            if (!expected.TryGetValue(name, out var tensor))
                throw Mismatch(entryName, $"weight tensor '{Printable(name)}' is not part of the network (it has {Names(expected.Keys)})");
            if (!seen.Add(name))
                throw Mismatch(entryName, $"weight tensor '{name}' appears twice");

            long type = ReadNumber(reader, $"the element type of '{name}'");
            if (type != (long)tensor.dtype)
                throw Mismatch(entryName, $"weight tensor '{name}' has element type code {type} where the network has {tensor.dtype} ({(long)tensor.dtype})");
            long rank = ReadNumber(reader, $"the number of dimensions of '{name}'");
            if (rank != tensor.Dimensions)
                throw Mismatch(entryName, $"weight tensor '{name}' has {rank} dimensions where the network has {tensor.Dimensions}");
            // rank equals the module's own tensor's rank here, so this array is as small as that.
            var shape = new long[rank];
            for (int d = 0; d < rank; d++)
                shape[d] = ReadNumber(reader, $"dimension {d} of '{name}'");
            if (!shape.SequenceEqual(tensor.shape))
                throw Mismatch(entryName, $"weight tensor '{name}' has shape [{string.Join(", ", shape)}] where the network has [{string.Join(", ", tensor.shape)}]");

            long bytes = tensor.NumberOfElements * tensor.ElementSize;
            long left = Remaining(stream);
            if (bytes > left)
                throw ModelFileErrors.Corrupt($"the '{entryName}' entry ends inside weight tensor '{name}' ({bytes} bytes needed, {left} left).");
            if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
                throw new InvalidOperationException($"Weights are read into contiguous CPU tensors only; '{name}' is on {tensor.device} (a bug in MLDeepExtensions).");
            tensor.ReadBytesFromStream(stream, bufferSize: (int)Math.Clamp(bytes, 1, 1 << 16));
        }

        long trailing = toEnd ? Remaining(stream) : 0;
        if (trailing > 0 && trailing != long.MaxValue)
            throw ModelFileErrors.Corrupt($"the '{entryName}' entry has {trailing} unexpected bytes after the weights.");
    }

    /// <summary>Bytes left in the stream, or <see cref="long.MaxValue"/> when the stream cannot tell.</summary>
    internal static long Remaining(Stream stream) => stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;

    /// <summary>An unsigned LEB128 integer of at most 63 bits (what TorchSharp writes for counts, types and dimensions).</summary>
    private static long ReadNumber(BinaryReader reader, string what)
    {
        long value = 0;
        for (int shift = 0; shift <= 56; shift += 7)
        {
            byte b = reader.ReadByte();
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        // Nine 7-bit groups hold 63 bits, all TorchSharp ever writes; a tenth group means a damaged file.
        throw ModelFileErrors.Corrupt($"{what} is not a valid number.");
    }

    /// <summary>A <see cref="BinaryWriter"/> string, its length checked before anything is read or allocated.</summary>
    private static string ReadName(BinaryReader reader, string entryName)
    {
        int length;
        try
        {
            length = reader.Read7BitEncodedInt();
        }
        catch (FormatException)
        {
            length = -1;
        }
        if (length < 1 || length > MaxNameBytes)
            throw ModelFileErrors.Corrupt($"the '{entryName}' entry has a weight name of {length} bytes.");
        long left = Remaining(reader.BaseStream);
        if (length > left)
            throw ModelFileErrors.Corrupt($"the '{entryName}' entry ends inside a weight name ({length} bytes needed, {left} left).");
        var bytes = reader.ReadBytes(length);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (ArgumentException)
        {
            throw ModelFileErrors.Corrupt($"the '{entryName}' entry has a weight name that is not valid UTF-8.");
        }
    }

    private static InvalidDataException Mismatch(string entryName, string detail)
        => new($"The model file's network weights do not fit its network: in the '{entryName}' entry, {detail}. " +
               "The file is corrupt, or its weights come from a different network (another architecture or input size); save the model again.");

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        return string.Join(", ", list.Take(4).Select(n => $"'{n}'")) + (list.Count > 4 ? $" and {list.Count - 4} more" : "");
    }

    private static string Printable(string name) => new(name.Select(c => char.IsControl(c) ? '?' : c).Take(100).ToArray());
}
