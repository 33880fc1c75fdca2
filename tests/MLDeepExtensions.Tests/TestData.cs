using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Tests;

/// <summary>A row of generated data: a feature vector and labels of every kind.</summary>
public sealed class GeneratedRow
{
    [VectorType(4)]
    public float[] Features { get; set; } = Array.Empty<float>();

    public bool Positive { get; set; }

    public float Target { get; set; }

    [VectorType(2)]
    public float[] Targets { get; set; } = Array.Empty<float>();

    public string Class { get; set; } = "";
}

/// <summary>Small real (Fashion-MNIST subset) and honestly generated data sets for the tests.</summary>
internal static class TestData
{
    private static (FashionImage[] Train, FashionImage[] Test)? _fashion;

    /// <summary>The repository's Fashion-MNIST subset (3,000 / 1,000 images), always the subset so results do not depend on the machine.</summary>
    public static (IDataView Train, IDataView Test) Fashion(MLContext ml, int train = 3000, int test = 1000)
    {
        _fashion ??= LoadFashion();
        return (ml.Data.LoadFromEnumerable(_fashion.Value.Train.Take(train)), ml.Data.LoadFromEnumerable(_fashion.Value.Test.Take(test)));
    }

    private static (FashionImage[], FashionImage[]) LoadFashion()
    {
        var (train, test, _) = FashionMnist.Load(subsetOnly: true);
        return (train, test);
    }

    /// <summary>The usual multiclass pipeline on Fashion-MNIST: label to key, then the network on the pixels.</summary>
    public static IEstimator<ITransformer> FashionPipeline(MLContext ml, DeepNetworkOptions options)
    {
        options.FeatureColumnName = nameof(FashionImage.Pixels);
        return ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.DeepNetwork(options));
    }

    /// <summary>
    /// Rows with 4 standard-normal features and labels that depend on them: Positive = x0 + x1 − x2 &gt; 0 (with 5% flipped),
    /// Target = sin(x0) + x1² − 0.5·x3 + noise(0.05), Targets = (x0 + x1, x2·x3) + noise, Class by quadrant of (x0, x1).
    /// </summary>
    public static List<GeneratedRow> Generate(int count, int seed)
    {
        var random = new Random(seed);
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        var rows = new List<GeneratedRow>(count);
        for (int i = 0; i < count; i++)
        {
            var x = new[] { Normal(), Normal(), Normal(), Normal() };
            bool positive = x[0] + x[1] - x[2] > 0;
            if (random.NextDouble() < 0.05)
                positive = !positive;
            rows.Add(new GeneratedRow
            {
                Features = x,
                Positive = positive,
                Target = MathF.Sin(x[0]) + x[1] * x[1] - 0.5f * x[3] + 0.05f * Normal(),
                Targets = new[] { x[0] + x[1] + 0.05f * Normal(), x[2] * x[3] + 0.05f * Normal() },
                Class = (x[0] > 0 ? "right" : "left") + (x[1] > 0 ? "-up" : "-down"),
            });
        }
        return rows;
    }

    /// <summary>An MLContext (seed 1) whose log messages are collected (thread-safely), and <paramref name="rows"/> generated rows.</summary>
    public static (MLContext Ml, IDataView Data, List<string> Log) LoggedContext(int rows)
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        return (ml, ml.Data.LoadFromEnumerable(Generate(rows, seed: 3)), log);
    }

    /// <summary>One epoch of <see cref="Tiny"/> on the Target regression, on <paramref name="device"/>.</summary>
    public static DeepNetworkOptions TinyOn(ComputeDevice? device) => Tiny(nameof(GeneratedRow.Target), epochs: 1) with { Device = device };

    /// <summary>Options for a tiny, fast network on the generated data.</summary>
    public static DeepNetworkOptions Tiny(string label, int epochs = 20) => new()
    {
        LabelColumnName = label,
        Architecture = new MlpArchitecture(32, 16),
        Optimizer = OptimizerSettings.Adam(0.01),
        Epochs = epochs,
        BatchSize = 32,
        Seed = 1,
    };

    /// <summary>The saved "Network" entry of a fitted network: its architecture and every weight, so equal bytes mean an equal model.</summary>
    public static byte[] SavedNetwork(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var zipBytes = new MemoryStream();
        ml.Model.Save(model, schema, zipBytes);
        zipBytes.Position = 0;
        using var zip = new ZipArchive(zipBytes, ZipArchiveMode.Read);
        using var entry = zip.Entries.Single(e => e.FullName.EndsWith("/Network", StringComparison.Ordinal)).Open();
        using var network = new MemoryStream();
        entry.CopyTo(network);
        return network.ToArray();
    }

    /// <summary>Reads a Single column, or the Single vector column, into arrays.</summary>
    public static float[][] ReadScores(IDataView data, string column = "Score")
    {
        var col = data.Schema[column];
        if (col.Type is VectorDataViewType)
            return data.GetColumn<float[]>(col).ToArray();
        return data.GetColumn<float>(col).Select(v => new[] { v }).ToArray();
    }
}
