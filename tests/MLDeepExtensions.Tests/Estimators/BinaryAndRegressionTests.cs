using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Estimators;

[TestClass]
public sealed class BinaryAndRegressionTests
{
    private static (MLContext Ml, IDataView Train, IDataView Test) Generated()
    {
        var ml = new MLContext(seed: 3);
        return (ml, ml.Data.LoadFromEnumerable(TestData.Generate(1500, seed: 1)), ml.Data.LoadFromEnumerable(TestData.Generate(500, seed: 2)));
    }

    [TestMethod]
    public void Binary_EvaluatesWithMLNetCalibratedEvaluator()
    {
        var (ml, train, test) = Generated();
        var model = ml.BinaryClassification.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Positive), epochs: 10)).Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), nameof(GeneratedRow.Positive));

        // The label is a linear rule with 5% of labels flipped: the best possible accuracy is about 0.95.
        Assert.IsGreaterThan(0.88, metrics.Accuracy, $"accuracy {metrics.Accuracy}");
        Assert.IsGreaterThan(0.93, metrics.AreaUnderRocCurve, $"AUC {metrics.AreaUnderRocCurve}");
        Assert.IsLessThan(0.45, metrics.LogLoss, $"log-loss {metrics.LogLoss}");
    }

    [TestMethod]
    public void Binary_ProbabilityIsSigmoidOfScore_AndPredictedLabelItsThreshold()
    {
        var (ml, train, test) = Generated();
        var scored = ml.BinaryClassification.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Positive), epochs: 2)).Fit(train).Transform(test);
        var scores = scored.GetColumn<float>("Score").ToArray();
        var probabilities = scored.GetColumn<float>("Probability").ToArray();
        var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.AreEqual(1 / (1 + System.Math.Exp(-scores[i])), probabilities[i], 1e-5);
            Assert.AreEqual(probabilities[i] > 0.5f, predicted[i]);
        }
    }

    [TestMethod]
    public void Regression_BeatsTheMeanByFar()
    {
        var (ml, train, test) = Generated();
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 30);
        options.Architecture = new MlpArchitecture(64, 32) { Activation = Activation.Tanh };
        var model = ml.Regression.Trainers.DeepNetwork(options).Fit(train);
        var metrics = ml.Regression.Evaluate(model.Transform(test), nameof(GeneratedRow.Target));

        // Target = sin(x0) + x1² − 0.5·x3 + noise of sd 0.05: an MLP explains most of the variance.
        Assert.IsGreaterThan(0.9, metrics.RSquared, $"R² {metrics.RSquared}");
    }

    [TestMethod]
    public void MultiOutputRegression_VectorLabel_GivesVectorScoreThatFitsBothTargets()
    {
        var (ml, train, test) = Generated();
        var model = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Targets), epochs: 20)).Fit(train);
        var scored = model.Transform(test);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 2), scored.Schema["Score"].Type);

        var truth = scored.GetColumn<float[]>(nameof(GeneratedRow.Targets)).ToArray();
        var predicted = scored.GetColumn<float[]>("Score").ToArray();
        for (int j = 0; j < 2; j++)
        {
            double mean = truth.Average(t => t[j]);
            double varianceTotal = truth.Sum(t => (t[j] - mean) * (t[j] - mean));
            double residual = truth.Zip(predicted).Sum(p => (p.First[j] - p.Second[j]) * (p.First[j] - p.Second[j]));
            Assert.IsGreaterThan(0.8, 1 - residual / varianceTotal, $"R² of output {j}");
        }
    }

    [TestMethod]
    public void Transform_IsLazy_NothingScoredUntilRead()
    {
        var (ml, train, _) = Generated();
        var model = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1)).Fit(train);
        var scored = model.Transform(train);
        model.Dispose();
        // Building the view did no work; reading a pass-through column needs no network either.
        Assert.AreEqual(1500, scored.GetColumn<float>(nameof(GeneratedRow.Target)).Count());
        Assert.ThrowsExactly<System.ObjectDisposedException>(() => scored.GetColumn<float>("Score").ToArray());
    }
}
