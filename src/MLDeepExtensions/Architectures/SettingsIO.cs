using System;
using System.Collections.Generic;
using System.IO;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// How architectures write lists into their settings and read them back from a model file, with every count checked
/// against a bound before anything is allocated (a damaged count must not make the reader allocate gigabytes).
/// </summary>
internal static class SettingsIO
{
    /// <summary>The longest list any architecture saves (layers, blocks); far more than a network has.</summary>
    public const int MaxListLength = 10_000;

    public static void WriteList<T>(this BinaryWriter writer, IReadOnlyList<T> items, Action<BinaryWriter, T> write)
    {
        writer.Write(items.Count);
        foreach (var item in items)
            write(writer, item);
    }

    public static void WriteSizes(this BinaryWriter writer, IReadOnlyList<int> sizes) => writer.WriteList(sizes, (w, size) => w.Write(size));

    /// <summary>Reads a list written by <see cref="WriteList"/>; a count outside [<paramref name="minimum"/>, 10,000] is a corrupt file.</summary>
    public static T[] ReadList<T>(this BinaryReader reader, string owner, string what, Func<BinaryReader, T> read, int minimum = 0)
    {
        int count = reader.ReadInt32();
        if (count < minimum || count > MaxListLength)
            throw new InvalidDataException(FormattableString.Invariant($"The model file's {owner} settings are corrupt: {count} {what}."));
        var items = new T[count];
        for (int i = 0; i < count; i++)
            items[i] = read(reader);
        return items;
    }

    public static int[] ReadSizes(this BinaryReader reader, string owner, string what) => reader.ReadList(owner, what, r => r.ReadInt32());
}
