using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Data;

/// <summary>Every kind of bad input gets a clear exception naming the column or option, and nothing half-trained.</summary>
[TestClass]
public sealed class BadInputTests
{
    public sealed class TextLabelRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";
    }

    public sealed class ScalarFeatureRow
    {
        public float Features { get; set; }

        public float Label { get; set; }
    }

    public sealed class VariableFeatureRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }

    public sealed class DoubleFeatureRow
    {
        [VectorType(2)]
        public double[] Features { get; set; } = Array.Empty<double>();

        public float Label { get; set; }
    }

    public sealed class RegressionRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }

    public sealed class WideRow
    {
        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private static readonly MLContext Ml = new(seed: 1);

    private static IDataView Regression(params (float A, float B, float Label)[] rows)
        => Ml.Data.LoadFromEnumerable(rows.Select(r => new RegressionRow { Features = new[] { r.A, r.B }, Label = r.Label }));

    private static IDataView GoodRegression(int count = 50)
        => Regression(Enumerable.Range(0, count).Select(i => (i / 10f, -i / 20f, i / 5f)).ToArray());

    private static DeepNetworkEstimator Estimator(Action<DeepNetworkOptions>? configure = null)
    {
        var options = new DeepNetworkOptions { Architecture = new MlpArchitecture(4), Epochs = 1, BatchSize = 8 };
        configure?.Invoke(options);
        return Ml.Transforms.DeepNetwork(options);
    }

    [TestMethod]
    public void Fit_MissingLabelColumn_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Estimator(o => o.LabelColumnName = "Price").Fit(GoodRegression()));
        StringAssert.Contains(error.Message, "Could not find label column 'Price'");
    }

    [TestMethod]
    public void Fit_ScalarFeatureColumn_Throws()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new ScalarFeatureRow { Features = 1, Label = 2 } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Estimator().Fit(data));
        StringAssert.Contains(error.Message, "Schema mismatch for feature column 'Features': expected known-size vector of Single");
        StringAssert.Contains(error.Message, "Concatenate");
    }

    [TestMethod]
    public void Fit_VariableSizeFeatureColumn_Throws()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new VariableFeatureRow { Features = new float[] { 1, 2 }, Label = 2 } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Estimator().Fit(data));
        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "known-size vector of Single");
    }

    [TestMethod]
    public void Fit_DoubleFeatureColumn_Throws()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new DoubleFeatureRow { Features = new double[] { 1, 2 }, Label = 2 } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Estimator().Fit(data));
        StringAssert.Contains(error.Message, "expected known-size vector of Single, got Vector<Double");
    }

    [TestMethod]
    public void Fit_TextLabel_ThrowsAndSuggestsMapValueToKey()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Features = new float[] { 1, 2 }, Label = "cat" } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Estimator().Fit(data));
        StringAssert.Contains(error.Message, "Schema mismatch for label column 'Label'");
        StringAssert.Contains(error.Message, "got String");
        StringAssert.Contains(error.Message, "MapValueToKey");
    }

    [TestMethod]
    public void BinaryCatalog_SingleLabel_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.BinaryClassification.Trainers.DeepNetwork(epochs: 1).Fit(GoodRegression()));
        StringAssert.Contains(error.Message, "expected Boolean (binary classification), got Single");
    }

    [TestMethod]
    public void Fit_NaNFeatures_ThrowsWithRowCount()
    {
        var data = Regression((1, 2, 3), (float.NaN, 1, 2), (2, float.PositiveInfinity, 1), (3, 3, 3));
        var error = Assert.ThrowsExactly<ArgumentException>(() => Estimator().Fit(data));
        StringAssert.Contains(error.Message, "2 of 4 training rows have NaN or infinite values in feature column 'Features'");
        StringAssert.Contains(error.Message, nameof(DeepNetworkOptions.DropRowsWithNonFiniteValues));
    }

    [TestMethod]
    public void Fit_NaNLabel_ThrowsWithRowCount()
    {
        var data = Regression((1, 2, 3), (0, 1, float.NaN), (3, 3, 3));
        var error = Assert.ThrowsExactly<ArgumentException>(() => Estimator().Fit(data));
        StringAssert.Contains(error.Message, "1 have a NaN, infinite or missing value in label column 'Label'");
    }

    [TestMethod]
    public void Fit_DropRowsWithNonFiniteValues_TrainsOnTheRest()
    {
        var messages = new List<string>();
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var rows = Enumerable.Range(0, 20).Select(i => (A: (float)i, B: i % 3 == 0 ? float.NaN : 1f, Label: (float)i)).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new RegressionRow { Features = new[] { r.A, r.B }, Label = r.Label }));
        var model = ml.Transforms.DeepNetwork(new DeepNetworkOptions { Epochs = 1, DropRowsWithNonFiniteValues = true, Architecture = new MlpArchitecture(4) }).Fit(data);
        Assert.HasCount(1, model.History);
        Assert.IsTrue(messages.Any(m => m.Contains("7 of 20 training rows") && m.Contains("dropped")), string.Join("\n", messages.Where(m => m.Contains("rows"))));
    }

    [TestMethod]
    public void Fit_EmptyData_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Estimator().Fit(Regression()));
        StringAssert.Contains(error.Message, "training data has no usable rows");
    }

    [TestMethod]
    public void Fit_SingleClass_Throws()
    {
        // The key type knows two classes (from the key data), but every training row is a cat.
        var classes = Ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Label = "cat" }, new TextLabelRow { Label = "dog" } });
        var data = Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new TextLabelRow { Features = new float[] { i, 1 }, Label = "cat" }));
        var keyed = Ml.Transforms.Conversion.MapValueToKey("Label", keyData: Ml.Transforms.SelectColumns("Label").Fit(classes).Transform(classes)).Fit(data).Transform(data);
        var error = Assert.ThrowsExactly<ArgumentException>(() => Estimator().Fit(keyed));
        StringAssert.Contains(error.Message, "Label column 'Label' has only one class");
    }

    [TestMethod]
    [DataRow(0, 10, "BatchSize is 0")]
    [DataRow(-5, 10, "BatchSize is -5")]
    [DataRow(8, 0, "Epochs is 0")]
    public void Options_NonPositiveBatchSizeOrEpochs_Throw(int batchSize, int epochs, string expected)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Estimator(o => { o.BatchSize = batchSize; o.Epochs = epochs; }));
        StringAssert.Contains(error.Message, expected);
        Assert.IsNull(error.ParamName);
    }

    [TestMethod]
    [DataRow(-0.1f)]
    [DataRow(1f)]
    [DataRow(1.5f)]
    [DataRow(float.NaN)]
    public void Options_ValidationFractionOutsideUnitInterval_Throws(float fraction)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Estimator(o => o.ValidationFraction = fraction));
        StringAssert.Contains(error.Message, "ValidationFraction is");
        StringAssert.Contains(error.Message, "(0, 1)");
    }

    [TestMethod]
    public void Options_ManyProblems_AllReportedAtOnce()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Estimator(o =>
        {
            o.Epochs = 0;
            o.FeatureColumnName = "";
            o.Architecture = new MlpArchitecture(0, 8) { Dropout = 1.2f };
            o.Optimizer = new OptimizerSettings { Kind = OptimizerKind.SgdMomentum, LearningRate = -0.1, Momentum = 1 };
        }));
        foreach (string expected in new[] { "Epochs is 0", "FeatureColumnName is empty", "HiddenLayers[0] is 0", "Dropout is 1.2", "LearningRate is -0.1", "Momentum is 1" })
            StringAssert.Contains(error.Message, expected);
        StringAssert.Contains(error.Message, "6 problems");
    }

    [TestMethod]
    public void PredictionInput_WrongVectorSize_Throws()
    {
        var model = Estimator().Fit(GoodRegression());
        var wide = Ml.Data.LoadFromEnumerable(new[] { new WideRow { Features = new float[] { 1, 2, 3 } } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(wide));
        StringAssert.Contains(error.Message, "expected vector of 2 Single values");
        StringAssert.Contains(error.Message, "got vector of 3");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.Model.CreatePredictionEngine<WideRow, RegressionRow>(model));
    }

    [TestMethod]
    public void DisposedTransformer_Throws()
    {
        var data = GoodRegression();
        var model = Estimator().Fit(data);
        var scored = model.Transform(data);
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(data));
        Assert.ThrowsExactly<ObjectDisposedException>(() => Ml.Model.CreatePredictionEngine<RegressionRow, RegressionRow>(model));
        Assert.ThrowsExactly<ObjectDisposedException>(() => scored.GetColumn<float>("Score").ToArray());
        model.Dispose();
    }

    [TestMethod]
    public void DisposingAPredictionEngine_DisposesItsModel_AndTheErrorSaysSo()
    {
        var data = GoodRegression();
        var model = Estimator().Fit(data);
        using (var engine = Ml.Model.CreatePredictionEngine<RegressionRow, RegressionRow>(model))
            engine.Predict(new RegressionRow { Features = new float[] { 1, 2 } });
        var error = Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(data));
        StringAssert.Contains(error.Message, "disposing a PredictionEngine disposes the model it was created from");
        StringAssert.Contains(error.Message, "OwnsTransformer = false");

        var kept = Estimator().Fit(data);
        using (var engine = Ml.Model.CreatePredictionEngine<RegressionRow, RegressionRow>(kept, new PredictionEngineOptions { OwnsTransformer = false }))
            engine.Predict(new RegressionRow { Features = new float[] { 1, 2 } });
        Assert.IsNotEmpty(kept.Transform(data).GetColumn<float>("Score").ToArray(), "an engine that does not own the model leaves it usable");
    }
}
