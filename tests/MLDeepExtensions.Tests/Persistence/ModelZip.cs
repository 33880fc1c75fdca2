using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Tests.Persistence;

/// <summary>Saves tiny models and edits the entries of ML.NET model zips, for the damaged-file tests.</summary>
internal static class ModelZip
{
    public static string TempPath() => Path.Combine(Path.GetTempPath(), $"mlde-hostile-{Guid.NewGuid():N}.zip");

    private sealed class ThreeFeatureRow
    {
        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Target { get; set; }
    }

    /// <summary>Fits a tiny MLP regressor (hidden 32, 16) on <paramref name="features"/> (3 or 4) features and saves it alone.</summary>
    public static string SaveTinyRegressor(int features = 4)
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.Generate(64, seed: 3);
        IDataView data = features == 4
            ? ml.Data.LoadFromEnumerable(rows)
            : ml.Data.LoadFromEnumerable(rows.Select(r => new ThreeFeatureRow { Features = r.Features.Take(3).ToArray(), Target = r.Target }));
        using var model = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1)).Fit(data);
        string path = TempPath();
        ml.Model.Save(model, data.Schema, path);
        return path;
    }

    public static byte[] Read(string path, string entrySuffix)
    {
        using var zip = ZipFile.OpenRead(path);
        using var stream = Find(zip, entrySuffix).Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>
    /// Replaces an entry. With <paramref name="reseal"/> (the default) the model's "Checksums" entry is updated to match,
    /// as a deliberate edit would: the tests of the reader's own checks get past the checksum to them.
    /// </summary>
    public static void Replace(string path, string entrySuffix, byte[] content, bool reseal = true)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        Write(zip, entrySuffix, content);
        var checksums = zip.Entries.SingleOrDefault(e => e.FullName.EndsWith("/Checksums", StringComparison.Ordinal));
        if (!reseal || checksums is null || entrySuffix == "Checksums")
            return;
        var sums = new System.Collections.Generic.List<(string Name, ulong Hash)>();
        using (var reader = new BinaryReader(checksums.Open()))
        {
            int version = reader.ReadInt32(), count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
                sums.Add((reader.ReadString(), reader.ReadUInt64()));
        }
        using var rewritten = new MemoryStream();
        using (var writer = new BinaryWriter(rewritten, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(1);
            writer.Write(sums.Count);
            foreach (var (name, hash) in sums)
            {
                writer.Write(name);
                writer.Write(name == entrySuffix ? System.IO.Hashing.XxHash64.HashToUInt64(content) : hash);
            }
        }
        Write(zip, "Checksums", rewritten.ToArray());
    }

    private static void Write(ZipArchive zip, string entrySuffix, byte[] content)
    {
        var entry = Find(zip, entrySuffix);
        string name = entry.FullName;
        entry.Delete();
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(content);
    }

    private static ZipArchiveEntry Find(ZipArchive zip, string suffix)
        => zip.Entries.Single(e => e.FullName.EndsWith("/" + suffix, StringComparison.Ordinal));

    /// <summary>Loads the model with a fresh MLContext and returns what it threw, unwrapped from ML.NET's reflection call.</summary>
    public static Exception LoadError(string path)
    {
        try
        {
            using var loaded = new MLContext().Model.Load(path, out _) as IDisposable;
        }
        catch (Exception e)
        {
            while (e is TargetInvocationException { InnerException: { } inner })
                e = inner;
            return e;
        }
        throw new InvalidOperationException($"The damaged model {path} loaded without an error.");
    }

    public static int IndexOf(byte[] content, string ascii)
    {
        var pattern = System.Text.Encoding.ASCII.GetBytes(ascii);
        for (int i = 0; i <= content.Length - pattern.Length; i++)
            if (content.AsSpan(i, pattern.Length).SequenceEqual(pattern))
                return i;
        throw new InvalidOperationException($"'{ascii}' not found in the entry.");
    }

    public static byte[] Splice(byte[] content, int at, int removed, params byte[] inserted)
        => content.Take(at).Concat(inserted).Concat(content.Skip(at + removed)).ToArray();
}
