using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Tests.Onnx;

namespace MLDeepExtensions.Tests.Estimators;

/// <summary>Many series in one table (long format), covariates beside the window, and one network for all of them.</summary>
[TestClass]
public sealed class ForecastGlobalTests
{
    public sealed class Row
    {
        public string Series { get; set; } = "";

        public float Value { get; set; }

        public float Promotion { get; set; }

        public float Temperature { get; set; }
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>
    /// Series "s0", "s1", … with their own level, season amplitude and phase, and a promotion (drawn at random, 1 in 5
    /// steps) that lifts the value by <paramref name="lift"/> × the series' level: known ahead, but not from the past.
    /// </summary>
    private static Row[] Table(int seriesCount, int length, float lift, int seed, bool interleave = false)
    {
        var random = new Random(seed);
        var rows = new List<Row>();
        for (int s = 0; s < seriesCount; s++)
        {
            double level = 20 + 10 * s, amplitude = 2 + s % 3, phase = s;
            for (int t = 0; t < length; t++)
            {
                float promotion = random.NextDouble() < 0.2 ? 1f : 0f;
                float value = (float)(level + amplitude * Math.Sin(2 * Math.PI * t / 12 + phase) + lift * level * promotion / 10 + 0.3 * Gaussian(random));
                rows.Add(new Row { Series = $"s{s}", Value = value, Promotion = promotion, Temperature = (float)(15 + 10 * Math.Sin(2 * Math.PI * t / 12)) });
            }
        }
        // Interleaved: every series' step t, then every series' step t + 1 (as a table sorted by date is).
        return interleave ? rows.Select((row, i) => (row, i)).OrderBy(p => p.i % length).ThenBy(p => p.i / length).Select(p => p.row).ToArray() : rows.ToArray();
    }

    private static ForecastingWindowOptions Columns(bool past = false, bool future = false) => new()
    {
        SeriesIdColumnName = nameof(Row.Series),
        PastCovariateColumnNames = past ? [nameof(Row.Temperature)] : [],
        FutureCovariateColumnNames = future ? [nameof(Row.Promotion)] : [],
    };

    [TestMethod]
    public void Windows_AreCutPerSeries_WithTheirCovariates_EvenWhenTheTableInterleavesThem()
    {
        var ml = new MLContext(seed: 1);
        var table = Table(3, 20, lift: 5, seed: 1, interleave: true);
        var windows = ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(table), nameof(Row.Value), lookback: 4, horizon: 2, Columns(past: true, future: true));
        var ids = windows.GetColumn<string>(nameof(Row.Series)).ToArray();
        var index = windows.GetColumn<int>("Index").ToArray();
        var features = windows.GetColumn<float[]>("Features").ToArray();
        var labels = windows.GetColumn<float[]>("Label").ToArray();
        var past = windows.GetColumn<float[]>("PastCovariates").ToArray();
        var future = windows.GetColumn<float[]>("FutureCovariates").ToArray();
        Assert.HasCount(3 * (20 - 4 - 2 + 1), ids);
        CollectionAssert.AreEqual(new[] { "s0", "s1", "s2" }, ids.Distinct().ToArray());
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 4, 1), windows.Schema["PastCovariates"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 6, 1), windows.Schema["FutureCovariates"].Type);
        for (int w = 0; w < ids.Length; w++)
        {
            var own = table.Where(r => r.Series == ids[w]).ToArray();
            int target = index[w];
            CollectionAssert.AreEqual(own.Skip(target - 4).Take(4).Select(r => r.Value).ToArray(), features[w], $"window {w}");
            CollectionAssert.AreEqual(own.Skip(target).Take(2).Select(r => r.Value).ToArray(), labels[w], $"window {w}");
            CollectionAssert.AreEqual(own.Skip(target - 4).Take(4).Select(r => r.Temperature).ToArray(), past[w], $"window {w}");
            CollectionAssert.AreEqual(own.Skip(target - 4).Take(6).Select(r => r.Promotion).ToArray(), future[w], $"window {w}");
        }
    }

    [TestMethod]
    public void Split_TailsEverySeries_AndEvaluationScalesEachSeriesByItsOwnTrainingValues()
    {
        var ml = new MLContext(seed: 1);
        var table = Table(3, 60, lift: 0, seed: 2);
        var split = ml.Data.CreateForecastingSplit(ml.Data.LoadFromEnumerable(table), nameof(Row.Value), lookback: 12, horizon: 3, testCount: 9, validationCount: 6,
            new ForecastingWindowOptions { SeriesIdColumnName = nameof(Row.Series) });
        Assert.IsNotNull(split.TrainingSeriesById);
        Assert.IsEmpty(split.TrainingSeries);
        foreach (var id in new[] { "s0", "s1", "s2" })
            CollectionAssert.AreEqual(table.Where(r => r.Series == id).Take(45).Select(r => r.Value).ToArray(), split.TrainingSeriesById[id].ToArray());
        Assert.AreEqual(3 * 7, split.Test.GetColumn<int>("Index").Count());
        Assert.IsTrue(split.Test.GetColumn<int>("Index").All(i => i >= 51), "test windows forecast only the last 9 values");
        Assert.IsTrue(split.Validation!.GetColumn<int>("Index").All(i => i is >= 45 and <= 48));

        // Every series' metrics equal evaluating its windows alone; the overall MASE is the mean of the series'.
        using var model = ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 5, Seed = 1 }).Fit(split.Train);
        var scored = model.Transform(split.Test);
        var metrics = ml.Forecasting.Evaluate(scored, nameof(Row.Series), split.TrainingSeriesById, seasonalPeriod: 12);
        Assert.HasCount(3, metrics.PerSeries);
        foreach (var id in new[] { "s0", "s1", "s2" })
        {
            var alone = ml.Data.FilterByCustomPredicate<SeriesOnly>(scored, row => row.Series != id);
            var own = ml.Forecasting.Evaluate(alone, seasonalPeriod: 12, split.TrainingSeriesById[id]);
            Assert.AreEqual(own.MeanAbsoluteScaledError, metrics.PerSeries[id].MeanAbsoluteScaledError, 1e-9, id);
            Assert.AreEqual(own.IntervalCoverage, metrics.PerSeries[id].IntervalCoverage, 1e-9, id);
        }
        Assert.AreEqual(metrics.PerSeries.Values.Average(m => m.MeanAbsoluteScaledError), metrics.MeanAbsoluteScaledError, 1e-9);
        Assert.AreEqual(21, metrics.Windows);
    }

    public sealed class SeriesOnly
    {
        public string Series { get; set; } = "";
    }

    [TestMethod]
    public void KnownFutureInput_ThatThePastCannotPredict_HalvesTheError()
    {
        var ml = new MLContext(seed: 1);
        var table = ml.Data.LoadFromEnumerable(Table(4, 240, lift: 20, seed: 3));
        var split = ml.Data.CreateForecastingSplit(table, nameof(Row.Value), lookback: 24, horizon: 3, testCount: 48, validationCount: 0, Columns(future: true));
        var options = new ForecastingOptions { Epochs = 30, Seed = 1 };
        using var without = ml.Forecasting.DeepNetwork(options).Fit(split.Train);
        using var with = ml.Forecasting.DeepNetwork(options with { FutureCovariatesColumnName = "FutureCovariates" }).Fit(split.Train);
        double Mase(ITransformer model) => ml.Forecasting.Evaluate(model.Transform(split.Test), nameof(Row.Series), split.TrainingSeriesById!, seasonalPeriod: 12).MeanAbsoluteScaledError;
        double withoutMase = Mase(without), withMase = Mase(with);
        Assert.IsLessThan(0.5 * withoutMase, withMase, $"MASE with the promotions {withMase:F3}, without {withoutMase:F3}");
    }

    [TestMethod]
    public void OneNetworkForManySeries_ScoresAlikeInBothEngines_AfterSaving_AndFromHistory()
    {
        var ml = new MLContext(seed: 1);
        var rows = Table(5, 80, lift: 10, seed: 4);
        var windows = ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(rows), nameof(Row.Value), lookback: 12, horizon: 3, Columns(past: true, future: true));
        var cases = new (string What, NetworkArchitecture Architecture)[]
        {
            ("MLP", new MlpArchitecture(16)),
            ("LSTM", new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = 8 }),
            ("Transformer", new TransformerArchitecture { ModelSize = 8, Heads = 2, EncoderLayers = 1, FeedForwardSize = 16 }),
        };
        foreach (var (what, architecture) in cases)
        {
            var options = new ForecastingOptions
            {
                Epochs = 2, Seed = 1, Architecture = architecture, SeriesIdColumnName = "SeriesKey", SeriesEmbeddingSize = 3,
                PastCovariatesColumnName = "PastCovariates", FutureCovariatesColumnName = "FutureCovariates",
            };
            var pipeline = ml.Transforms.Conversion.MapValueToKey("SeriesKey", nameof(Row.Series)).Append(ml.Forecasting.DeepNetwork(options));
            var model = pipeline.Fit(windows);
            var forecaster = model.LastTransformer;
            Assert.AreEqual(12, forecaster.Lookback, what);
            CollectionAssert.AreEqual(new[] { "s0", "s1", "s2", "s3", "s4" }, forecaster.SeriesNames.ToArray(), what);
            StringAssert.Contains(forecaster.Summary().ToString(), "embedded 5→3", what);

            // The ONNX Runtime engine (the default) runs the exported graph; read its outputs before switching to libtorch.
            Assert.AreEqual(ScoringEngine.OnnxRuntime, forecaster.ActiveScoringEngine, what);
            string[] outputs = ["Forecast", "LowerBound", "UpperBound"];
            var onnx = outputs.ToDictionary(column => column, column => OnnxRunner.Read(model.Transform(windows), column).SelectMany(r => r).ToArray());
            var torch = model.OnLibtorch().Transform(windows);
            Assert.AreEqual(ScoringEngine.Torch, forecaster.ActiveScoringEngine, what);
            foreach (var column in outputs)
            {
                var a = onnx[column];
                var b = OnnxRunner.Read(torch, column).SelectMany(r => r).ToArray();
                Assert.IsTrue(b.All(float.IsFinite), what);
                Assert.IsLessThan(1e-5, a.Zip(b, (x, y) => Math.Abs(x - y) / Math.Max(1, Math.Abs(y))).Max(), $"{what} {column}: ONNX Runtime vs libtorch");
            }

            // Saved and loaded, it scores the same.
            using var stream = new MemoryStream();
            ml.Model.Save(model, windows.Schema, stream);
            stream.Position = 0;
            var loaded = new MLContext().Model.Load(stream, out _).OnLibtorch();
            CollectionAssert.AreEqual(OnnxRunner.Read(torch, "Forecast").SelectMany(r => r).ToArray(), OnnxRunner.Read(loaded.Transform(windows), "Forecast").SelectMany(r => r).ToArray(), what);

            // Forecast(history) reads the same window, covariates and series as the last window of s3.
            var s3 = rows.Where(r => r.Series == "s3").ToArray();
            var history = s3.Take(77).Select(r => r.Value).ToArray();
            var forecast = forecaster.Forecast(history, new ForecastInputs
            {
                SeriesId = "s3",
                PastCovariates = s3.Take(77).Select(r => r.Temperature).ToArray(),
                FutureCovariates = s3.Select(r => r.Promotion).ToArray(),
            });
            int last = windows.GetColumn<string>(nameof(Row.Series)).ToList().LastIndexOf("s3");
            var expected = OnnxRunner.Read(torch, "Forecast")[last];
            CollectionAssert.AreEqual(expected, forecast.Forecast.ToArray(), new Tolerance(1e-4f), what);

            // A series unseen in training forecasts from its window alone (the embedding's reserved row).
            var cold = forecaster.Forecast(history, new ForecastInputs { SeriesId = "new", PastCovariates = s3.Take(77).Select(r => r.Temperature).ToArray(), FutureCovariates = s3.Select(r => r.Promotion).ToArray() });
            Assert.IsTrue(cold.Forecast.All(float.IsFinite), what);
            Assert.AreNotEqual(forecast.Forecast[0], cold.Forecast[0], what);
            ((IDisposable)model).Dispose();
        }
    }

    private sealed class Tolerance(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance * Math.Max(1, Math.Abs((float)y!)) ? 0 : 1;
    }

    [TestMethod]
    public void BadInput_GetsMessagesThatNameTheColumnOrOption()
    {
        var ml = new MLContext(seed: 1);
        var rows = Table(2, 30, lift: 0, seed: 5);
        var data = ml.Data.LoadFromEnumerable(rows);

        // A series too short for one window is named.
        var shortSeries = ml.Data.LoadFromEnumerable(rows.Concat([new Row { Series = "tiny", Value = 1 }]));
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Data.CreateForecastingWindows(shortSeries, nameof(Row.Value), 12, 3, Columns()));
        StringAssert.Contains(error.Message, "'tiny'");

        // A missing covariate value is named with its series and position.
        var gap = rows.Select(r => new Row { Series = r.Series, Value = r.Value, Temperature = r.Temperature }).ToArray();
        gap[35].Temperature = float.NaN;
        error = Assert.ThrowsExactly<ArgumentException>(() => ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(gap), nameof(Row.Value), 12, 3, Columns(past: true)));
        StringAssert.Contains(error.Message, "Temperature");
        StringAssert.Contains(error.Message, "'s1'");
        StringAssert.Contains(error.Message, "position 5 ");

        // An id column of another type, a column named twice.
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.CreateForecastingWindows(data, nameof(Row.Value), 12, 3, new ForecastingWindowOptions { SeriesIdColumnName = nameof(Row.Promotion) }));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Data.CreateForecastingWindows(data, nameof(Row.Value), 12, 3, new ForecastingWindowOptions { PastCovariateColumnNames = [nameof(Row.Value)] }));

        // Options: an embedding size without a series column; a covariate column that is not there.
        error = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.DeepNetwork(new ForecastingOptions { SeriesEmbeddingSize = 4 }));
        StringAssert.Contains(error.Message, "SeriesIdColumnName");
        error = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.DeepNetwork(new ForecastingOptions { PastCovariatesColumnName = "C", FutureCovariatesColumnName = "C" }));
        StringAssert.Contains(error.Message, "PastCovariatesColumnName and FutureCovariatesColumnName all name 'C'");
        var windows = ml.Data.CreateForecastingWindows(data, nameof(Row.Value), 12, 3, Columns(future: true));
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Forecasting.DeepNetwork(new ForecastingOptions { PastCovariatesColumnName = "PastCovariates", Epochs = 1 }).Fit(windows));
        StringAssert.Contains(missing.Message, "'PastCovariates'");

        // Forecast(history) without the covariates the model reads, or with the wrong count of them.
        using var model = ml.Forecasting.DeepNetwork(new ForecastingOptions { FutureCovariatesColumnName = "FutureCovariates", Epochs = 1, Seed = 1 }).Fit(windows);
        var history = rows.Take(20).Select(r => r.Value).ToArray();
        error = Assert.ThrowsExactly<ArgumentException>(() => model.Forecast(history));
        StringAssert.Contains(error.Message, "FutureCovariates");
        error = Assert.ThrowsExactly<ArgumentException>(() => model.Forecast(history, new ForecastInputs { FutureCovariates = new float[20] }));
        StringAssert.Contains(error.Message, "give 23 steps");
        error = Assert.ThrowsExactly<ArgumentException>(() => model.Forecast(history, new ForecastInputs { FutureCovariates = new float[23], SeriesId = "s0" }));
        StringAssert.Contains(error.Message, "SeriesId");
    }

    [TestMethod]
    public void StreamedFit_ConvertToOnnx_AndPredictionEngine_ReadTheCovariatesAndTheSeries()
    {
        var ml = new MLContext(seed: 1);
        var windows = ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(Table(3, 50, lift: 5, seed: 8)), nameof(Row.Value), 8, 2,
            Columns(past: true, future: true) with { IndexColumnName = null });
        var options = new ForecastingOptions
        {
            Epochs = 2, Seed = 1, Shuffle = false, SeriesIdColumnName = "SeriesKey", PastCovariatesColumnName = "PastCovariates", FutureCovariatesColumnName = "FutureCovariates",
        };
        var key = ml.Transforms.Conversion.MapValueToKey("SeriesKey", nameof(Row.Series));
        var inMemory = key.Append(ml.Forecasting.DeepNetwork(options with { DataLoading = new DataLoadingOptions { Mode = DataLoadingMode.InMemory } })).Fit(windows).OnLibtorch();
        var streamed = key.Append(ml.Forecasting.DeepNetwork(options with { DataLoading = new DataLoadingOptions { Mode = DataLoadingMode.Streaming } })).Fit(windows).OnLibtorch();
        var expected = inMemory.Transform(windows);
        CollectionAssert.AreEqual(OnnxRunner.Read(expected, "Forecast").SelectMany(r => r).ToArray(), OnnxRunner.Read(streamed.Transform(windows), "Forecast").SelectMany(r => r).ToArray());

        // The whole pipeline (MapValueToKey on the text id, then the forecaster) as ONNX, fed the windows' columns.
        var onnx = OnnxRunner.Export(ml, inMemory, windows);
        OnnxRunner.AssertClose(OnnxRunner.CompareOnnxRuntime(onnx, windows, expected, ["Forecast", "LowerBound", "UpperBound"], rowByRow: false), "pipeline", tolerance: 1e-5);

        using var engine = ml.Model.CreatePredictionEngine<Window, Forecasts>(inMemory);
        var first = windows.GetColumn<float[]>("Features").First();
        var forecast = engine.Predict(new Window
        {
            Series = "s0", Features = first, PastCovariates = windows.GetColumn<float[]>("PastCovariates").First(), FutureCovariates = windows.GetColumn<float[]>("FutureCovariates").First(),
        });
        CollectionAssert.AreEqual(OnnxRunner.Read(expected, "Forecast")[0], forecast.Forecast, new Tolerance(1e-5f));
        ((IDisposable)inMemory).Dispose();
        ((IDisposable)streamed).Dispose();
    }

    public sealed class Window
    {
        public string Series { get; set; } = "";

        [VectorType(8)]
        public float[] Features { get; set; } = [];

        [VectorType(8)]
        public float[] PastCovariates { get; set; } = [];

        [VectorType(10)]
        public float[] FutureCovariates { get; set; } = [];
    }

    public sealed class Forecasts
    {
        public float[] Forecast { get; set; } = [];
    }

    [TestMethod]
    public void PerSeriesCalibration_WidensTheNoisySeriesAndNarrowsTheCalmOne_InBothEnginesAndAfterSaving()
    {
        // Two series with the same season, one with 20 times the other's noise: one set of offsets cannot fit both.
        var ml = new MLContext(seed: 1);
        var random = new Random(9);
        var rows = new List<Row>();
        foreach (var (name, noise) in new[] { ("calm", 0.1), ("noisy", 2.0) })
        {
            for (int t = 0; t < 300; t++)
                rows.Add(new Row { Series = name, Value = (float)(50 + 5 * Math.Sin(2 * Math.PI * t / 12) + noise * Gaussian(random)) });
        }
        var split = ml.Data.CreateForecastingSplit(ml.Data.LoadFromEnumerable(rows), nameof(Row.Value), 24, 3, testCount: 60, validationCount: 60,
            new ForecastingWindowOptions { SeriesIdColumnName = nameof(Row.Series) });
        var keys = ml.Transforms.Conversion.MapValueToKey("SeriesKey", nameof(Row.Series)).Fit(split.Train);
        var options = new ForecastingOptions { Epochs = 20, Seed = 1, SeriesIdColumnName = "SeriesKey", ValidationData = keys.Transform(split.Validation!) };
        using var pooled = ml.Forecasting.DeepNetwork(options with { Calibration = IntervalCalibration.Conformal }).Fit(keys.Transform(split.Train));
        using var perSeries = ml.Forecasting.DeepNetwork(options with { Calibration = IntervalCalibration.ConformalPerSeries }).Fit(keys.Transform(split.Train));
        Assert.IsFalse(pooled.IsCalibratedPerSeries);
        Assert.IsTrue(perSeries.IsCalibratedPerSeries);
        double Mean(IReadOnlyList<float> offsets) => offsets.Average(o => (double)o);
        Assert.IsGreaterThan(Mean(perSeries.SeriesIntervalOffsets("calm")), Mean(perSeries.SeriesIntervalOffsets("noisy")));
        CollectionAssert.AreEqual(perSeries.IntervalOffsets.ToArray(), perSeries.SeriesIntervalOffsets("unseen").ToArray());

        // On the test tails each series' coverage moves towards 80%: up for the noisy series, down for the calm one.
        var test = keys.Transform(split.Test);
        ForecastingMetrics Metrics(ForecastingTransformer model) => ml.Forecasting.Evaluate(model.Transform(test), nameof(Row.Series), split.TrainingSeriesById!, 12);
        var (before, after) = (Metrics(pooled), Metrics(perSeries));
        Assert.IsGreaterThan(before.PerSeries["noisy"].IntervalCoverage, after.PerSeries["noisy"].IntervalCoverage);
        Assert.IsLessThan(before.PerSeries["calm"].MeanIntervalWidth, after.PerSeries["calm"].MeanIntervalWidth);

        // The ONNX Runtime engine applies each row's own offsets as libtorch does; so does a reloaded model.
        string[] bounds = ["LowerBound", "UpperBound"];
        var onnx = bounds.ToDictionary(c => c, c => OnnxRunner.Read(perSeries.Transform(test), c).SelectMany(r => r).ToArray());
        Assert.AreEqual(ScoringEngine.OnnxRuntime, perSeries.ActiveScoringEngine);
        var torch = perSeries.OnLibtorch().Transform(test);
        foreach (var column in bounds)
        {
            var b = OnnxRunner.Read(torch, column).SelectMany(r => r).ToArray();
            Assert.IsLessThan(1e-5, onnx[column].Zip(b, (x, y) => Math.Abs(x - y) / Math.Max(1, Math.Abs(y))).Max(), column);
        }
        using var stream = new MemoryStream();
        ml.Model.Save(perSeries, test.Schema, stream);
        stream.Position = 0;
        var loaded = (ForecastingTransformer)new MLContext().Model.Load(stream, out _);
        Assert.IsTrue(loaded.IsCalibratedPerSeries);
        CollectionAssert.AreEqual(perSeries.SeriesIntervalOffsets("noisy").ToArray(), loaded.SeriesIntervalOffsets("noisy").ToArray());
        CollectionAssert.AreEqual(OnnxRunner.Read(torch, "UpperBound").SelectMany(r => r).ToArray(),
            OnnxRunner.Read(loaded.OnLibtorch().Transform(test), "UpperBound").SelectMany(r => r).ToArray());
        loaded.Dispose();

        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.DeepNetwork(new ForecastingOptions { Calibration = IntervalCalibration.ConformalPerSeries, ValidationFraction = 0.2f }));
        StringAssert.Contains(error.Message, "SeriesIdColumnName is null");
    }

    [TestMethod]
    public void ContinuedFit_OfANetworkWithCovariatesAndASeriesEmbedding_StartsFromItsWeights()
    {
        var ml = new MLContext(seed: 1);
        var windows = ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(Table(3, 60, lift: 5, seed: 7)), nameof(Row.Value), 12, 2, Columns(past: true, future: true));
        var keyed = ml.Transforms.Conversion.MapValueToKey("SeriesKey", nameof(Row.Series)).Fit(windows).Transform(windows);
        var options = new ForecastingOptions
        {
            Epochs = 2, Seed = 1, SeriesIdColumnName = "SeriesKey", PastCovariatesColumnName = "PastCovariates", FutureCovariatesColumnName = "FutureCovariates",
        };
        using var first = ml.Forecasting.DeepNetwork(options).Fit(keyed);
        // One more epoch from the first fit's weights stays close to them; a fresh one-epoch fit is far from both.
        using var more = ml.Forecasting.DeepNetwork(options with { Epochs = 1, Optimizer = OptimizerSettings.Adam(1e-5f) }).Fit(keyed, first);
        using var fresh = ml.Forecasting.DeepNetwork(options with { Epochs = 1, Seed = 2 }).Fit(keyed);
        float[] Forecasts(ForecastingTransformer model) => OnnxRunner.Read(model.Transform(keyed), "Forecast").SelectMany(r => r).ToArray();
        double Distance(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
        var start = Forecasts(first);
        Assert.IsLessThan(0.2 * Distance(start, Forecasts(fresh)), Distance(start, Forecasts(more)));
        CollectionAssert.AreEqual(first.SeriesNames.ToArray(), more.SeriesNames.ToArray());
        var other = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.DeepNetwork(options with { PastCovariatesColumnName = null }).Fit(keyed, first));
        StringAssert.Contains(other.Message, "initialModel");
    }

    [TestMethod]
    public void LogScaling_TakesLogarithmsOfTheWindowOnly_NotOfTheCovariates()
    {
        var ml = new MLContext(seed: 1);
        // Temperatures below zero: a log-scaled forecaster must not check or take their logarithms.
        var rows = Table(2, 60, lift: 5, seed: 6).Select(r => new Row { Series = r.Series, Value = r.Value, Temperature = r.Temperature - 20, Promotion = r.Promotion }).ToArray();
        var windows = ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(rows), nameof(Row.Value), 12, 2, Columns(past: true));
        using var model = ml.Forecasting.DeepNetwork(new ForecastingOptions { Scaling = SeriesScaling.Log, PastCovariatesColumnName = "PastCovariates", Epochs = 2, Seed = 1 }).Fit(windows);
        Assert.IsTrue(OnnxRunner.Read(model.Transform(windows), "Forecast").SelectMany(r => r).All(v => float.IsFinite(v) && v > 0));
        var negative = rows.Select(r => new Row { Series = r.Series, Value = -r.Value, Temperature = r.Temperature }).ToArray();
        var bad = ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(negative), nameof(Row.Value), 12, 2, Columns(past: true));
        var error = Assert.ThrowsExactly<ArgumentException>(() => OnnxRunner.Read(model.Transform(bad), "Forecast"));
        StringAssert.Contains(error.Message, "of 12)");
    }
}
