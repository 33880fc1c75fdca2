using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.ML.Runtime;

namespace MLDeepExtensions.Training;

/// <summary>
/// The checkpoint files of one fit in one folder: <c>epoch-NNNNNN.checkpoint</c>, written atomically (temporary file,
/// flushed to disk, renamed over), the oldest deleted beyond <see cref="CheckpointOptions.KeepLast"/>, read back
/// newest first, skipping damaged ones with a warning.
/// </summary>
/// <remarks>
/// File layout, version 1: the 8 ASCII bytes <c>MLDECKPT</c>; int32 format version; int64 payload length; the payload
/// (see <see cref="TrainingLoop"/>); the SHA-256 of the payload (32 bytes). Little-endian throughout.
/// </remarks>
internal sealed class CheckpointStore
{
    public const int CurrentFormatVersion = 1;
    private const string Prefix = "epoch-";
    private const string Extension = ".checkpoint";
    private const string TemporaryExtension = ".tmp";
    private static readonly byte[] Magic = "MLDECKPT"u8.ToArray();
    private const int HeaderBytes = 8 + sizeof(int) + sizeof(long);
    private const int HashBytes = 32;

    /// <summary>Tests only: called with the file name once half of a checkpoint is in its temporary file, before it is flushed and renamed.</summary>
    internal static Action<string>? HalfWrittenForTests;

    private readonly CheckpointOptions _options;
    private readonly IChannel _channel;

    public CheckpointStore(CheckpointOptions options, IChannel channel)
    {
        _options = options;
        _channel = channel;
        Directory = Path.GetFullPath(options.Directory);
    }

    /// <summary>The folder, as a full path.</summary>
    public string Directory { get; }

    public CheckpointOptions Options => _options;

    /// <summary>Creates the folder when missing and checks that a file can be written there, before any training.</summary>
    public void Prepare()
    {
        string probe = Path.Combine(Directory, $".write-test-{Guid.NewGuid():N}{TemporaryExtension}");
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllBytes(probe, Magic);
            File.Delete(probe);
            // Left by a write that was interrupted: never a checkpoint, whatever they hold.
            foreach (string stale in System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Extension + TemporaryExtension))
                File.Delete(stale);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{nameof(NetworkTrainingOptions.Checkpoints)}.{nameof(CheckpointOptions.Directory)} '{Directory}' cannot be written to " +
                $"({e.Message}). Choose a folder this process may create and write files in.", e);
        }
    }

    /// <summary>The checkpoint files in the folder, newest epoch first (temporary files of interrupted writes are not among them).</summary>
    public IReadOnlyList<(int Epoch, string Path)> Existing()
    {
        if (!System.IO.Directory.Exists(Directory))
            return Array.Empty<(int, string)>();
        var found = new List<(int, string)>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Extension))
        {
            string name = Path.GetFileName(path);
            string number = name[Prefix.Length..^Extension.Length];
            if (number.Length > 0 && number.All(char.IsAsciiDigit) && int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
                found.Add((epoch, path));
        }
        return found.OrderByDescending(f => f.Item1).ToArray();
    }

    /// <summary>Writes the checkpoint of <paramref name="epoch"/>: payload into a temporary file, flushed, renamed; then drops the oldest beyond KeepLast.</summary>
    public void Write(int epoch, Action<BinaryWriter> writePayload)
    {
        byte[] payload;
        using (var buffer = new MemoryStream())
        {
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
                writePayload(writer);
            payload = buffer.ToArray();
        }
        string name = FormattableString.Invariant($"{Prefix}{epoch:D6}{Extension}");
        string path = Path.Combine(Directory, name);
        string temporary = path + TemporaryExtension;
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using (var writer = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(Magic);
                    writer.Write(CurrentFormatVersion);
                    writer.Write((long)payload.Length);
                    int half = payload.Length / 2;
                    writer.Write(payload, 0, half);
                    if (HalfWrittenForTests is { } hook)
                    {
                        writer.Flush();
                        hook(name);
                    }
                    writer.Write(payload, half, payload.Length - half);
                    writer.Write(SHA256.HashData(payload));
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new IOException($"Writing checkpoint '{path}' failed: {e.Message}", e);
        }
        foreach (var (_, old) in Existing().Skip(_options.KeepLast))
            TryDelete(old);
    }

    /// <summary>
    /// The payload of the newest checkpoint that reads back whole, or null when the folder holds none. Damaged files
    /// are skipped with a warning; when every one is damaged, an <see cref="InvalidDataException"/> lists them. A file
    /// in a newer format is an error at once.
    /// </summary>
    public (int Epoch, string Path, byte[] Payload)? ReadLatest()
    {
        var damaged = new List<string>();
        foreach (var (epoch, path) in Existing())
        {
            try
            {
                var payload = ReadVerified(path);
                if (damaged.Count > 0)
                    _channel.Warning($"Resuming from '{path}' instead: the newer checkpoint(s) could not be used. {string.Join(" ", damaged)}");
                return (epoch, path, payload);
            }
            catch (InvalidDataException e) when (!e.Data.Contains(NewerFormat))
            {
                damaged.Add(e.Message);
                _channel.Warning(e.Message);
            }
        }
        if (damaged.Count > 0)
            throw new InvalidDataException($"No checkpoint in '{Directory}' can be used: {string.Join(" ", damaged)} " +
                $"Delete the folder's checkpoints to start again, or set {nameof(CheckpointOptions.Resume)} = false with another folder.");
        return null;
    }

    private const string NewerFormat = "NewerFormat";

    /// <summary>The payload of one checkpoint file after its header, length and SHA-256 are checked.</summary>
    public static byte[] ReadVerified(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' cannot be read ({e.Message}).", e);
        }
        if (bytes.Length < HeaderBytes + HashBytes || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Damaged(path, "it is not a checkpoint file or it is truncated");
        int version = BitConverter.ToInt32(bytes, Magic.Length);
        if (version > CurrentFormatVersion)
        {
            var newer = new InvalidDataException(FormattableString.Invariant(
                $"Checkpoint '{path}' was written in checkpoint format {version}, newer than this version of MLDeepExtensions reads (up to {CurrentFormatVersion}). ") +
                "Resume with the version of MLDeepExtensions that wrote it, or a newer one.");
            newer.Data[NewerFormat] = true;
            throw newer;
        }
        if (version < 1)
            throw Damaged(path, FormattableString.Invariant($"its format version {version} is not valid"));
        long length = BitConverter.ToInt64(bytes, Magic.Length + sizeof(int));
        if (length < 0 || length != bytes.Length - HeaderBytes - HashBytes)
            throw Damaged(path, FormattableString.Invariant($"it should hold {length} bytes of training state but holds {bytes.Length - HeaderBytes - HashBytes} (truncated?)"));
        var payload = bytes.AsSpan(HeaderBytes, (int)length);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(HeaderBytes + (int)length, HashBytes)))
            throw Damaged(path, "its contents do not match their SHA-256 (the file was changed or damaged after it was written)");
        return payload.ToArray();
    }

    private static InvalidDataException Damaged(string path, string why) => new($"Checkpoint '{path}' is damaged: {why}.");

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _channel.Warning($"Could not delete old checkpoint '{path}': {e.Message}");
        }
    }
}
