using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Persistence;

/// <summary>
/// Model files that changed after they were written: every entry we write is checked against the checksums saved
/// with it, so a changed byte is an error that says the file is damaged, never a model that scores differently.
/// </summary>
[TestClass]
public sealed class ModelIntegrityTests
{
    [TestMethod]
    [DataRow("Network")]
    [DataRow("History")]
    public void OneFlippedBitInAnEntry_IsRefusedAsDamaged(string entry)
    {
        string path = ModelZip.SaveTinyRegressor();
        try
        {
            var bytes = ModelZip.Read(path, entry);
            var random = new Random(entry.Length);
            for (int trial = 0; trial < 10; trial++)
            {
                var flipped = bytes.ToArray();
                int at = random.Next(flipped.Length);
                flipped[at] ^= (byte)(1 << random.Next(8));
                ModelZip.Replace(path, entry, flipped, reseal: false);
                var error = ModelZip.LoadError(path);
                Assert.IsInstanceOfType<InvalidDataException>(error, $"byte {at}: {error}");
                StringAssert.Contains(error.Message, $"its '{entry}' entry does not match the checksum saved with it");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ChangedThreshold_InTheModelsOwnFields_IsRefusedAsDamaged()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestNetworks.Rows(100, seed: 2));
        using var model = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderOptions
        {
            FeatureColumnName = nameof(SixteenRow.Features), Architecture = new AutoencoderArchitecture(4, 8), Epochs = 1,
        }).Fit(data);
        string path = ModelZip.TempPath();
        ml.Model.Save(model, data.Schema, path);
        try
        {
            // The threshold is the last double of the model's own stream; a different threshold would flag other rows.
            var fields = ModelZip.Read(path, "Model.key");
            int at = FindThreshold(fields);
            fields[at] ^= 0x10;
            ModelZip.Replace(path, "Model.key", fields, reseal: false);
            var error = ModelZip.LoadError(path);
            Assert.IsInstanceOfType<InvalidDataException>(error, error.ToString());
            StringAssert.Contains(error.Message, "its 'fields' part does not match the checksum saved with it");
        }
        finally
        {
            File.Delete(path);
        }

        static int FindThreshold(byte[] fields)
        {
            // The reconstruction head writes latent size (int 4), the anomaly flag (true) and the threshold (double).
            for (int i = 0; i + 13 <= fields.Length; i++)
                if (BitConverter.ToInt32(fields, i) == 4 && fields[i + 4] == 1 && BitConverter.ToDouble(fields, i + 5) is double t && t > 0 && t < 10)
                    return i + 5 + 3;
            throw new AssertFailedException("threshold not found in the model stream");
        }
    }

    [TestMethod]
    public void RandomBitFlipsAnywhereInTheFile_NeverLoadAModelThatScoresDifferently()
    {
        string path = ModelZip.SaveTinyRegressor();
        string damaged = ModelZip.TempPath();
        try
        {
            var ml = new MLContext(seed: 1);
            var rows = ml.Data.LoadFromEnumerable(TestData.Generate(20, seed: 9));
            float[] Scores(ITransformer model) => model.Transform(rows).GetColumn<float>("Score").ToArray();
            float[] expected;
            using (var stream = File.OpenRead(path))
                expected = Scores(ml.Model.Load(stream, out _));
            var original = File.ReadAllBytes(path);
            var random = new Random(7);
            var refusals = new Dictionary<string, int>();
            int identical = 0;
            for (int trial = 0; trial < 60; trial++)
            {
                var bytes = original.ToArray();
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                File.WriteAllBytes(damaged, bytes);
                float[]? scores = null;
                try
                {
                    using var stream = File.OpenRead(damaged);
                    var model = ml.Model.Load(stream, out _);
                    scores = Scores(model);
                    (model as IDisposable)?.Dispose();
                }
                catch (Exception e)
                {
                    // A refusal is a clear error about the file: ours or the zip reader's (InvalidDataException), or ML.NET's own
                    // checks of its entries ("Cannot read version … data", an InvalidOperationException or FormatException);
                    // never a crash inside a loader (NullReference, IndexOutOfRange, ArgumentOutOfRange, OutOfMemory…).
                    var cause = e;
                    while (cause is System.Reflection.TargetInvocationException { InnerException: { } inner })
                        cause = inner;
                    Assert.IsTrue(cause is InvalidDataException or FormatException || cause.GetType() == typeof(InvalidOperationException),
                        $"trial {trial}: the damaged file crashed the loader instead of being refused: {cause}");
                    refusals[cause.GetType().Name] = refusals.GetValueOrDefault(cause.GetType().Name) + 1;
                    continue;
                }
                CollectionAssert.AreEqual(expected, scores, $"trial {trial}: a damaged file loaded and scored differently");
                identical++;
            }
            // Most bytes of the file are checksummed data: most flips must be refused (a flip in a zip header's time stamp or
            // an unused field loads the same model, which the loop checked).
            Assert.IsGreaterThan(30, refusals.Values.Sum(), $"refused: {string.Join(", ", refusals)}; loaded identically: {identical}");
        }
        finally
        {
            File.Delete(path);
            File.Delete(damaged);
        }
    }

    [TestMethod]
    public void LoadChecked_RefusesAFlipInAnyEntrysData_EvenML_NETsOwn_AndLoadsAGoodFile()
    {
        string path = ModelZip.SaveTinyRegressor();
        string damaged = ModelZip.TempPath();
        try
        {
            var ml = new MLContext(seed: 1);
            var rows = ml.Data.LoadFromEnumerable(TestData.Generate(20, seed: 9));
            var good = ml.Model.LoadChecked(path, out var schema);
            Assert.IsNotNull(schema);
            using (var stream = File.OpenRead(path))
                CollectionAssert.AreEqual(ml.Model.Load(stream, out _).Transform(rows).GetColumn<float>("Score").ToArray(), good.Transform(rows).GetColumn<float>("Score").ToArray());
            (good as IDisposable)?.Dispose();

            var original = File.ReadAllBytes(path);
            var random = new Random(3);
            var regions = DataRegions(original);
            Assert.IsGreaterThanOrEqualTo(5, regions.Count(r => r.Length > 0), "entries with their sizes in the local headers: model, network, history, checksums, schema, ...");
            foreach (var (start, length, entry) in regions.Where(r => r.Length > 0))
            {
                var bytes = original.ToArray();
                bytes[start + random.Next(length)] ^= (byte)(1 << random.Next(8));
                File.WriteAllBytes(damaged, bytes);
                var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadChecked(damaged, out _), entry);
                StringAssert.Contains(error.Message, "is damaged");
            }
        }
        finally
        {
            File.Delete(path);
            File.Delete(damaged);
        }
    }

    /// <summary>Where each entry's (compressed) data lies in a zip: walks the local file headers.</summary>
    private static System.Collections.Generic.List<(int Start, int Length, string Entry)> DataRegions(byte[] zip)
    {
        var regions = new System.Collections.Generic.List<(int, int, string)>();
        int at = 0;
        while (at + 30 <= zip.Length && BitConverter.ToUInt32(zip, at) == 0x04034b50)
        {
            int compressed = BitConverter.ToInt32(zip, at + 18);
            int nameLength = BitConverter.ToUInt16(zip, at + 26), extraLength = BitConverter.ToUInt16(zip, at + 28);
            string name = System.Text.Encoding.UTF8.GetString(zip, at + 30, nameLength);
            int start = at + 30 + nameLength + extraLength;
            regions.Add((start, compressed, name));
            at = start + compressed;
        }
        return regions;
    }
}
