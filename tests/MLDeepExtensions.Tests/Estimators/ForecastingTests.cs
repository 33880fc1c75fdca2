using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Tests.Onnx;

namespace MLDeepExtensions.Tests.Estimators;

[TestClass]
public sealed class ForecastingTests
{
    public sealed class Point
    {
        public float Value { get; set; }
    }

    /// <summary>A monthly-like series: trend, a 12-step season and Gaussian noise (seeded).</summary>
    private static float[] TrendingSeasonal(int length, double slope, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(t => (float)(10 + slope * t + 3 * Math.Sin(2 * Math.PI * t / 12) + 0.5 * Gaussian(random))).ToArray();
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static IDataView View(MLContext ml, float[] values) => ml.Data.LoadFromEnumerable(values.Select(v => new Point { Value = v }));

    private static ForecastingOptions Quick(int epochs = 40) => new() { Epochs = epochs, Seed = 1, SeasonalPeriod = 12 };

    [TestMethod]
    public void TrendingSeries_ForecastsLevelsNeverSeenInTraining_BeatingNaiveAndRawValues()
    {
        var ml = new MLContext(seed: 1);
        var series = TrendingSeasonal(240, slope: 0.25, seed: 2);
        var split = ml.Data.CreateForecastingSplit(View(ml, series), nameof(Point.Value), lookback: 24, horizon: 6, testCount: 48);
        Assert.IsGreaterThan(36, series.Skip(192).Count(v => v > split.TrainingSeries.Max()), "most of the test tail should lie above every training value");

        using var model = ml.Forecasting.DeepNetwork(Quick()).Fit(split.Train);
        var metrics = ml.Forecasting.Evaluate(model.Transform(split.Test), seasonalPeriod: 12, split.TrainingSeries);
        Assert.AreEqual(48 - 6 + 1, metrics.Windows);
        Assert.IsLessThan(0.5 * metrics.NaiveMeanAbsoluteScaledError, metrics.MeanAbsoluteScaledError, $"MASE {metrics.MeanAbsoluteScaledError} vs naive {metrics.NaiveMeanAbsoluteScaledError}");
        Assert.IsLessThan(metrics.SeasonalNaiveMeanAbsoluteScaledError, metrics.MeanAbsoluteScaledError, $"MASE {metrics.MeanAbsoluteScaledError} vs seasonal-naive {metrics.SeasonalNaiveMeanAbsoluteScaledError}");

        // The same network on raw values cannot reach the levels above its training data.
        using var raw = ml.Forecasting.DeepNetwork(Quick() with { Scaling = SeriesScaling.None }).Fit(split.Train);
        var rawMetrics = ml.Forecasting.Evaluate(raw.Transform(split.Test), seasonalPeriod: 12, split.TrainingSeries);
        Assert.IsLessThan(0.8 * rawMetrics.MeanAbsoluteError, metrics.MeanAbsoluteError, $"scaled MAE {metrics.MeanAbsoluteError} vs raw {rawMetrics.MeanAbsoluteError}");
    }

    [TestMethod]
    public void QuantileOutputs_IntervalCoversAboutItsNominalShare()
    {
        // A stationary AR(1) with Gaussian shocks: the 10%–90% interval of the next value should hold about 80% of them.
        var ml = new MLContext(seed: 1);
        var random = new Random(7);
        var series = new float[1200];
        for (int t = 1; t < series.Length; t++)
            series[t] = (float)(0.6 * series[t - 1] + Gaussian(random));
        var split = ml.Data.CreateForecastingSplit(View(ml, series), nameof(Point.Value), lookback: 12, horizon: 1, testCount: 300);
        using var model = ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 30, Seed = 1, Scaling = SeriesScaling.WindowMean }).Fit(split.Train);
        var scored = model.Transform(split.Test);
        var metrics = ml.Forecasting.Evaluate(scored, trainingSeries: split.TrainingSeries);
        Assert.IsTrue(metrics.IntervalCoverage is > 0.72 and < 0.88, $"coverage {metrics.IntervalCoverage}");
        // The AR(1)'s true 80% interval is ±1.28 around the conditional mean: the learned one is about as wide.
        Assert.IsTrue(metrics.MeanIntervalWidth is > 2.0 and < 3.2, $"width {metrics.MeanIntervalWidth}");
        var forecast = scored.GetColumn<float>("Forecast").ToArray();
        var lower = scored.GetColumn<float>("LowerBound").ToArray();
        var upper = scored.GetColumn<float>("UpperBound").ToArray();
        Assert.IsTrue(forecast.Select((f, i) => lower[i] <= f && f <= upper[i]).All(ok => ok), "the bounds must enclose the median");
    }

    [TestMethod]
    public void Forecasts_MoveWithTheWindow_AndAConstantWindowForecastsTheConstant()
    {
        var ml = new MLContext(seed: 1);
        var series = TrendingSeasonal(120, slope: 0.1, seed: 3);
        var windows = ml.Data.CreateForecastingWindows(View(ml, series), nameof(Point.Value), lookback: 24, horizon: 3);
        foreach (var scaling in new[] { SeriesScaling.LastValue, SeriesScaling.WindowMean, SeriesScaling.Differences })
        {
            using var model = ml.Forecasting.DeepNetwork(Quick(epochs: 3) with { Scaling = scaling }).Fit(windows);
            var history = series.Take(60).ToArray();
            var plain = model.Forecast(history);
            var moved = model.Forecast(history.Select(v => 250 * v - 4000).ToArray());
            for (int k = 0; k < 3; k++)
            {
                Assert.AreEqual(250 * plain.Forecast[k] - 4000, moved.Forecast[k], 0.05, $"{scaling}, step {k + 1}");
                Assert.AreEqual(250 * plain.LowerBound![k] - 4000, moved.LowerBound![k], 0.05, $"{scaling}, lower bound, step {k + 1}");
                Assert.AreEqual(250 * plain.UpperBound![k] - 4000, moved.UpperBound![k], 0.05, $"{scaling}, upper bound, step {k + 1}");
            }
            foreach (float level in new[] { 0f, 5f, 1e6f })
            {
                var flat = model.Forecast(Enumerable.Repeat(level, 24).ToArray());
                CollectionAssert.AreEqual(Enumerable.Repeat(level, 3).ToArray(), flat.Forecast.ToArray(), $"{scaling}, constant {level}");
                CollectionAssert.AreEqual(flat.Forecast.ToArray(), flat.LowerBound!.ToArray());
            }
        }
    }

    [TestMethod]
    public void SavedModel_ForecastsFromTheZipAlone_AsBeforeSaving()
    {
        var ml = new MLContext(seed: 1);
        var series = TrendingSeasonal(150, slope: 0.05, seed: 4);
        var windows = ml.Data.CreateForecastingWindows(View(ml, series), nameof(Point.Value), lookback: 24, horizon: 4);
        var options = Quick(epochs: 2) with { Architecture = new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = 8 }, Quantiles = [0.05f, 0.25f, 0.5f, 0.75f, 0.95f] };
        using var model = ml.Forecasting.DeepNetwork(options).Fit(windows);
        var before = model.Forecast(series);
        var scored = model.Transform(windows);
        CollectionAssert.AreEqual(new[] { "Features", "Label", "Index", "Forecast", "LowerBound", "UpperBound" }, scored.Schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 4), scored.Schema["UpperBound"].Type);
        // The last window's forecast is what Forecast gives for the history that ends where the window does.
        var lastWindow = scored.GetColumn<float[]>("Forecast").Last();
        CollectionAssert.AreEqual(model.Forecast(series.Take(series.Length - 4).ToArray()).Forecast.ToArray(), lastWindow);

        // Saved where the decimal separator is a comma, loaded where it is a point: the quantiles' checksum must not care.
        using var stream = new MemoryStream();
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            ml.Model.Save(model, windows.Schema, stream);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        using var forecaster = (ForecastingTransformer)loaded;
        Assert.AreEqual((24, 4, 12, SeriesScaling.LastValue), (forecaster.Lookback, forecaster.Horizon, forecaster.SeasonalPeriod, forecaster.Scaling));
        CollectionAssert.AreEqual(new[] { 0.05f, 0.25f, 0.5f, 0.75f, 0.95f }, forecaster.Quantiles.ToArray());
        var after = forecaster.Forecast(series);
        CollectionAssert.AreEqual(before.Forecast.ToArray(), after.Forecast.ToArray());
        CollectionAssert.AreEqual(before.LowerBound!.ToArray(), after.LowerBound!.ToArray());
        CollectionAssert.AreEqual(before.UpperBound!.ToArray(), after.UpperBound!.ToArray());
        StringAssert.Contains(forecaster.Architecture.ToString(), "LSTM");
    }

    public sealed class Window
    {
        [VectorType(12)] public float[] Features { get; set; } = [];
    }

    public sealed class Forecasts
    {
        public float[] Forecast { get; set; } = [];
        public float[] LowerBound { get; set; } = [];
        public float[] UpperBound { get; set; } = [];
    }

    [TestMethod]
    public void Contract_SchemaMatchesTransformer_EngineMatchesTransform_MissingColumnsFailInBoth()
    {
        var ml = new MLContext(seed: 1);
        var windows = ml.Data.CreateForecastingWindows(View(ml, TrendingSeasonal(90, 0.1, 9)), nameof(Point.Value), lookback: 12, horizon: 2);
        var estimator = ml.Forecasting.DeepNetwork(Quick(epochs: 2));
        var shape = estimator.GetOutputSchema(SchemaShape.Create(windows.Schema));
        using var model = estimator.Fit(windows);
        var schema = model.GetOutputSchema(windows.Schema);
        foreach (string name in new[] { "Forecast", "LowerBound", "UpperBound" })
        {
            Assert.IsTrue(shape.TryFindColumn(name, out var expected), name);
            Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, expected.Kind, name);
            Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 2), schema[name].Type, name);
        }

        using var engine = ml.Model.CreatePredictionEngine<Window, Forecasts>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var scored = model.Transform(windows);
        var features = scored.GetColumn<float[]>("Features").ToArray();
        var lower = scored.GetColumn<float[]>("LowerBound").ToArray();
        for (int i = 0; i < features.Length; i += 17)
            CollectionAssert.AreEqual(lower[i], engine.Predict(new Window { Features = features[i] }).LowerBound, $"row {i}");

        var noFeatures = ml.Transforms.DropColumns("Features").Fit(windows).Transform(windows);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShape.Create(noFeatures.Schema))).Message, "Could not find feature column 'Features'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(noFeatures)).Message, "Could not find feature column 'Features'");
        var noLabel = ml.Transforms.DropColumns("Label").Fit(windows).Transform(windows);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShape.Create(noLabel.Schema))).Message, "Could not find label column 'Label'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(noLabel)).Message, "Could not find label column 'Label'");
        var wrongSize = ml.Data.CreateForecastingWindows(View(ml, TrendingSeasonal(90, 0.1, 9)), nameof(Point.Value), lookback: 10, horizon: 2);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(wrongSize)).Message, "'Features'");
    }

    [TestMethod]
    public void MeanForecast_WithoutQuantiles_HasOnlyTheForecastColumn()
    {
        var ml = new MLContext(seed: 1);
        var windows = ml.Data.CreateForecastingWindows(View(ml, TrendingSeasonal(80, 0.1, 5)), nameof(Point.Value), lookback: 12, indexColumnName: null);
        var estimator = ml.Forecasting.DeepNetwork(Quick(epochs: 2) with { Quantiles = [] });
        var shape = estimator.GetOutputSchema(SchemaShape.Create(windows.Schema));
        using var model = estimator.Fit(windows);
        var scored = model.Transform(windows);
        CollectionAssert.AreEqual(new[] { "Features", "Label", "Forecast" }, scored.Schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(3, shape.Count);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Forecast"].Type);
        var forecast = model.Forecast(TrendingSeasonal(80, 0.1, 5));
        Assert.IsNull(forecast.LowerBound);
        Assert.HasCount(1, forecast.Forecast);
        Assert.IsTrue(double.IsNaN(ml.Forecasting.Evaluate(scored).IntervalCoverage));
    }

    [TestMethod]
    public void OnnxExport_CarriesTheScalingAndMatchesTransform()
    {
        var ml = new MLContext(seed: 1);
        // A trending series that ends in 30 equal values: the last windows are constant (spread 0).
        var series = TrendingSeasonal(100, 0.2, 8).Concat(Enumerable.Repeat(42f, 30)).ToArray();
        var cases = new (string What, ForecastingOptions Options, int Horizon)[]
        {
            ("last value, quantiles", Quick(epochs: 2) with { SeasonalPeriod = 0 }, 3),
            ("differences, seasonal baseline, one step", Quick(epochs: 2) with { Scaling = SeriesScaling.Differences }, 1),
            ("window mean, LSTM, five quantiles", Quick(epochs: 2) with { Scaling = SeriesScaling.WindowMean, Architecture = new RnnArchitecture { HiddenSize = 4 }, Quantiles = [0.05f, 0.25f, 0.5f, 0.75f, 0.95f] }, 2),
            ("no scaling, mean forecast", Quick(epochs: 2) with { Scaling = SeriesScaling.None, Quantiles = [] }, 4),
        };
        foreach (var (what, options, horizon) in cases)
        {
            var windows = ml.Data.CreateForecastingWindows(View(ml, series), nameof(Point.Value), lookback: 24, horizon: horizon, indexColumnName: null);
            using var model = ml.Forecasting.DeepNetwork(options).Fit(windows).OnLibtorch();
            var expected = model.Transform(windows);
            string[] columns = options.Quantiles.Count > 0 ? ["Forecast", "LowerBound", "UpperBound"] : ["Forecast"];
            var onnx = Onnx.OnnxRunner.Export(ml, model, windows);
            Onnx.OnnxRunner.AssertClose(Onnx.OnnxRunner.CompareOnnxRuntime(onnx, windows, expected, columns, rowByRow: false), what, tolerance: 1e-5);
            if (options.Scaling != SeriesScaling.None)
                Assert.AreEqual(42f, Onnx.OnnxRunner.Read(expected, "Forecast").Last()[0], what);
        }
        var quantileWindows = ml.Data.CreateForecastingWindows(View(ml, series), nameof(Point.Value), 24, 3);
        using var quantileModel = ml.Forecasting.DeepNetwork(cases[0].Options).Fit(quantileWindows);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Onnx.OnnxRunner.Export(ml, quantileModel, quantileWindows, opset: 9));
        StringAssert.Contains(error.Message, "quantile forecasts");
    }

    [TestMethod]
    public void ForecastingSplit_KeepsTimeOrderAndPositions()
    {
        var ml = new MLContext();
        var series = View(ml, Enumerable.Range(0, 50).Select(i => (float)i).ToArray());
        var split = ml.Data.CreateForecastingSplit(series, nameof(Point.Value), lookback: 5, horizon: 3, testCount: 10, validationCount: 6);
        int[] Index(IDataView data) => data.GetColumn<int>("Index").ToArray();
        // Training labels end before position 34 (50 − 10 − 6); validation labels lie in 34..39, test labels in 40..49.
        CollectionAssert.AreEqual(Enumerable.Range(5, 34 - 3 - 5 + 1).ToArray(), Index(split.Train));
        CollectionAssert.AreEqual(Enumerable.Range(34, 6 - 3 + 1).ToArray(), Index(split.Validation!));
        CollectionAssert.AreEqual(Enumerable.Range(40, 10 - 3 + 1).ToArray(), Index(split.Test));
        var test = split.Test.GetColumn<float[]>("Label").First();
        CollectionAssert.AreEqual(new float[] { 40, 41, 42 }, test);
        CollectionAssert.AreEqual(new float[] { 35, 36, 37, 38, 39 }, split.Test.GetColumn<float[]>("Features").First());
        Assert.HasCount(34, split.TrainingSeries);
        Assert.IsNull(ml.Data.CreateForecastingSplit(series, nameof(Point.Value), 5, 3, testCount: 10).Validation);
    }

    [TestMethod]
    public void Evaluate_MatchesHandComputedMetrics()
    {
        var ml = new MLContext();
        var rows = new[]
        {
            new Scored { Features = [1, 2, 3, 4], Label = [5, 6], Forecast = [4, 7], LowerBound = [3, 6.5f], UpperBound = [6, 8] },
            new Scored { Features = [2, 4, 6, 8], Label = [10, 10], Forecast = [10, 12], LowerBound = [9, 9], UpperBound = [11, 11] },
        };
        var data = ml.Data.LoadFromEnumerable(rows);
        var metrics = ml.Forecasting.Evaluate(data, seasonalPeriod: 2, trainingSeries: [0, 1, 4, 3, 8]);
        // Errors 1, 1, 0, 2; the scale is the mean |y[t] − y[t−2]|: (4 + 2 + 4) / 3.
        double scale = 10.0 / 3;
        Assert.AreEqual(1.0, metrics.MeanAbsoluteError, 1e-9);
        Assert.AreEqual(Math.Sqrt(6 / 4.0), metrics.RootMeanSquaredError, 1e-9);
        Assert.AreEqual((200.0 / 9 + 200.0 / 13 + 0 + 400.0 / 22) / 4, metrics.SymmetricMeanAbsolutePercentageError, 1e-9);
        Assert.AreEqual(1.0 / scale, metrics.MeanAbsoluteScaledError, 1e-9);
        CollectionAssert.AreEqual(new[] { 0.5, 1.5 }, metrics.PerStepMeanAbsoluteError.ToArray());
        // Naive: 4, 4 then 8, 8 → errors 1, 2, 2, 2; seasonal-naive (period 2): 3, 4 then 6, 8 → errors 2, 2, 4, 2.
        Assert.AreEqual(7 / 4.0, metrics.NaiveMeanAbsoluteError, 1e-9);
        Assert.AreEqual(10 / 4.0, metrics.SeasonalNaiveMeanAbsoluteError, 1e-9);
        Assert.AreEqual(10 / 4.0 / scale, metrics.SeasonalNaiveMeanAbsoluteScaledError, 1e-9);
        // Inside: 5 ∈ [3, 6], 6 ∉ [6.5, 8], 10 ∈ [9, 11], 10 ∈ [9, 11].
        Assert.AreEqual(0.75, metrics.IntervalCoverage, 1e-9);
        Assert.AreEqual((3 + 1.5 + 2 + 2) / 4.0, metrics.MeanIntervalWidth, 1e-9);
        // Without the training series, the windows' own past values give the scale: mean |x[t] − x[t−2]| = (2 + 4) / 2.
        Assert.AreEqual(1.0 / 3, ml.Forecasting.Evaluate(data, seasonalPeriod: 2).MeanAbsoluteScaledError, 1e-9);
    }

    public sealed class Scored
    {
        [VectorType(4)] public float[] Features { get; set; } = [];
        [VectorType(2)] public float[] Label { get; set; } = [];
        [VectorType(2)] public float[] Forecast { get; set; } = [];
        [VectorType(2)] public float[] LowerBound { get; set; } = [];
        [VectorType(2)] public float[] UpperBound { get; set; } = [];
    }

    [TestMethod]
    public void BadInput_GetsErrorsNamingTheProblem()
    {
        var ml = new MLContext(seed: 1);
        ArgumentException Options(ForecastingOptions options) => Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.DeepNetwork(options));
        StringAssert.Contains(Options(new ForecastingOptions { Quantiles = [0.9f, 0.5f, 0.1f] }).Message, "Quantiles are [0.9, 0.5, 0.1]; list them in increasing order");
        StringAssert.Contains(Options(new ForecastingOptions { Quantiles = [0f, 0.5f, 1f] }).Message, "strictly between 0 and 1");
        StringAssert.Contains(Options(new ForecastingOptions { Quantiles = [0.1f, 0.9f] }).Message, "include 0.5");
        StringAssert.Contains(Options(new ForecastingOptions { SeasonalPeriod = -1 }).Message, "SeasonalPeriod is -1");
        StringAssert.Contains(Options(new ForecastingOptions { Architecture = new CnnArchitecture() }).Message, "Architecture is CNN");

        var series = TrendingSeasonal(40, 0.1, 6);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Data.CreateForecastingWindows(View(ml, series), nameof(Point.Value), lookback: 36, horizon: 6));
        StringAssert.Contains(error.Message, "has 40 values; a lookback of 36 and a horizon of 6 need at least 42");
        var gaps = series.ToArray();
        gaps[3] = float.NaN;
        gaps[17] = float.PositiveInfinity;
        error = Assert.ThrowsExactly<ArgumentException>(() => ml.Data.CreateForecastingWindows(View(ml, gaps), nameof(Point.Value), lookback: 12));
        StringAssert.Contains(error.Message, "missing or infinite values at positions 3, 17 (0-based)");
        error = Assert.ThrowsExactly<ArgumentException>(() => ml.Data.CreateForecastingSplit(View(ml, series), nameof(Point.Value), lookback: 12, horizon: 6, testCount: 25));
        StringAssert.Contains(error.Message, "Without its last 25 values (test), series column 'Value' has 15 values; a lookback of 12 and a horizon of 6 need at least 18");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.CreateForecastingSplit(View(ml, series), nameof(Point.Value), lookback: 12, horizon: 6, testCount: 5));

        var shortWindows = ml.Data.CreateForecastingWindows(View(ml, series), nameof(Point.Value), lookback: 8);
        var period = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Forecasting.DeepNetwork(Quick(epochs: 1)).Fit(shortWindows));
        StringAssert.Contains(period.Message, "feature column 'Features': expected a window of at least 12 values (the seasonal period, 12)");

        using var model = ml.Forecasting.DeepNetwork(Quick(epochs: 1) with { SeasonalPeriod = 0 }).Fit(shortWindows);
        error = Assert.ThrowsExactly<ArgumentException>(() => model.Forecast(series.Take(5).ToArray()));
        StringAssert.Contains(error.Message, "history has 5 values; the model forecasts from the last 8");
        var history = series.ToArray();
        history[^2] = float.NaN;
        error = Assert.ThrowsExactly<ArgumentException>(() => model.Forecast(history));
        StringAssert.Contains(error.Message, "missing or infinite values at position 38 (0-based)");
    }
}
