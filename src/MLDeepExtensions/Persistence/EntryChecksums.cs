using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;
using System.Text;
using Microsoft.ML;

namespace MLDeepExtensions.Persistence;

/// <summary>
/// The "Checksums" entry of a model file (format 0x00020001 on): an XxHash64 of each binary entry we write ("Network",
/// "History") and of the model's own fields (feature column, sizes, the head's fields, as text), checked before
/// anything read from them is used. ML.NET's zip reader does not check the zip's CRCs, and a changed byte in the
/// weights loads and scores differently without this check. Files of 0.1.0 have no such entry and load as before.
/// </summary>
/// <remarks>Layout, version 1: int32 version; int32 count; per entry its name (string) and its hash (uint64).</remarks>
internal static class EntryChecksums
{
    public const string StreamName = "Checksums";

    /// <summary>The name under which the model's own fields are hashed.</summary>
    public const string Fields = "fields";

    private const int CurrentVersion = 1;

    public static ulong Hash(ReadOnlySpan<byte> bytes) => XxHash64.HashToUInt64(bytes);

    public static ulong Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));

    public static void Save(ModelSaveContext ctx, IReadOnlyList<(string Name, ulong Hash)> entries)
        => ctx.SaveBinaryStream(StreamName, writer =>
        {
            writer.Write(CurrentVersion);
            writer.Write(entries.Count);
            foreach (var (name, hash) in entries)
            {
                writer.Write(name);
                writer.Write(hash);
            }
        });

    /// <summary>The hashes the file holds; an <see cref="InvalidDataException"/> when the entry is missing or damaged.</summary>
    public static IReadOnlyDictionary<string, ulong> Load(ModelLoadContext ctx)
    {
        Dictionary<string, ulong>? sums = null;
        ctx.TryLoadBinaryStream(StreamName, reader =>
        {
            int version = reader.ReadInt32(), count = reader.ReadInt32();
            if (version != CurrentVersion || count is < 1 or > 16)
                throw ModelFileErrors.Corrupt(FormattableString.Invariant($"its checksums entry is damaged (version {version}, {count} entries)."));
            sums = new Dictionary<string, ulong>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
                sums[reader.ReadString()] = reader.ReadUInt64();
        });
        return sums ?? throw ModelFileErrors.Corrupt("its checksums entry is missing.");
    }

    /// <summary>Throws an <see cref="InvalidDataException"/> saying the file is damaged when <paramref name="actual"/> is not the hash saved for <paramref name="name"/>.</summary>
    public static void Verify(IReadOnlyDictionary<string, ulong> sums, string name, ulong actual)
    {
        if (!sums.TryGetValue(name, out ulong expected))
            throw ModelFileErrors.Corrupt($"its checksums entry has no checksum for '{name}'.");
        if (expected != actual)
            throw new InvalidDataException($"The model file is damaged: its '{name}' {(name == Fields ? "part" : "entry")} does not match the checksum saved with it " +
                "(a byte changed after the file was written: a bad disk, copy or download). Restore the file from a good copy, or save the model again.");
    }

    /// <summary>Every byte left in <paramref name="stream"/>: the length of what it holds, never of what it claims.</summary>
    public static byte[] ReadToEnd(Stream stream)
    {
        using var memory = stream.CanSeek ? new MemoryStream((int)Math.Min(int.MaxValue, Math.Max(0, stream.Length - stream.Position))) : new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
