using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Google.Protobuf;
using Tensorboard;

namespace MLDeepExtensions.Training;

/// <summary>
/// One TensorBoard event file: TFRecord framing (uint64 length, masked CRC32C of the length, the Event protobuf, masked
/// CRC32C of the Event) around TorchSharp's generated Event and Summary messages. Written here rather than with
/// TorchSharp's SummaryWriter, which (0.107) stamps events with .NET ticks or 0 where TensorBoard expects seconds since
/// 1970, and reopens the file for every value.
/// </summary>
internal sealed class TensorBoardEventFile : IDisposable
{
    private static int _files;
    private readonly FileStream _stream;

    /// <summary>Creates a new event file in <paramref name="directory"/> (created if missing) and writes its version record.</summary>
    public TensorBoardEventFile(string directory)
    {
        Directory.CreateDirectory(directory);
        long seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // TensorBoard reads every file whose name contains "tfevents"; the process id and a counter keep names unique.
        string name = FormattableString.Invariant($"events.out.tfevents.{seconds}.mldeepextensions.{Environment.ProcessId}.{Interlocked.Increment(ref _files)}");
        Path = System.IO.Path.Combine(directory, name);
        _stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        Write(new Event { WallTime = Now(), FileVersion = "brain.Event:2" });
        _stream.Flush();
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Writes one event holding the scalars of <paramref name="step"/>, as float32 values (TensorBoard's simple_value).</summary>
    public void WriteScalars(long step, IEnumerable<(string Tag, double Value)> scalars)
    {
        var summary = new Summary();
        foreach (var (tag, value) in scalars)
            summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        Write(new Event { WallTime = Now(), Step = step, Summary = summary });
    }

    /// <summary>Writes one event holding a histogram of the values per tag (30 equal-width buckets; NaN and infinite values left out).</summary>
    public void WriteHistograms(long step, IEnumerable<(string Tag, float[] Values)> histograms)
    {
        var summary = new Summary();
        foreach (var (tag, values) in histograms)
            summary.Value.Add(new Summary.Types.Value { Tag = tag, Histo = Histogram(values, 30) });
        if (summary.Value.Count > 0)
            Write(new Event { WallTime = Now(), Step = step, Summary = summary });
    }

    /// <summary>Makes everything written so far readable by TensorBoard.</summary>
    public void Flush() => _stream.Flush();

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void Write(Event record)
    {
        var data = record.ToByteArray();
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(data));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
    }

    private static HistogramProto Histogram(float[] values, int buckets)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, squares = 0;
        long count = 0;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            squares += (double)v * v;
            count++;
        }
        var histogram = new HistogramProto { Num = count, Sum = sum, SumSquares = squares, Min = count > 0 ? min : 0, Max = count > 0 ? max : 0 };
        if (count == 0)
            return histogram;
        double width = max > min ? (max - min) / buckets : 1;
        var counts = new double[buckets];
        foreach (float v in values)
        {
            if (float.IsFinite(v))
                counts[Math.Min(buckets - 1, (int)((v - min) / width))]++;
        }
        // Each bucket is counted up to its right edge (bucket_limit); the last edge is the maximum itself.
        for (int i = 0; i < buckets; i++)
        {
            histogram.BucketLimit.Add(i == buckets - 1 ? max : min + (i + 1) * width);
            histogram.Bucket.Add(counts[i]);
        }
        return histogram;
    }

    /// <summary>TFRecord's checksum: CRC32C (Castagnoli) rotated right by 15 bits plus 0xa282ead8.</summary>
    internal static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8;
    }
}
