using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using Google.Protobuf;

namespace MLDeepExtensions.Tests.Training;

/// <summary>A histogram as an event file holds it.</summary>
internal sealed record HistogramRecord(double Min, double Max, double Num, double Sum, List<double> BucketLimits, List<double> Buckets);

/// <summary>One Event record: wall time, step, file version, and its summary values (scalars by tag, histograms by tag).</summary>
internal sealed record EventRecord(double WallTime, long Step, string? FileVersion, Dictionary<string, float> Scalars, Dictionary<string, HistogramRecord> Histograms);

/// <summary>
/// Reads a TensorBoard event file by hand, independently of the writer: TFRecord framing (uint64 length, masked CRC32C
/// of the length, data, masked CRC32C of the data; both checksums verified with TorchSharp's CRC32C), and the Event,
/// Summary, Summary.Value and HistogramProto fields by number with Google.Protobuf's CodedInputStream.
/// </summary>
internal static class EventFileReader
{
    public static List<EventRecord> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<EventRecord>();
        int at = 0;
        while (at < bytes.Length)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at, 8));
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4));
            if (lengthCrc != Masked(bytes.AsSpan(at, 8).ToArray()))
                throw new InvalidDataException($"bad length checksum at {at}");
            var data = bytes.AsSpan(at + 12, (int)length).ToArray();
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length, 4));
            if (dataCrc != Masked(data))
                throw new InvalidDataException($"bad data checksum at {at}");
            records.Add(ParseEvent(data));
            at += 12 + (int)length + 4;
        }
        return records;
    }

    private static uint Masked(byte[] data)
    {
        uint crc = TorchSharp.Utils.CRC32C.process(data);
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8;
    }

    private static EventRecord ParseEvent(byte[] data)
    {
        var input = new CodedInputStream(data);
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var scalars = new Dictionary<string, float>();
        var histograms = new Dictionary<string, HistogramRecord>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: wallTime = input.ReadDouble(); break;
                case 2: step = input.ReadInt64(); break;
                case 3: version = input.ReadString(); break;
                case 5: ParseSummary(input.ReadBytes().ToByteArray(), scalars, histograms); break;
                default: input.SkipLastField(); break;
            }
        }
        return new EventRecord(wallTime, step, version, scalars, histograms);
    }

    private static void ParseSummary(byte[] data, Dictionary<string, float> scalars, Dictionary<string, HistogramRecord> histograms)
    {
        var input = new CodedInputStream(data);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1)
            {
                input.SkipLastField();
                continue;
            }
            var value = new CodedInputStream(input.ReadBytes().ToByteArray());
            string name = "";
            float? simple = null;
            HistogramRecord? histogram = null;
            for (uint field; (field = value.ReadTag()) != 0;)
            {
                switch (WireFormat.GetTagFieldNumber(field))
                {
                    case 1: name = value.ReadString(); break;
                    case 2: simple = value.ReadFloat(); break;
                    case 5: histogram = ParseHistogram(value.ReadBytes().ToByteArray()); break;
                    default: value.SkipLastField(); break;
                }
            }
            if (simple is float s)
                scalars.Add(name, s);
            if (histogram is not null)
                histograms.Add(name, histogram);
        }
    }

    private static HistogramRecord ParseHistogram(byte[] data)
    {
        var input = new CodedInputStream(data);
        double min = 0, max = 0, num = 0, sum = 0;
        List<double> limits = new(), buckets = new();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: min = input.ReadDouble(); break;
                case 2: max = input.ReadDouble(); break;
                case 3: num = input.ReadDouble(); break;
                case 4: sum = input.ReadDouble(); break;
                case 6: Packed(input, limits); break;
                case 7: Packed(input, buckets); break;
                default: input.SkipLastField(); break;
            }
        }
        return new HistogramRecord(min, max, num, sum, limits, buckets);
    }

    private static void Packed(CodedInputStream input, List<double> values)
    {
        var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
        while (!packed.IsAtEnd)
            values.Add(packed.ReadDouble());
    }
}
