using System;
using System.IO;
using System.IO.Compression;
using System.IO.Hashing;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.ML;

namespace MLDeepExtensions;

/// <summary>
/// <c>mlContext.Model.LoadChecked(...)</c>: <c>Load</c> after checking the whole model zip, for any model (ours or
/// ML.NET's alone): every entry's bytes against the CRC-32 and the size its zip directory records. ML.NET's own
/// <c>Load</c> checks neither, so a changed byte in one of its entries can load; our entries carry checksums of their own.
/// What a loader throws reaches the caller as it was thrown: ML.NET calls loaders by reflection and wraps their
/// exceptions in a <see cref="TargetInvocationException"/> ("Exception has been thrown by the target of an invocation"),
/// which LoadChecked takes off.
/// </summary>
public static class ModelFileCatalog
{
    /// <summary>Loads a model zip from <paramref name="path"/> once every entry has passed its CRC-32 and size check.</summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <exception cref="InvalidDataException">The file is not a zip, is truncated, or an entry's bytes do not match its CRC-32 or size
    /// (the message names the entry); or one of our entries is damaged (it does not match the checksum saved with it).</exception>
    /// <exception cref="CustomModuleNotRegisteredException">The model's custom module is not registered in this process.</exception>
    public static ITransformer LoadChecked(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.OpenRead(path);
        Check(file, path);
        file.Position = 0;
        try
        {
            return catalog.Load(file, out inputSchema);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Exception cause = e;
            while (cause is TargetInvocationException { InnerException: { } inner })
                cause = inner;
            ExceptionDispatchInfo.Throw(cause);
            throw;
        }
    }

    /// <summary>Reads every entry of the zip in <paramref name="stream"/>, comparing its bytes with the CRC-32 and size the zip records.</summary>
    internal static void Check(Stream stream, string name)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            stream.Position = 0;
            var magic = new byte[4];
            // A zip starts with a local file header and ends with its directory: a cut-short file has the one, not the other.
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.AsSpan().SequenceEqual("PK\u0003\u0004"u8))
                throw new InvalidDataException(FormattableString.Invariant($"'{name}' is truncated or damaged: it starts as a zip file ({stream.Length} bytes), but its zip directory, which ends a zip, ") +
                    $"cannot be read ({e.Message}). An interrupted copy, download or save cuts a file short: restore it from a good copy, or save the model again.", e);
            throw new InvalidDataException($"'{name}' is not a model file: it is not a zip, or its zip directory is damaged ({e.Message}). Restore it from a good copy, or save the model again.", e);
        }
        using (zip)
        {
            var buffer = new byte[1 << 16];
            foreach (var entry in zip.Entries)
            {
                var crc = new Crc32();
                long read = 0;
                try
                {
                    using var content = entry.Open();
                    int n;
                    // Stops at one byte past the recorded size: a longer entry is damage, whatever it would expand to.
                    while ((n = content.Read(buffer, 0, (int)Math.Min(buffer.Length, entry.Length - read + 1))) > 0)
                    {
                        crc.Append(buffer.AsSpan(0, n));
                        read += n;
                        if (read > entry.Length)
                            break;
                    }
                }
                catch (InvalidDataException e)
                {
                    throw Damaged(name, entry.FullName, $"its data cannot be read ({e.Message})", e);
                }
                if (read != entry.Length)
                    throw Damaged(name, entry.FullName, FormattableString.Invariant($"it holds {(read > entry.Length ? "more than " : "")}{read} bytes where the zip records {entry.Length}"));
                if (crc.GetCurrentHashAsUInt32() != entry.Crc32)
                    throw Damaged(name, entry.FullName, "its bytes do not match the CRC-32 the zip records");
            }
        }
    }

    private static InvalidDataException Damaged(string file, string entry, string why, Exception? inner = null)
        => new($"The model file '{file}' is damaged: entry '{entry}': {why}. Restore the file from a good copy, or save the model again.", inner);
}
