using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>A generated flower: four measurements and its species (three species, overlapping a little).</summary>
public sealed class DemoFlower
{
    /// <summary>Species: setosa, versicolor or virginica.</summary>
    public string Label { get; set; } = "";

    /// <summary>Sepal length and width, petal length and width, in cm.</summary>
    [VectorType(4)]
    public float[] Features { get; set; } = [];
}

/// <summary>Trains the demo model: a small MLP that tells three generated species apart, saved with <c>Features</c> (Single[4]) as input.</summary>
public static class DemoModel
{
    private static readonly (string Species, float[] Mean)[] Species =
    [
        ("setosa", [5.0f, 3.4f, 1.5f, 0.2f]),
        ("versicolor", [5.9f, 2.8f, 4.3f, 1.3f]),
        ("virginica", [6.6f, 3.0f, 5.6f, 2.0f]),
    ];

    /// <summary>Trains on 600 generated flowers and saves the model zip to <paramref name="path"/>.</summary>
    public static void TrainAndSave(string path, int seed = 1)
    {
        var random = new Random(seed);
        var flowers = Enumerable.Range(0, 600).Select(i =>
        {
            var (species, mean) = Species[i % Species.Length];
            return new DemoFlower { Label = species, Features = mean.Select(m => m + 0.35f * Gaussian(random)).ToArray() };
        }).ToArray();
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(flowers);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
            {
                Architecture = new MlpArchitecture(16),
                Optimizer = OptimizerSettings.Adam(learningRate: 1e-2),
                Epochs = 20,
                BatchSize = 32,
            }));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, path);
        (model as IDisposable)?.Dispose();
    }

    private static float Gaussian(Random random)
        => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
