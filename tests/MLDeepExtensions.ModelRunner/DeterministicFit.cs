using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions;

namespace MLDeepExtensions.ModelRunner;

/// <summary>
/// One fixed fit for the determinism test: the same generated data, options and seed, run in the test's process and
/// in new processes (<c>ModelRunner fit &lt;seed&gt;</c>). Its result is a hash of the saved "Network" entry (architecture
/// and every weight) and a hash of the predictions on the training rows.
/// </summary>
internal static class DeterministicFit
{
    internal sealed class Row
    {
        [VectorType(6)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }

    /// <summary>The libtorch thread count of the fit (process-wide): results are bitwise equal at equal thread counts.</summary>
    public const int Threads = 2;

    /// <summary>Fits and returns the hex SHA-256 of the saved network entry and of the scores.</summary>
    public static (string Network, string Scores) Run(int seed)
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(Rows(240));
        var options = new DeepNetworkOptions
        {
            LabelColumnName = nameof(Row.Label),
            // Dropout and batch norm draw on libtorch's generator and keep running statistics; validation splits by seed.
            Architecture = new MlpArchitecture(16, 8) { Dropout = 0.1f, BatchNormalization = true },
            Optimizer = OptimizerSettings.Adam(0.01),
            Epochs = 3,
            BatchSize = 32,
            ValidationFraction = 0.2f,
            Seed = seed,
            NumberOfThreads = Threads,
        };
        using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        return Hashes(ml, model, data);
    }

    /// <summary>The hex SHA-256 of a fitted model's saved network entry and of its scores on <paramref name="data"/>.</summary>
    public static (string Network, string Scores) Hashes(MLContext ml, DeepNetworkTransformer model, IDataView data)
    {
        using var zipBytes = new MemoryStream();
        ml.Model.Save(model, data.Schema, zipBytes);
        zipBytes.Position = 0;
        using var zip = new ZipArchive(zipBytes, ZipArchiveMode.Read);
        using var network = new MemoryStream();
        using (var entry = zip.Entries.Single(e => e.FullName.EndsWith("/Network", StringComparison.Ordinal)).Open())
            entry.CopyTo(network);

        float[] scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        var scoreBytes = new byte[scores.Length * sizeof(float)];
        Buffer.BlockCopy(scores, 0, scoreBytes, 0, scoreBytes.Length);
        return (Convert.ToHexString(SHA256.HashData(network.ToArray())), Convert.ToHexString(SHA256.HashData(scoreBytes)));
    }

    /// <summary>Rows of 6 features on different scales and a nonlinear label; System.Random with a seed gives the same rows in every process.</summary>
    public static Row[] Rows(int count)
    {
        var random = new Random(7);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Enumerable.Range(0, 6).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return new Row { Features = x, Label = MathF.Sin(3 * x[0]) + x[1] * x[2] - 0.5f * x[3] + 0.1f * (float)random.NextDouble() };
        }).ToArray();
    }
}
