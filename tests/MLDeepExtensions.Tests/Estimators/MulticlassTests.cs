using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Tests.Estimators;

[TestClass]
public sealed class MulticlassTests
{
    [TestMethod]
    public void Fit_FashionSubset_LearnsAndEvaluatesWithMLNet()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml);
        var options = new DeepNetworkOptions { Architecture = new MlpArchitecture(128), Epochs = 8, Seed = 3 };
        var model = TestData.FashionPipeline(ml, options).Fit(train);

        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);

        // A linear model reaches about 0.80 on this 3k subset; the MLP must do at least as well.
        Assert.IsGreaterThan(0.78, metrics.MicroAccuracy, $"accuracy {metrics.MicroAccuracy}");
        Assert.IsLessThan(0.7, metrics.LogLoss, $"log-loss {metrics.LogLoss}");
        Assert.AreEqual(10, metrics.ConfusionMatrix.NumberOfClasses);
    }

    [TestMethod]
    public void PredictedLabel_MapsBackToClassNames()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 1000, test: 200);
        var pipeline = TestData.FashionPipeline(ml, new DeepNetworkOptions { Architecture = new MlpArchitecture(64), Epochs = 3 })
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
        var scored = pipeline.Fit(train).Transform(test);

        var predicted = scored.GetColumn<string>("PredictedText").ToArray();
        var truth = test.GetColumn<string>("Label").ToArray();
        CollectionAssert.IsSubsetOf(predicted.Distinct().ToArray(), FashionMnist.ClassNames);
        double agreement = predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
        Assert.IsGreaterThan(0.6, agreement, $"agreement {agreement}");
    }

    [TestMethod]
    public void Score_IsProbabilityVectorWithSlotNames()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TestData.Fashion(ml, train: 500, test: 50);
        var scored = TestData.FashionPipeline(ml, new DeepNetworkOptions { Architecture = new MlpArchitecture(16), Epochs = 1 })
            .Fit(train).Transform(test);

        var scoreColumn = scored.Schema["Score"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 10), scoreColumn.Type);
        var slotNames = default(VBuffer<System.ReadOnlyMemory<char>>);
        scoreColumn.GetSlotNames(ref slotNames);
        Assert.AreEqual(10, slotNames.Length);
        foreach (var row in scored.GetColumn<float[]>("Score"))
        {
            Assert.AreEqual(1.0, row.Sum(), 1e-4);
            Assert.IsTrue(row.All(p => p >= 0 && p <= 1));
        }
    }
}
