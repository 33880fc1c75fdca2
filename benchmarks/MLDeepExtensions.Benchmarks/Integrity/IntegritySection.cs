using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>integrity</c> section (benchmarks/RESULTS-integrity.md): a Fashion-MNIST MLP pipeline saved to a zip, then damaged 1,000 times
/// by a random single-bit flip and 1,000 times by a random byte overwrite anywhere in the file; each damaged file is
/// loaded with <c>ml.Model.Load</c> and with <c>ml.Model.LoadChecked</c> and, when it loads, scores the test images.
/// A file that loads must score exactly as the original; the counts say how often each load refused.
/// </summary>
internal static class IntegritySection
{
    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        int trials = options.Quick ? 100 : 1000;
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
            {
                FeatureColumnName = nameof(FashionImage.Pixels), Architecture = new MlpArchitecture(64), Epochs = 1, Seed = 1,
            }))
            .Fit(ml.Data.TakeRows(data.RawTrain, 5000));
        var test = ml.Data.TakeRows(data.RawTest, 200);
        byte[] original;
        using (var stream = new MemoryStream())
        {
            ml.Model.Save(model, data.RawTrain.Schema, stream);
            original = stream.ToArray();
        }
        float[] expected = Scores(ml.Model.Load(new MemoryStream(original), out _));
        string path = Path.Combine(Path.GetTempPath(), $"mlde-integrity-{Guid.NewGuid():N}.zip");
        var random = new Random(1);
        var table = new MarkdownTable("Damage", "`ml.Model.Load`", "`ml.Model.LoadChecked`");
        try
        {
            foreach (string kind in new[] { "single-bit flip", "byte overwrite" })
            {
                report.Section($"Integrity: {trials} files of {original.Length:N0} bytes, each with one random {kind}", timed: false);
                int[] refused = new int[2], identical = new int[2], different = new int[2];
                for (int trial = 0; trial < trials; trial++)
                {
                    var bytes = original.ToArray();
                    int at = random.Next(bytes.Length);
                    bytes[at] = kind == "single-bit flip" ? (byte)(bytes[at] ^ (1 << random.Next(8))) : (byte)random.Next(256);
                    File.WriteAllBytes(path, bytes);
                    for (int way = 0; way < 2; way++)
                    {
                        float[] scores;
                        try
                        {
                            var loaded = way == 0 ? ml.Model.Load(path, out _) : ml.Model.LoadChecked(path, out _);
                            scores = Scores(loaded);
                        }
                        catch (Exception)
                        {
                            refused[way]++;
                            continue;
                        }
                        if (scores.SequenceEqual(expected))
                            identical[way]++;
                        else
                            different[way]++;
                    }
                }
                report.Add("ml.Model.Load", $"{refused[0]} refused, {identical[0]} scored identically, {different[0]} scored differently (goal 0)");
                report.Add("ml.Model.LoadChecked", $"{refused[1]} refused, {identical[1]} scored identically, {different[1]} scored differently (goal 0)");
                table.Row($"one random {kind} ({trials:N0} files)", Counts(0), Counts(1));

                string Counts(int way) => $"{refused[way]:N0} refused, {identical[way]:N0} identical, **{different[way]:N0} different**";
            }
            report.Results.AddTable("Damaged model files",
                $"A `MapValueToKey → DeepNetwork` (MLP [64], one epoch on 5,000 Fashion-MNIST images) pipeline saved to a zip of {original.Length:N0} " +
                "bytes, damaged at one random place per file, each file loaded both ways and, when it loads, scoring 200 test images: refused, " +
                "scored identically, or scored differently (goal: never).", table);
        }
        finally
        {
            File.Delete(path);
        }

        float[] Scores(ITransformer loaded)
        {
            try
            {
                return loaded.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        }
    }
}
