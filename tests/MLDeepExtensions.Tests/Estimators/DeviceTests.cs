using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace MLDeepExtensions.Tests.Estimators;

[TestClass]
public sealed class DeviceTests
{
    private static void RequireNoCuda()
    {
        if (torch.cuda.is_available())
            Assert.Inconclusive("A CUDA device is present; these tests check the CPU-only behaviour.");
    }

    [TestMethod]
    public void Cpu_TrainsAndScoresOnTheCpu()
    {
        var (ml, data, _) = TestData.LoggedContext(100);
        var model = ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(ComputeDevice.Cpu)).Fit(data);
        Assert.AreEqual(ComputeDevice.Cpu, model.Device);
    }

    [TestMethod]
    public void Cuda_WithoutGpu_ThrowsNamingPackageAndDriverCheck()
    {
        RequireNoCuda();
        var (ml, data, _) = TestData.LoggedContext(100);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(ComputeDevice.Cuda(1))).Fit(data));
        StringAssert.Contains(error.Message, "CUDA device 1 was requested (DeepNetworkOptions.Device)");
        StringAssert.Contains(error.Message, "TorchSharp-cuda-linux");
        StringAssert.Contains(error.Message, "nvidia-smi");
    }

    [TestMethod]
    public void Cuda_WithFallback_WarnsAndUsesTheCpu()
    {
        RequireNoCuda();
        var (ml, data, log) = TestData.LoggedContext(100);
        var model = ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(ComputeDevice.Cuda(0, fallbackToCpu: true))).Fit(data);
        Assert.AreEqual(ComputeDevice.Cpu, model.Device);
        Assert.IsTrue(log.Any(m => m.Contains("Falling back to the CPU")), "a warning should say so");
    }

    [TestMethod]
    public void MLContextGpuDeviceId_IsHonouredWhenOptionUnset()
    {
        RequireNoCuda();
        var (ml, data, log) = TestData.LoggedContext(100);
        ml.GpuDeviceId = 0;
        ml.FallbackToCpu = false;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(null)).Fit(data));
        StringAssert.Contains(error.Message, "MLContext.GpuDeviceId");

        ml.FallbackToCpu = true;
        var model = ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(null)).Fit(data);
        Assert.AreEqual(ComputeDevice.Cpu, model.Device);
        Assert.IsTrue(log.Any(m => m.Contains("Falling back to the CPU")));
    }

    [TestMethod]
    public void NegativeCudaIndex_IsAnOptionsError()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Regression.Trainers.DeepNetwork(TestData.TinyOn(ComputeDevice.Cuda(-1))));
        StringAssert.Contains(error.Message, "Device is cuda:-1");
    }

    [TestMethod]
    [TestCategory("Gpu")]
    public void Gpu_TrainedModel_SavesAndReloadsWithIdenticalPredictions()
    {
        if (!torch.cuda.is_available())
            Assert.Inconclusive("No CUDA device: reference the CUDA backend and run on a GPU machine.");
        var (ml, data, _) = TestData.LoggedContext(100);
        var model = ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(ComputeDevice.Cuda(0))).Fit(data);
        Assert.AreEqual(ComputeDevice.Cuda(0), model.Device);
        string path = Path.Combine(Path.GetTempPath(), $"mlde-gpu-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            // The file holds CPU tensors whatever the training device; loading picks the device afresh.
            var loaded = (DeepNetworkTransformer)new MLContext().Model.Load(path, out _);
            var onGpu = TestData.ReadScores(model.Transform(data));
            var reloaded = TestData.ReadScores(loaded.Transform(data));
            for (int i = 0; i < onGpu.Length; i++)
                Assert.AreEqual(onGpu[i][0], reloaded[i][0], 1e-4f, $"row {i}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
