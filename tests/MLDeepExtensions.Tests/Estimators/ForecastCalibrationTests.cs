using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Tests.Onnx;
using MLDeepExtensions.Tests.Persistence;
using MLDeepExtensions.Tests.Scoring;

namespace MLDeepExtensions.Tests.Estimators;

/// <summary>
/// Conformal calibration of the forecast interval: on a series with known Gaussian noise the calibrated 80% interval
/// holds about 80% of new values; the offsets survive save and load, ONNX Runtime applies them as libtorch does, and
/// a model file of layout version 1 loads without them.
/// </summary>
[TestClass]
public sealed class ForecastCalibrationTests
{
    /// <summary>A 12-step season plus Gaussian noise of deviation 0.5 (seeded): the true 80% interval is ±0.64 around the season.</summary>
    private static float[] NoisySeasonal(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(t => (float)(10 + 3 * Math.Sin(2 * Math.PI * t / 12) + 0.5 * Gaussian(random))).ToArray();
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static IDataView View(MLContext ml, float[] values) => ml.Data.LoadFromEnumerable(values.Select(v => new ForecastingTests.Point { Value = v }));

    private static ForecastingSplit Split(MLContext ml, int length = 900, int validation = 250, int test = 400)
        => ml.Data.CreateForecastingSplit(View(ml, NoisySeasonal(length, seed: 11)), nameof(ForecastingTests.Point.Value), lookback: 24, horizon: 3, testCount: test, validationCount: validation);

    [TestMethod]
    public void ConformalInterval_CoversAboutItsNominalShare_OfHeldOutWindows()
    {
        var ml = new MLContext(seed: 1);
        var split = Split(ml);
        var options = new ForecastingOptions { Epochs = 30, Seed = 1, SeasonalPeriod = 12, ValidationData = split.Validation };
        using var plain = ml.Forecasting.DeepNetwork(options with { Calibration = IntervalCalibration.None }).Fit(split.Train);
        using var calibrated = ml.Forecasting.DeepNetwork(options).Fit(split.Train);
        Assert.IsFalse(plain.IsCalibrated);
        Assert.IsTrue(calibrated.IsCalibrated, "Auto calibrates when the fit has validation windows");
        Assert.HasCount(3, calibrated.IntervalOffsets);
        CollectionAssert.AreEqual(new float[3], plain.IntervalOffsets.ToArray());

        var before = ml.Forecasting.Evaluate(plain.Transform(split.Test));
        var after = ml.Forecasting.Evaluate(calibrated.Transform(split.Test));
        string measured = FormattableString.Invariant($"coverage {before.IntervalCoverage:F3} → {after.IntervalCoverage:F3}, width {before.MeanIntervalWidth:F3} → {after.MeanIntervalWidth:F3}, offsets {string.Join(", ", calibrated.IntervalOffsets)}");
        Console.WriteLine(measured);
        Assert.IsTrue(after.IntervalCoverage is > 0.72 and < 0.9, measured);
        Assert.IsTrue(after.PerStepIntervalCoverage.All(c => c is > 0.65 and < 0.95), measured + ", per step " + string.Join(", ", after.PerStepIntervalCoverage));
        // The true 80% interval is 1.28 wide; a calibrated one on a fitted network is somewhat wider, never narrower by much.
        Assert.IsTrue(after.MeanIntervalWidth is > 1.0 and < 2.2, measured);
        Assert.HasCount(3, after.PerStepMeanIntervalWidth);
        Assert.AreEqual(after.MeanIntervalWidth, after.PerStepMeanIntervalWidth.Average(), 1e-9);
        Assert.IsGreaterThan(before.IntervalCoverage, after.IntervalCoverage, measured);
    }

    [TestMethod]
    public void CalibratedModel_SavedAndLoaded_KeepsItsOffsets_AndOnnxRuntimeAppliesThemAsLibtorchDoes()
    {
        var ml = new MLContext(seed: 1);
        var split = Split(ml, length: 300, validation: 60, test: 60);
        using var model = ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 2, Seed = 1, ValidationData = split.Validation, Calibration = IntervalCalibration.Conformal }).Fit(split.Train);
        Assert.IsTrue(model.IntervalOffsets.Any(o => o != 0));

        using var stream = new MemoryStream();
        ml.Model.Save(model, split.Train.Schema, stream);
        stream.Position = 0;
        using var loaded = (ForecastingTransformer)new MLContext(seed: 2).Model.Load(stream, out _);
        Assert.IsTrue(loaded.IsCalibrated);
        CollectionAssert.AreEqual(model.IntervalOffsets.ToArray(), loaded.IntervalOffsets.ToArray());

        int inputs = split.Test.Schema.Count;
        model.ScoringEngine = loaded.ScoringEngine = ScoringEngine.Torch;
        var torch = ScoringEngineTests.Outputs(model.Transform(split.Test), inputs);
        ScoringEngineTests.AssertClose(torch, ScoringEngineTests.Outputs(loaded.Transform(split.Test), inputs), 0, "loaded, libtorch");
        loaded.ScoringEngine = ScoringEngine.OnnxRuntime;
        ScoringEngineTests.AssertClose(torch, ScoringEngineTests.Outputs(loaded.Transform(split.Test), inputs), 1e-5, "loaded, ONNX Runtime");

        // The exported graph (ConvertToOnnx) carries the offsets too.
        var windows = ml.Data.CreateForecastingWindows(View(ml, NoisySeasonal(300, seed: 11)[200..]), nameof(ForecastingTests.Point.Value), lookback: 24, horizon: 3, indexColumnName: null);
        var onnx = OnnxRunner.Export(ml, model, windows);
        OnnxRunner.AssertClose(OnnxRunner.CompareOnnxRuntime(onnx, windows, model.Transform(windows), ["Forecast", "LowerBound", "UpperBound"], rowByRow: false), "exported", tolerance: 1e-5);
    }

    [TestMethod]
    public void Calibration_WithoutValidationWindowsOrQuantiles_IsAnErrorOrNothing()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.DeepNetwork(new ForecastingOptions { Calibration = IntervalCalibration.Conformal }));
        StringAssert.Contains(error.Message, "Calibration is Conformal but the fit has no validation windows");
        StringAssert.Contains(error.Message, "validationCount");
        error = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.DeepNetwork(new ForecastingOptions { Calibration = IntervalCalibration.Conformal, ValidationFraction = 0.2f, Quantiles = [] }));
        StringAssert.Contains(error.Message, "Calibration is Conformal but Quantiles has 0 values");
        error = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.DeepNetwork(new ForecastingOptions { Calibration = (IntervalCalibration)7 }));
        StringAssert.Contains(error.Message, "Calibration is 7");

        var split = Split(ml, length: 200, validation: 40, test: 40);
        using var mean = ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 1, Seed = 1, ValidationData = split.Validation, Quantiles = [] }).Fit(split.Train);
        Assert.IsFalse(mean.IsCalibrated, "Auto leaves a mean forecast alone");
        using var noValidation = ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 1, Seed = 1 }).Fit(split.Train);
        Assert.IsFalse(noValidation.IsCalibrated, "Auto without validation windows does not calibrate");
        using var fraction = ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 1, Seed = 1, ValidationFraction = 0.25f }).Fit(split.Train);
        Assert.IsTrue(fraction.IsCalibrated, "Auto calibrates on ValidationFraction's windows");
    }

    [TestMethod]
    public void ModelFileOfLayoutVersion1_LoadsWithoutOffsets()
    {
        var ml = new MLContext(seed: 1);
        var split = Split(ml, length: 200, validation: 40, test: 40);
        using var model = ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 1, Seed = 1 }).Fit(split.Train);
        string path = ModelZip.TempPath();
        try
        {
            ml.Model.Save(model, split.Train.Schema, path);
            byte[] header = ModelZip.Read(path, "Model.key");
            // The head's fields end with the quantiles 0.1, 0.5, 0.9 and (version 2) the calibrated flag; the version
            // precedes four column names, the horizon, the vector flag and the quantile count.
            byte[] quantiles = new[] { 0.1f, 0.5f, 0.9f }.SelectMany(BitConverter.GetBytes).ToArray();
            int at = Enumerable.Range(0, header.Length - quantiles.Length).Single(i => header.AsSpan(i, quantiles.Length).SequenceEqual(quantiles));
            int version = at - 4 - 4 - 1 - 4 * 4 - 4;
            Assert.AreEqual(2, BitConverter.ToInt32(header, version));
            Assert.AreEqual(0, header[at + quantiles.Length], "an uncalibrated model's flag");
            // As version 1 wrote it: version 1, nothing after the quantiles.
            header = WithoutByte(ModelZip.Splice(header, version, 4, BitConverter.GetBytes(1)), at + quantiles.Length);
            ModelZip.Replace(path, "Model.key", header);
            using var loaded = (ForecastingTransformer)new MLContext(seed: 2).Model.Load(path, out _);
            Assert.IsFalse(loaded.IsCalibrated);
            CollectionAssert.AreEqual(new float[3], loaded.IntervalOffsets.ToArray());
            loaded.ScoringEngine = model.ScoringEngine = ScoringEngine.Torch;
            int inputs = split.Test.Schema.Count;
            ScoringEngineTests.AssertClose(ScoringEngineTests.Outputs(model.Transform(split.Test), inputs), ScoringEngineTests.Outputs(loaded.Transform(split.Test), inputs), 0, "version 1");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// An ML.NET model stream without the byte at <paramref name="position"/> (in the model data): its header's model size
    /// (0x18) one less, and the positions of the string table (0x20), its characters (0x30), the tail (0x80), the end
    /// (0x88) and the assembly name (0x90), which follow the data, one earlier.
    /// </summary>
    private static byte[] WithoutByte(byte[] stream, int position)
    {
        var result = ModelZip.Splice(stream, position, 1);
        Assert.IsTrue(position >= BitConverter.ToInt64(stream, 0x10) && position < BitConverter.ToInt64(stream, 0x10) + BitConverter.ToInt64(stream, 0x18), "in the model data");
        foreach (int field in new[] { 0x18, 0x20, 0x30, 0x80, 0x88, 0x90 })
            BitConverter.TryWriteBytes(result.AsSpan(field), BitConverter.ToInt64(stream, field) - 1);
        return result;
    }
}
