using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Tests.Onnx;

namespace MLDeepExtensions.Tests.Heads;

/// <summary>
/// Multi-label classification on a real public set (data/multilabel/house-votes-84.csv: six 1984 House votes of each
/// member predicted from party and ten other votes), against per-label logistic regression (binary relevance) and
/// ML.NET's binary evaluator per label.
/// </summary>
[TestClass]
public sealed class MultiLabelTests
{
    private static readonly string[] Votes = ["V3", "V4", "V5", "V6", "V7", "V8"];

    public sealed class VoteRow
    {
        [LoadColumn(0, 10), VectorType(11)]
        public float[] Features { get; set; } = [];

        [LoadColumn(11, 16), VectorType(6)]
        public float[] Votes { get; set; } = [];
    }

    /// <summary>Train and test rows (a seeded 70/30 split); the label "Label" is the six votes as Booleans, with their names as slot names.</summary>
    private static (IDataView Train, IDataView Test) Data(MLContext ml)
    {
        var rows = ml.Data.LoadFromTextFile<VoteRow>(Repository.File("data/multilabel/house-votes-84.csv"), separatorChar: ',', hasHeader: true);
        var columns = Votes.Select((v, i) => (v, i)).ToArray();
        // One Boolean column per vote, then concatenated: the label's slot names are the votes' names.
        var split = ml.Data.TrainTestSplit(rows, testFraction: 0.3, seed: 7);
        var labels = ml.Transforms.CustomMapping((VoteRow input, VoteFlags output) => output.Set(input.Votes), contractName: null)
            .Append(ml.Transforms.Concatenate("Label", Votes));
        var fitted = labels.Fit(split.TrainSet);
        return (fitted.Transform(split.TrainSet), fitted.Transform(split.TestSet));
    }

    public sealed class VoteFlags
    {
        public bool V3 { get; set; }
        public bool V4 { get; set; }
        public bool V5 { get; set; }
        public bool V6 { get; set; }
        public bool V7 { get; set; }
        public bool V8 { get; set; }

        public void Set(float[] votes) => (V3, V4, V5, V6, V7, V8) = (votes[0] > 0, votes[1] > 0, votes[2] > 0, votes[3] > 0, votes[4] > 0, votes[5] > 0);
    }

    private static MultiLabelOptions Options() => new()
    {
        Architecture = new MlpArchitecture(32),
        Optimizer = OptimizerSettings.Adam(0.01),
        Epochs = 30,
        BatchSize = 32,
        Seed = 1,
    };

    [TestMethod]
    public void Fit_HouseVotes_MatchesPerLabelLogisticRegression()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml);
        using var model = ml.MultiLabelClassification.Trainers.DeepNetwork(Options()).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.MultiLabelClassification.Evaluate(scored);
        CollectionAssert.AreEqual(Votes, model.LabelNames!.ToArray(), "the label's slot names name the labels");
        CollectionAssert.AreEqual(Votes, metrics.PerLabel.Select(l => l.Name).ToArray());

        // Binary relevance: one L-BFGS logistic regression per vote, the usual baseline.
        double baselineF1 = 0;
        double tp = 0, fp = 0, fn = 0;
        foreach (var vote in Votes)
        {
            var baseline = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(vote, "Features").Fit(train);
            var result = ml.BinaryClassification.Evaluate(baseline.Transform(test), vote);
            var matrix = result.ConfusionMatrix;
            tp += matrix.Counts[0][0];
            fn += matrix.Counts[0][1];
            fp += matrix.Counts[1][0];
            baselineF1 += result.F1Score / Votes.Length;
        }
        double baselineMicroF1 = 2 * tp / (2 * tp + fp + fn);
        Console.WriteLine($"network: micro-F1 {metrics.MicroF1:F3}, macro-F1 {metrics.MacroF1:F3}, Hamming {metrics.HammingLoss:F3}, subset accuracy {metrics.SubsetAccuracy:F3}, macro AUC {metrics.MacroAreaUnderRocCurve:F3}; " +
            $"per-label logistic regression: micro-F1 {baselineMicroF1:F3}, macro-F1 {baselineF1:F3}");
        Assert.IsGreaterThan(baselineMicroF1 - 0.03, metrics.MicroF1, "micro-F1 within 3 points of binary relevance");
        Assert.IsGreaterThan(0.85, metrics.MicroF1);
    }

    [TestMethod]
    public void Evaluate_PerLabel_MatchesMLNetBinaryEvaluator()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml);
        using var model = ml.MultiLabelClassification.Trainers.DeepNetwork(Options() with { Epochs = 5 }).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.MultiLabelClassification.Evaluate(scored);
        var truth = scored.GetColumn<bool[]>("Label").ToArray();
        var probability = scored.GetColumn<float[]>("Probability").ToArray();
        var predicted = scored.GetColumn<bool[]>("PredictedLabel").ToArray();
        var score = scored.GetColumn<float[]>("Score").ToArray();
        for (int k = 0; k < Votes.Length; k++)
        {
            var rows = Enumerable.Range(0, truth.Length).Select(i => new BinaryRow
            {
                Label = truth[i][k], Score = score[i][k], Probability = probability[i][k], PredictedLabel = predicted[i][k],
            });
            var expected = ml.BinaryClassification.Evaluate(ml.Data.LoadFromEnumerable(rows));
            var label = metrics.PerLabel[k];
            Assert.AreEqual(expected.PositivePrecision, label.Precision, 1e-9, Votes[k]);
            Assert.AreEqual(expected.PositiveRecall, label.Recall, 1e-9, Votes[k]);
            Assert.AreEqual(expected.F1Score, label.F1Score, 1e-9, Votes[k]);
            Assert.AreEqual(expected.AreaUnderRocCurve, label.AreaUnderRocCurve, 1e-6, Votes[k]);
        }
        // Hamming loss and subset accuracy by their definitions.
        int wrong = 0, exact = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            int errors = Enumerable.Range(0, Votes.Length).Count(k => truth[i][k] != predicted[i][k]);
            wrong += errors;
            exact += errors == 0 ? 1 : 0;
        }
        Assert.AreEqual((double)wrong / (truth.Length * Votes.Length), metrics.HammingLoss, 1e-12);
        Assert.AreEqual((double)exact / truth.Length, metrics.SubsetAccuracy, 1e-12);
        Assert.IsTrue(predicted.SelectMany((p, i) => p.Select((flag, k) => flag == probability[i][k] > 0.5f)).All(x => x), "PredictedLabel is Probability above 0.5");
    }

    public sealed class BinaryRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    [TestMethod]
    public void ValidationMetrics_LastEpoch_EqualTheEvaluator()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml);
        using var model = ml.MultiLabelClassification.Trainers.DeepNetwork(Options() with { Epochs = 4, ValidationData = test }).Fit(train);
        var reported = model.History[^1].ValidationMetrics;
        var metrics = ml.MultiLabelClassification.Evaluate(model.Transform(test));
        Assert.AreEqual(metrics.HammingLoss, reported["HammingLoss"], 1e-9);
        Assert.AreEqual(metrics.SubsetAccuracy, reported["SubsetAccuracy"], 1e-9);
        Assert.AreEqual(metrics.MicroF1, reported["MicroF1"], 1e-9);
        Assert.AreEqual(metrics.MacroF1, reported["MacroF1"], 1e-9);
        Assert.AreEqual(metrics.MacroAreaUnderRocCurve, reported["MacroAreaUnderRocCurve"], 1e-6);
        Assert.AreEqual(metrics.LogLoss, reported["LogLoss"], 1e-5);
        Assert.AreEqual(metrics.LogLoss, model.History[^1].ValidationLoss!.Value, 1e-5, "the validation loss is the mean binary cross entropy");
    }

    /// <summary>
    /// LabelSmoothing: the validation loss is the binary cross entropy of each label's probability against t(1 − ε) + ε / 2,
    /// while the LogLoss metric stays the plain one.
    /// </summary>
    [TestMethod]
    public void LabelSmoothing_LossIsTheCrossEntropyAgainstSmoothedTargets()
    {
        const float smoothing = 0.2f;
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml);
        using var model = ml.MultiLabelClassification.Trainers.DeepNetwork(Options() with { Epochs = 4, ValidationData = test, LabelSmoothing = smoothing }).Fit(train);
        var scored = model.Transform(test);
        var labels = scored.GetColumn<VBuffer<bool>>("Label").Select(l => l.DenseValues().ToArray()).ToArray();
        var probabilities = scored.GetColumn<float[]>("Probability").ToArray();
        double smoothed = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            for (int j = 0; j < Votes.Length; j++)
            {
                double target = labels[i][j] ? 1 - smoothing / 2 : smoothing / 2, p = probabilities[i][j];
                smoothed -= (target * Math.Log(p) + (1 - target) * Math.Log(1 - p)) / Votes.Length;
            }
        }
        smoothed /= labels.Length;
        Assert.AreEqual(smoothed, model.History[^1].ValidationLoss!.Value, 1e-4 * smoothed, "the validation loss against smoothed targets");
        Assert.AreEqual(ml.MultiLabelClassification.Evaluate(scored).LogLoss, model.History[^1].ValidationMetrics["LogLoss"], 1e-5, "LogLoss is not smoothed");
        Assert.IsGreaterThan(1e-3, Math.Abs(smoothed - model.History[^1].ValidationMetrics["LogLoss"]), "smoothing changed the loss");
    }

    [TestMethod]
    [DataRow(-0.5f)]
    [DataRow(1.5f)]
    public void LabelSmoothing_OutOfRange_IsRefusedNamingTheOption(float smoothing)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().MultiLabelClassification.Trainers.DeepNetwork(Options() with { LabelSmoothing = smoothing }));
        StringAssert.Contains(error.Message, "LabelSmoothing is");
    }

    [TestMethod]
    public void TuneThresholds_ChoosesEachLabelsBestF1OnValidationData()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml);
        var options = Options() with { Epochs = 10, ValidationData = test };
        using var fixedModel = ml.MultiLabelClassification.Trainers.DeepNetwork(options).Fit(train);
        using var tuned = ml.MultiLabelClassification.Trainers.DeepNetwork(options with { TuneThresholds = true }).Fit(train);
        Assert.IsTrue(fixedModel.Thresholds.All(t => t == 0.5f));
        Assert.IsTrue(tuned.Thresholds.Any(t => t != 0.5f), "some threshold moved");
        var before = ml.MultiLabelClassification.Evaluate(fixedModel.Transform(test));
        var after = ml.MultiLabelClassification.Evaluate(tuned.Transform(test));
        for (int k = 0; k < Votes.Length; k++)
            Assert.IsGreaterThanOrEqualTo(before.PerLabel[k].F1Score, after.PerLabel[k].F1Score, $"{Votes[k]}: tuned on these rows, its F1 cannot be worse");
        var probability = tuned.Transform(test).GetColumn<float[]>("Probability").ToArray();
        var predicted = tuned.Transform(test).GetColumn<bool[]>("PredictedLabel").ToArray();
        Assert.IsTrue(predicted.SelectMany((p, i) => p.Select((flag, k) => flag == probability[i][k] > tuned.Thresholds[k])).All(x => x), "PredictedLabel uses the tuned thresholds");
    }

    [TestMethod]
    public void SaveLoadAndOnnx_ScoreAsTheFittedModel()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml);
        using var model = ml.MultiLabelClassification.Trainers.DeepNetwork(Options() with { Epochs = 5, ValidationFraction = 0.2f, TuneThresholds = true }).Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        using var loaded = (MultiLabelTransformer)ml.Model.Load(stream, out _);
        CollectionAssert.AreEqual(model.Thresholds.ToArray(), loaded.Thresholds.ToArray());
        foreach (var column in new[] { "Score", "Probability", "PredictedLabel" })
            Assert.AreEqual(0, OnnxRunner.MaxDifference(OnnxRunner.Read(model.Transform(test), column), OnnxRunner.Read(loaded.Transform(test), column)), column);
        model.OnLibtorch();
        // A cached view is where ML.NET's converter starts the graph (it cannot export the CustomMapping before it).
        test = ml.Data.Cache(ml.Transforms.SelectColumns("Features").Fit(test).Transform(test));
        var onnx = OnnxRunner.Export(ml, model, test);
        OnnxRunner.AssertClose(OnnxRunner.CompareOnnxRuntime(onnx, test, model.Transform(test), ["Score", "Probability", "PredictedLabel"], rowByRow: false), "multi-label ONNX export", 1e-6);
    }

    [TestMethod]
    public void Streamed_TrainsBitwiseWhatMemoryTrains_WithTunedThresholds()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml);
        train = ml.Data.Cache(train);
        MultiLabelOptions Loading(DataLoadingMode mode) => Options() with
        {
            Epochs = 3, Shuffle = false, ValidationData = test, TuneThresholds = true, DataLoading = new DataLoadingOptions { Mode = mode },
        };
        using var inMemory = ml.MultiLabelClassification.Trainers.DeepNetwork(Loading(DataLoadingMode.InMemory)).Fit(train);
        using var streamed = ml.MultiLabelClassification.Trainers.DeepNetwork(Loading(DataLoadingMode.Streaming)).Fit(train);
        CollectionAssert.AreEqual(TestData.SavedNetwork(ml, inMemory, train.Schema), TestData.SavedNetwork(ml, streamed, train.Schema));
        CollectionAssert.AreEqual(inMemory.Thresholds.ToArray(), streamed.Thresholds.ToArray(), "thresholds tuned on the streamed validation rows");
        for (int e = 0; e < inMemory.History.Count; e++)
        {
            Assert.AreEqual(inMemory.History[e].ValidationLoss, streamed.History[e].ValidationLoss, "the same validation loss");
            CollectionAssert.AreEqual(inMemory.History[e].ValidationMetrics.ToArray(), streamed.History[e].ValidationMetrics.ToArray(), "the same validation metrics");
        }
    }

    [TestMethod]
    public void Fit_LabelNotABooleanVector_ThrowsSchemaMismatch()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(30, 1));
        var estimator = ml.MultiLabelClassification.Trainers.DeepNetwork(nameof(GeneratedRow.Positive));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShape.Create(data.Schema)));
        StringAssert.Contains(error.Message, "Schema mismatch for label column 'Positive': expected a known-size vector of Boolean or of Single (0/1)");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
    }

    [TestMethod]
    public void Fit_LabelValueOutsideZeroOne_ThrowsNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.Generate(30, 1);
        foreach (var row in rows)
            row.Targets = [row.Positive ? 1f : 0f, 0.5f];
        rows[4].Targets = [0f, 2f];
        var data = ml.Data.LoadFromEnumerable(rows);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MultiLabelClassification.Trainers.DeepNetwork(nameof(GeneratedRow.Targets)).Fit(data));
        StringAssert.Contains(error.Message, "Label column 'Targets' has 2 in row 4");
    }

    [TestMethod]
    public void Options_Invalid_ListEveryProblem()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MultiLabelClassification.Trainers.DeepNetwork(new MultiLabelOptions
        {
            TuneThresholds = true, PositiveWeights = [1f, -2f], Architecture = new AutoencoderArchitecture(),
        }));
        StringAssert.Contains(error.Message, "TuneThresholds chooses thresholds on validation data");
        StringAssert.Contains(error.Message, "PositiveWeights[1] is -2");
        StringAssert.Contains(error.Message, "does not classify");
    }

    [TestMethod]
    public void Fit_PositiveWeightsOfAnotherCount_Throws()
    {
        var ml = new MLContext(seed: 1);
        var (train, _) = Data(ml);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MultiLabelClassification.Trainers.DeepNetwork(Options() with { PositiveWeights = [1f, 2f] }).Fit(train));
        StringAssert.Contains(error.Message, "PositiveWeights has 2 entries but label column 'Label' has 6 labels");
    }

    [TestMethod]
    public void Fit_PositiveWeights_RaiseRecall()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml);
        using var plain = ml.MultiLabelClassification.Trainers.DeepNetwork(Options() with { Epochs = 10 }).Fit(train);
        using var weighted = ml.MultiLabelClassification.Trainers.DeepNetwork(Options() with { Epochs = 10, PositiveWeights = Enumerable.Repeat(5f, 6).ToArray() }).Fit(train);
        double Recall(ITransformer m) => ml.MultiLabelClassification.Evaluate(m.Transform(train)).PerLabel.Average(l => l.Recall);
        Assert.IsGreaterThan(Recall(plain), Recall(weighted), "five times the weight on positives predicts more of them");
    }
}
