using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp;

namespace MLDeepExtensions.Tests.Cuda;

[TestClass]
public sealed class CudaDevicesTests
{
    [TestMethod]
    public void Properties_AgreeWithTorchSharp()
    {
        bool available = torch.cuda.is_available();
        Assert.AreEqual(available, CudaDevices.IsAvailable);
        Assert.AreEqual(available ? torch.cuda.device_count() : 0, CudaDevices.DeviceCount);
    }

    [TestMethod]
    public void Describe_WithCpuBackendOnly_NamesTheCudaPackagesToReference()
    {
        if (torch.cuda.is_available())
            Assert.Inconclusive("A CUDA device is present; this test checks the CPU-only message.");
        string line = CudaDevices.Describe();
        StringAssert.StartsWith(line, "CUDA not available: this application has TorchSharp's CPU backend only");
        StringAssert.Contains(line, "TorchSharp-cuda-linux / TorchSharp-cuda-windows 0.107.0");
        Assert.IsFalse(line.Contains('\n'), "one line");
    }

    [TestMethod]
    [TestCategory("Gpu")]
    public void Describe_WithGpu_CountsDevices()
    {
        if (!torch.cuda.is_available())
            Assert.Inconclusive("No CUDA device: reference the CUDA backend and run on a GPU machine.");
        StringAssert.StartsWith(CudaDevices.Describe(), $"CUDA available: {torch.cuda.device_count()} device(s)");
    }
}
