using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Estimators;

/// <summary>
/// ML.NET's permutation feature importance accepts the supervised transformer for every task, and ranks a feature the
/// label depends on far above one it does not.
/// </summary>
[TestClass]
public sealed class PermutationFeatureImportanceTests
{
    private sealed class Row
    {
        public float Signal { get; set; }

        public float Noise { get; set; }

        public float Value { get; set; }

        public bool Flag { get; set; }

        public string Class { get; set; } = "";
    }

    /// <summary>The label depends on Signal only; Noise is independent of it.</summary>
    private static IDataView Data(MLContext ml, int count, int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, count).Select(_ =>
        {
            float signal = (float)(random.NextDouble() * 2 - 1), noise = (float)(random.NextDouble() * 2 - 1);
            return new Row
            {
                Signal = signal, Noise = noise, Value = 3 * signal + 0.05f * (float)(random.NextDouble() - 0.5),
                Flag = signal > 0, Class = signal < -0.33f ? "low" : signal < 0.33f ? "mid" : "high",
            };
        }).ToList();
        return ml.Data.LoadFromEnumerable(rows);
    }

    private static DeepNetworkOptions Options(string label) => new()
    {
        LabelColumnName = label, Architecture = new MlpArchitecture(16), Optimizer = OptimizerSettings.Adam(0.02), Epochs = 15, BatchSize = 32, Seed = 1,
    };

    private static IDataView Training(MLContext ml) => Data(ml, 600, seed: 1);

    private static IDataView Test(MLContext ml, ITransformer model) => model.Transform(Data(ml, 300, seed: 2));

    [TestMethod]
    public void Multiclass_PermutingTheSignalCostsAccuracy_PermutingNoiseDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Concatenate("Features", nameof(Row.Signal), nameof(Row.Noise))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", nameof(Row.Class)))
            .Append(ml.MulticlassClassification.Trainers.DeepNetwork(Options("Label")))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(Training(ml));
        // As README shows: the whole pipeline (ML.NET finds the network before MapKeyToValue), the dictionary overload.
        var importance = ml.MulticlassClassification.PermutationFeatureImportance(model, Test(ml, model), permutationCount: 3);
        double signal = importance[nameof(Row.Signal)].MicroAccuracy.Mean, noise = importance[nameof(Row.Noise)].MicroAccuracy.Mean;
        Assert.IsLessThan(-0.3, signal, $"accuracy change when Signal is permuted: {signal}");
        Assert.IsLessThan(0.03, Math.Abs(noise), $"accuracy change when Noise is permuted: {noise}");
    }

    [TestMethod]
    public void Binary_PermutingTheSignalCostsAuc_PermutingNoiseDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Concatenate("Features", nameof(Row.Signal), nameof(Row.Noise))
            .Append(ml.BinaryClassification.Trainers.DeepNetwork(Options(nameof(Row.Flag))))
            .Fit(Training(ml));
        // As a new user tried it: the pipeline's last transformer.
        var importance = ml.BinaryClassification.PermutationFeatureImportanceNonCalibrated(model.LastTransformer, Test(ml, model),
            labelColumnName: nameof(Row.Flag), permutationCount: 3);
        double signal = importance[nameof(Row.Signal)].AreaUnderRocCurve.Mean, noise = importance[nameof(Row.Noise)].AreaUnderRocCurve.Mean;
        Assert.IsLessThan(-0.3, signal, $"AUC change when Signal is permuted: {signal}");
        Assert.IsLessThan(0.02, Math.Abs(noise), $"AUC change when Noise is permuted: {noise}");
    }

    [TestMethod]
    public void Regression_PermutingTheSignalCostsRSquared_PermutingNoiseDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Concatenate("Features", nameof(Row.Signal), nameof(Row.Noise))
            .Append(ml.Regression.Trainers.DeepNetwork(Options(nameof(Row.Value))))
            .Fit(Training(ml));
        // The typed overload: one result per slot of the feature vector, in slot order (Signal, Noise).
        var importance = ml.Regression.PermutationFeatureImportance(model.LastTransformer, Test(ml, model), labelColumnName: nameof(Row.Value), permutationCount: 3);
        double signal = importance[0].RSquared.Mean, noise = importance[1].RSquared.Mean;
        Assert.IsLessThan(-1.0, signal, $"R² change when Signal is permuted: {signal}");
        Assert.IsLessThan(0.02, Math.Abs(noise), $"R² change when Noise is permuted: {noise}");
    }
}
