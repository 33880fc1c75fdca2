using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace MLDeepExtensions.Tests.Estimators;

/// <summary>
/// Scoring and fitting must not accumulate native memory: no tensor left alive (TorchSharp's live-tensor count for this
/// thread) and the resident set flat within 5% after warm-up. The long version is the benchmark program's memory section.
/// </summary>
[TestClass]
[TestCategory("Memory")]
public sealed class NativeMemoryTests
{
    /// <summary>The process's resident set in bytes: VmRSS on Linux, the working set elsewhere, after a full collection.</summary>
    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (File.Exists("/proc/self/status"))
        {
            string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static long LiveTensors() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    private static void AssertFlat(long before, long after, string what)
        => Assert.IsLessThanOrEqualTo(before * 1.05, (double)after,
            $"{what}: resident set grew from {before / 1048576.0:F1} MiB to {after / 1048576.0:F1} MiB (more than 5%)");

    [TestMethod]
    public void PredictionEngine_5000Predictions_LeaveTensorsAndResidentSetFlat()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestNetworks.Rows(500, seed: 2);
        using var model = (DeepNetworkTransformer)TestNetworks.Estimator(ml, "mlp").Fit(ml.Data.LoadFromEnumerable(rows));
        using var engine = ml.Model.CreatePredictionEngine<SixteenRow, ScoreOutput>(model);
        for (int i = 0; i < 1000; i++)
            engine.Predict(rows[i % rows.Length]);

        long tensors = LiveTensors(), resident = ResidentBytes();
        for (int i = 0; i < 5000; i++)
            engine.Predict(rows[i % rows.Length]);
        Assert.AreEqual(tensors, LiveTensors(), "tensors left alive by 5,000 predictions");
        AssertFlat(resident, ResidentBytes(), "5,000 PredictionEngine predictions");
    }

    [TestMethod]
    public void Transform_100Passes_LeaveTensorsAndResidentSetFlat()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestNetworks.Rows(1000, seed: 2));
        using var model = (DeepNetworkTransformer)TestNetworks.Estimator(ml, "cnn").Fit(data);
        for (int pass = 0; pass < 10; pass++)
            TestNetworks.Scores(model, data);

        long tensors = LiveTensors(), resident = ResidentBytes();
        for (int pass = 0; pass < 100; pass++)
            TestNetworks.Scores(model, data);
        Assert.AreEqual(tensors, LiveTensors(), "tensors left alive by 100 Transform passes");
        AssertFlat(resident, ResidentBytes(), "100 Transform passes");
    }

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    [DataRow("lstm")]
    [DataRow("gru")]
    [DataRow("transformer")]
    [DataRow("autoencoder")]
    [DataRow("conv-autoencoder")]
    [DataRow("resnet")]
    [DataRow("ft-transformer")]
    public void FitThenDispose_ReleasesEveryTensor(string kind)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestNetworks.Rows(300, seed: 2));
        torch.InitializeDeviceType(DeviceType.CPU);
        long before = LiveTensors();
        var model = TestNetworks.Estimator(ml, kind).Fit(data);
        Assert.IsGreaterThan(before, LiveTensors(), "the fitted model holds its weights");
        TestNetworks.Scores(model, data);
        ((IDisposable)model).Dispose();
        Assert.AreEqual(before, LiveTensors(), $"{kind}: tensors left alive after fitting and disposing the transformer");
    }
}
