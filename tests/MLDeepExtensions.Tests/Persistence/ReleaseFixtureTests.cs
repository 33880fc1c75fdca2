using MLDeepExtensions.Model;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.ModelRunner;
using MLDeepExtensions.Persistence;

namespace MLDeepExtensions.Tests.Persistence;

/// <summary>
/// Saved models are a promise: every model kind that a released version saved (Fixtures/v&lt;version&gt;/&lt;kind&gt;/model.zip,
/// written by that release with the scores it gave, see Fixtures/README.md) must load and score the same today.
/// </summary>
[TestClass]
public sealed class ReleaseFixtureTests
{
    /// <summary>
    /// Kernels pinned for bitwise comparisons across machines: one thread (libtorch splits reductions across threads), MKL's
    /// conditional numerical reproducibility at its vendor-neutral SSE2 level (else MKL picks AVX2 or AVX-512 code by CPU),
    /// ATen's portable kernels (else ATen dispatches to AVX2 or AVX-512 ones) and oneDNN's SSE4.1 ones (it scores
    /// convolutions). libtorch, MKL and oneDNN read these when they load, so they apply to a new process. The fixtures
    /// were scored with the same settings.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> PinnedKernels = new Dictionary<string, string>
    {
        ["OMP_NUM_THREADS"] = "1",
        ["MKL_NUM_THREADS"] = "1",
        ["MKL_CBWR"] = "COMPATIBLE",
        ["ATEN_CPU_CAPABILITY"] = "default",
        ["ONEDNN_MAX_CPU_ISA"] = "SSE41",
    };

    private static readonly string[] Releases = { "v0.1.0" };

    private static readonly string[] Kinds =
    {
        "mlp-multiclass", "mlp-binary", "mlp-regression", "mlp-multioutput", "cnn-batchnorm", "lstm-fixed", "gru-variable-bidirectional",
        "token-rnn", "autoencoder", "conv-autoencoder", "anomaly-autoencoder",
    };

    private static string Folder(string release) => Path.Combine(AppContext.BaseDirectory, "Fixtures", release);

    [TestMethod]
    public void Fixtures_CoverEverySavedKind()
    {
        foreach (string release in Releases)
            CollectionAssert.AreEquivalent(Kinds, Directory.GetDirectories(Folder(release)).Select(Path.GetFileName).ToArray(), release);
    }

    /// <summary>
    /// How far a fixture's scores may move across machines: 1e-6 of the value's magnitude (at least 1). Bitwise equality
    /// across machines is not a promise libtorch makes, even with the kernels pinned: on an AMD EPYC with AVX-512, 35
    /// values of the convolutional fixtures came out 1 to 10 ulps (at most 1.5e-7) from those of the machine that wrote
    /// them. Where one machine computes both sides (a model saved again and loaded), the tests compare bitwise.
    /// </summary>
    internal const float AcrossMachines = 1e-6f;

    [TestMethod]
    public void Fixtures_LoadInANewProcessAndScoreAsTheReleaseDid_WithinTheCrossMachineTolerance()
    {
        foreach (string release in Releases)
        {
            string output = Path.Combine(Path.GetTempPath(), $"mlde-fixtures-{Guid.NewGuid():N}");
            try
            {
                ModelRunnerProcess.Finish(ModelRunnerProcess.Start(PinnedKernels, "score-fixtures", Folder(release), output));
                var problems = Kinds.SelectMany(kind => Differences(FixtureScores.Read(Path.Combine(Folder(release), kind, "scores.json")),
                    FixtureScores.Read(Path.Combine(output, kind + ".json")), AcrossMachines).Select(d => $"{release}/{kind}: {d}")).ToList();
                Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
            }
            finally
            {
                if (Directory.Exists(output))
                    Directory.Delete(output, recursive: true);
            }
        }
    }

    [TestMethod]
    public void Fixtures_LoadInThisProcess_AsTheirTransformerAndScoreClose()
    {
        // Without pinned kernels, scores agree to rounding; the closer check is the test above.
        foreach (string release in Releases)
        {
            foreach (string kind in Kinds)
            {
                var ml = new MLContext(seed: 7);
                using var model = (NetworkTransformerBase)ml.Model.Load(Path.Combine(Folder(release), kind, "model.zip"), out _);
                Assert.AreEqual(kind.Contains("autoencoder") ? typeof(AutoencoderTransformer) : typeof(DeepNetworkTransformer), model.GetType(), kind);
                var expected = FixtureScores.Read(Path.Combine(Folder(release), kind, "scores.json"));
                var problems = Differences(expected, expected.ScoredBy(ml, model), tolerance: 1e-5f).ToList();
                Assert.IsEmpty(problems, $"{release}/{kind}: " + string.Join(Environment.NewLine, problems));
            }
        }
    }

    [TestMethod]
    public void Fixtures_SavedAgain_CarryTheCurrentFormatAndScoreTheSame()
    {
        foreach (string kind in Kinds)
        {
            var ml = new MLContext(seed: 7);
            string path = ModelZip.TempPath();
            try
            {
                using var old = (NetworkTransformerBase)ml.Model.Load(Path.Combine(Folder(Releases[^1]), kind, "model.zip"), out var schema);
                var inputs = FixtureScores.Read(Path.Combine(Folder(Releases[^1]), kind, "scores.json"));
                ml.Model.Save(old, schema, path);
                byte[] header = ModelZip.Read(path, "Model.key");
                Assert.AreEqual(ModelFormat.CurrentVersion, BitConverter.ToUInt32(header, 0x48), $"{kind}: version written");
                Assert.AreEqual(ModelFormat.CurrentVersion, BitConverter.ToUInt32(header, 0x4C), $"{kind}: version needed to read");

                using var saved = (NetworkTransformerBase)new MLContext(seed: 7).Model.Load(path, out _);
                var problems = Differences(inputs.ScoredBy(ml, old), inputs.ScoredBy(ml, saved)).ToList();
                Assert.IsEmpty(problems, $"{kind}: " + string.Join(Environment.NewLine, problems));
                Assert.AreEqual(old.Architecture, saved.Architecture, $"{kind}: architecture (records compare by value)");
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>What differs between two fixture scorings: columns, types, class names, values (bitwise, or within a relative tolerance).</summary>
    private static IEnumerable<string> Differences(FixtureScores expected, FixtureScores actual, float tolerance = 0)
    {
        if (!expected.OutputTypes.OrderBy(p => p.Key).SequenceEqual(actual.OutputTypes.OrderBy(p => p.Key)))
            yield return $"output columns {Describe(actual.OutputTypes)}, expected {Describe(expected.OutputTypes)}";
        foreach (var (column, names) in expected.KeyValues)
        {
            if (!actual.KeyValues.TryGetValue(column, out var actualNames) || !names.SequenceEqual(actualNames))
                yield return $"class names of {column} are [{string.Join(", ", actualNames ?? Array.Empty<string>())}], expected [{string.Join(", ", names)}]";
        }
        foreach (var (column, rows) in expected.Outputs)
        {
            if (!actual.Outputs.TryGetValue(column, out var actualRows))
                continue;
            for (int row = 0; row < rows.Length; row++)
            {
                for (int i = 0; i < rows[row].Length; i++)
                {
                    float e = rows[row][i], a = actualRows[row][i];
                    bool same = tolerance == 0
                        ? BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a)
                        : Math.Abs(e - a) <= tolerance * Math.Max(1, Math.Abs(e));
                    if (!same)
                    {
                        yield return $"{column} row {row} value {i} is {a:R}, expected {e:R}";
                        break;
                    }
                }
            }
        }
    }

    private static string Describe(Dictionary<string, string> types) => string.Join(", ", types.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));
}
