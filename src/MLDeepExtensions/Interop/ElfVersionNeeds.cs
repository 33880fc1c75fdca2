using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Reads and weakens the version needs (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF shared library held in
/// memory: the runtime half of the GLIBCXX fix whose build-time half is the inline task in
/// <c>build/MLDeepExtensions.targets</c> (an MSBuild inline task cannot reference this assembly, so it keeps its own copy).
/// </summary>
/// <remarks>
/// A version need marked weak (<c>VER_FLG_WEAK</c>) is accepted by the GNU dynamic loader when the library that should
/// define it does not; every read is bounds-checked, so a damaged or foreign file yields a problem, never an exception.
/// </remarks>
internal static class ElfVersionNeeds
{
    private const uint SectionTypeVersionNeed = 0x6ffffffe; // SHT_GNU_verneed
    private const ushort WeakFlag = 0x2;                     // VER_FLG_WEAK

    /// <summary>
    /// Finds the offsets of the <c>vna_flags</c> fields of the needs named <paramref name="versionName"/> that are not
    /// weak yet; <paramref name="problem"/> is set (and the list empty) when the file cannot be read as such a library.
    /// </summary>
    public static List<int> FindStrongNeeds(byte[] file, string versionName, out string? problem)
    {
        var offsets = new List<int>();
        problem = null;
        if (file.Length < 64 || file[0] != 0x7f || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
        {
            problem = "not an ELF file";
            return offsets;
        }

        if (file[4] != 2 || file[5] != 1)
        {
            problem = "not a 64-bit little-endian ELF file";
            return offsets;
        }

        long sectionTable = (long)Read(file, 0x28, 8);
        long sectionSize = (long)Read(file, 0x3A, 2), sectionCount = (long)Read(file, 0x3C, 2);
        if (sectionTable <= 0 || sectionSize < 64 || sectionCount == 0 || sectionTable + sectionSize * sectionCount > file.Length)
        {
            problem = "no readable section headers";
            return offsets;
        }

        for (long i = 0; i < sectionCount; i++)
        {
            long header = sectionTable + i * sectionSize;
            if (Read(file, header + 4, 4) != SectionTypeVersionNeed)
            {
                continue;
            }

            long needs = (long)Read(file, header + 24, 8), needsEnd = needs + (long)Read(file, header + 32, 8);
            long stringsIndex = (long)Read(file, header + 40, 4), needCount = (long)Read(file, header + 44, 4);
            long stringsHeader = sectionTable + stringsIndex * sectionSize;
            long strings = stringsIndex < sectionCount ? (long)Read(file, stringsHeader + 24, 8) : -1;
            long stringsEnd = strings + (stringsIndex < sectionCount ? (long)Read(file, stringsHeader + 32, 8) : 0);
            if (needs < 0 || needsEnd > file.Length || needsEnd < needs || strings < 0 || stringsEnd > file.Length || stringsEnd < strings)
            {
                problem = "damaged version needs";
                offsets.Clear();
                return offsets;
            }

            CollectNeeds(file, needs, needsEnd, needCount, strings, stringsEnd, versionName, offsets);
        }

        return offsets;
    }

    /// <summary>Sets the weak flag at each offset found by <see cref="FindStrongNeeds"/>.</summary>
    public static void MarkWeak(byte[] file, IEnumerable<int> offsets)
    {
        foreach (int offset in offsets)
        {
            Span<byte> flags = file.AsSpan(offset, 2);
            BinaryPrimitives.WriteUInt16LittleEndian(flags, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(flags) | WeakFlag));
        }
    }

    /// <summary>Walks the Elf64_Verneed chain of one section and its Elf64_Vernaux entries.</summary>
    private static void CollectNeeds(byte[] file, long needs, long needsEnd, long needCount, long strings, long stringsEnd,
        string versionName, List<int> offsets)
    {
        long need = needs;
        for (long n = 0; n < needCount && need >= needs && need + 16 <= needsEnd; n++)
        {
            long auxCount = (long)Read(file, need + 2, 2);
            long aux = need + (long)Read(file, need + 8, 4);
            for (long a = 0; a < auxCount && aux >= needs && aux + 16 <= needsEnd; a++)
            {
                ulong flags = Read(file, aux + 4, 2);
                long name = strings + (long)Read(file, aux + 8, 4);
                if ((flags & WeakFlag) == 0 && NameIs(file, name, stringsEnd, versionName))
                {
                    offsets.Add((int)(aux + 4));
                }

                long nextAux = (long)Read(file, aux + 12, 4);
                if (nextAux == 0)
                {
                    break;
                }

                aux += nextAux;
            }

            long nextNeed = (long)Read(file, need + 12, 4);
            if (nextNeed == 0)
            {
                break;
            }

            need += nextNeed;
        }
    }

    /// <summary>True when the NUL-terminated string at <paramref name="offset"/> (before <paramref name="end"/>) is <paramref name="name"/>.</summary>
    private static bool NameIs(byte[] file, long offset, long end, string name)
    {
        byte[] expected = Encoding.ASCII.GetBytes(name);
        return offset >= 0 && offset + expected.Length < end
            && file.AsSpan((int)offset, expected.Length).SequenceEqual(expected) && file[offset + expected.Length] == 0;
    }

    /// <summary>Reads a little-endian unsigned integer of <paramref name="size"/> bytes; 0 when it lies outside the file.</summary>
    private static ulong Read(byte[] file, long offset, int size)
    {
        if (offset < 0 || offset + size > file.Length)
        {
            return 0;
        }

        ulong value = 0;
        for (int i = size - 1; i >= 0; i--)
        {
            value = (value << 8) | file[offset + i];
        }

        return value;
    }
}
