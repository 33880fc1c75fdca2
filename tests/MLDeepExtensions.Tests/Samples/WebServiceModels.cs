using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Tests.Samples;

/// <summary>A row with every input type the web service reads: known-size and variable-size Single vectors, a Boolean and a text.</summary>
public sealed class ServiceRow
{
    private static readonly string[] Colors = ["red", "green", "blue"];
    private static readonly string[] Labels = ["low", "middle", "high"];

    [VectorType(4)]
    public float[] Features { get; set; } = [];

    public bool Large { get; set; }

    public string Color { get; set; } = "";

    /// <summary>Variable-size: the model returns it converted to Double (ExtraDouble).</summary>
    public float[] Extra { get; set; } = [];

    public string Label { get; set; } = "";

    /// <summary>Rows whose label follows the features, the colour and the flag.</summary>
    public static ServiceRow[] Generate(int count, int seed, bool withExtra)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var features = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            int color = random.Next(Colors.Length);
            bool large = random.NextDouble() < 0.5;
            double signal = features[0] + 0.5 * features[1] - features[2] + color * 0.7 + (large ? 1 : 0);
            return new ServiceRow
            {
                Features = features,
                Large = large,
                Color = Colors[color],
                Extra = Enumerable.Range(0, withExtra ? 1 + random.Next(6) : 2).Select(_ => (float)random.NextDouble() + 0.1f).ToArray(),
                Label = Labels[signal < 0 ? 0 : signal < 1.5 ? 1 : 2],
            };
        }).ToArray();
    }

    /// <summary>The JSON request: the fields the model reads (the label is in the saved schema, but not needed).</summary>
    public object Request() => new { Features, Large, Color, Extra };
}

/// <summary>The outputs the tests compare: the network's scores, its class and the variable-size vector as Double.</summary>
public sealed class ServicePrediction
{
    public float[] Score { get; set; } = [];

    public uint PredictedLabel { get; set; }

    public double[] ExtraDouble { get; set; } = [];
}

/// <summary>A model saved for the service and its own PredictionEngine's answers to the test requests.</summary>
internal sealed class ServedAnswers
{
    private readonly (float[] Score, string Label, double[] ExtraDouble)[] _answers;

    private ServedAnswers(string path, (float[], string, double[])[] answers)
    {
        Path = path;
        _answers = answers;
    }

    public string Path { get; }

    /// <summary>Trains one-hot colour + flag + features → MLP, beside Extra as Double, saves it, and scores the requests with a PredictionEngine of the saved model.</summary>
    public static ServedAnswers Train(string path, int seed, IReadOnlyList<ServiceRow> requests)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(ServiceRow.Generate(300, seed: 3, withExtra: true));
        var pipeline = ml.Transforms.Categorical.OneHotEncoding("ColorCode", nameof(ServiceRow.Color))
            .Append(ml.Transforms.Conversion.ConvertType("LargeCode", nameof(ServiceRow.Large), DataKind.Single))
            .Append(ml.Transforms.Concatenate("Inputs", nameof(ServiceRow.Features), "ColorCode", "LargeCode"))
            .Append(ml.Transforms.Conversion.ConvertType("ExtraDouble", nameof(ServiceRow.Extra), DataKind.Double))
            .Append(ml.Transforms.Conversion.MapValueToKey(nameof(ServiceRow.Label)))
            .Append(ml.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
            {
                FeatureColumnName = "Inputs",
                Architecture = new MlpArchitecture(16),
                Optimizer = OptimizerSettings.Adam(learningRate: 1e-2),
                Epochs = 4,
                BatchSize = 32,
            }));
        using (var fitted = pipeline.Fit(data))
            ml.Model.Save(fitted, data.Schema, path);

        var loaded = new MLContext().Model.Load(path, out var inputSchema);
        try
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            loaded.GetOutputSchema(inputSchema)["PredictedLabel"].GetKeyValues(ref names);
            var labels = names.DenseValues().Select(n => n.ToString()).ToArray();
            using var engine = ml.Model.CreatePredictionEngine<ServiceRow, ServicePrediction>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
            var answers = requests.Select(r =>
            {
                var p = engine.Predict(r);
                return (p.Score.ToArray(), labels[p.PredictedLabel - 1], p.ExtraDouble.ToArray());
            }).ToArray();
            return new ServedAnswers(path, answers);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    /// <summary>The largest difference between this model's scores and <paramref name="other"/>'s over the requests.</summary>
    public float LargestScoreDifference(ServedAnswers other)
        => _answers.Zip(other._answers).Max(p => p.First.Score.Zip(p.Second.Score).Max(s => Math.Abs(s.First - s.Second)));

    /// <summary>Null when <paramref name="answer"/> is this model's answer to request <paramref name="request"/> (within 1e-5), else what differs.</summary>
    public string? Check(int request, JsonElement answer)
    {
        var (score, label, extraDouble) = _answers[request];
        string? why = Compare("Score", Array.ConvertAll(score, s => (double)s), answer) ?? Compare("ExtraDouble", extraDouble, answer);
        if (why is not null)
            return why;
        string? served = answer.GetProperty("PredictedLabel").GetString();
        return served == label ? null : $"PredictedLabel '{served}', expected '{label}'";
    }

    private static string? Compare(string name, double[] expected, JsonElement answer)
    {
        var served = answer.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
        if (served.Length != expected.Length)
            return $"{name} has {served.Length} values, expected {expected.Length}";
        for (int i = 0; i < served.Length; i++)
        {
            if (!(Math.Abs(served[i] - expected[i]) <= 1e-5))
                return $"{name}[{i}] = {served[i]:R}, expected {expected[i]:R}";
        }
        return null;
    }
}
