using System;
using System.Collections.Generic;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Scoring;

namespace MLDeepExtensions.Tests.Scoring;

/// <summary>
/// The choice of ONNX Runtime's execution provider, without a GPU: the available providers and opening the session on
/// CUDA are stand-ins here. CUDA when it is listed and opens; the CPU, with the reason, when it is not listed, fails to
/// open or was not asked for.
/// </summary>
[TestClass]
public sealed class ExecutionProviderChooserTests
{
    private static readonly string[] CpuBuild = ["CPUExecutionProvider"];
    private static readonly string[] CudaBuild = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"];

    private static void MustNotOpen(int device) => Assert.Fail($"the session should not be opened on CUDA (asked for GPU {device})");

    [TestMethod]
    public void Choose_CpuPackageListsNoCuda_UsesCpuAndNamesTheGpuPackages()
    {
        var choice = ExecutionProviderChooser.Choose(0, "the network's device is Auto", CpuBuild, MustNotOpen);

        Assert.AreEqual(OnnxExecutionProvider.Cpu, choice.Provider);
        Assert.IsNull(choice.CudaDevice);
        Assert.IsFalse(choice.FellBack, "a CPU-only build is no failure: logged at Info");
        StringAssert.Contains(choice.Reason, "no CUDA execution provider (it has CPUExecutionProvider)");
        StringAssert.Contains(choice.Reason, "native assets excluded");
        StringAssert.Contains(choice.Reason, "Microsoft.ML.OnnxRuntime.Gpu.Linux");
        StringAssert.StartsWith(choice.ToString(), "the CPU: the network's device is Auto, but");
    }

    [TestMethod]
    public void Choose_CudaListedAndAppendSucceeds_UsesCudaOnTheDeviceAskedFor()
    {
        var opened = new List<int>();
        var choice = ExecutionProviderChooser.Choose(1, "the network is on cuda:1", CudaBuild, opened.Add);

        CollectionAssert.AreEqual(new[] { 1 }, opened);
        Assert.AreEqual(OnnxExecutionProvider.Cuda, choice.Provider);
        Assert.AreEqual(1, choice.CudaDevice);
        Assert.IsFalse(choice.FellBack);
        Assert.AreEqual("GPU 1 (CUDA execution provider): the network is on cuda:1", choice.ToString());
    }

    [TestMethod]
    public void Choose_CudaListedButAppendFails_FallsBackToCpuAndSaysWhy()
    {
        var choice = ExecutionProviderChooser.Choose(0, "the network's device is cuda:0", CudaBuild,
            _ => throw new DllNotFoundException("libcublasLt.so.13: cannot open shared object file\nsecond line of native detail"));

        Assert.AreEqual(OnnxExecutionProvider.Cpu, choice.Provider);
        Assert.IsNull(choice.CudaDevice);
        Assert.IsTrue(choice.FellBack, "a GPU that was tried and failed is logged as a warning");
        StringAssert.Contains(choice.Reason, "the network's device is cuda:0, but ONNX Runtime's CUDA execution provider did not start on GPU 0");
        StringAssert.Contains(choice.Reason, "(libcublasLt.so.13: cannot open shared object file)");
        Assert.DoesNotContain("second line", choice.Reason, "one line in the log");
        StringAssert.Contains(choice.Reason, "nvidia-smi");
    }

    [TestMethod]
    public void Choose_CudaListedButTheNativeLibraryLacksIt_FallsBackToCpu()
    {
        // What a CPU build of libonnxruntime says when the GPU package's managed side asks it for CUDA.
        var choice = ExecutionProviderChooser.Choose(0, "the network's device is Auto", CudaBuild,
            _ => throw new EntryPointNotFoundException("Unable to find an entry point named 'OrtSessionOptionsAppendExecutionProvider_CUDA'"));

        Assert.AreEqual(OnnxExecutionProvider.Cpu, choice.Provider);
        Assert.IsTrue(choice.FellBack);
        StringAssert.Contains(choice.Reason, "OrtSessionOptionsAppendExecutionProvider_CUDA");
    }

    [TestMethod]
    public void Choose_CpuDeviceWithCudaAvailable_UsesCpuWithoutTryingCuda()
    {
        var choice = ExecutionProviderChooser.Choose(null, "the network's device is the CPU", CudaBuild, MustNotOpen);

        Assert.AreEqual(OnnxExecutionProvider.Cpu, choice.Provider);
        Assert.IsFalse(choice.FellBack);
        Assert.AreEqual("the CPU: the network's device is the CPU", choice.ToString());
    }

    [TestMethod]
    public void Choose_AnErrorThatIsNotAboutCuda_IsNotHidden()
    {
        Assert.ThrowsExactly<InvalidOperationException>(() => ExecutionProviderChooser.Choose(0, "the network's device is Auto", CudaBuild,
            _ => throw new InvalidOperationException("a bug, not a missing GPU")));
    }

    [TestMethod]
    public void Request_ModuleOnAGpu_AsksOnnxRuntimeForThatGpu()
    {
        var (device, why) = ExecutionProviderChooser.Request(ComputeDevice.Auto, moduleCudaDevice: 2);
        Assert.AreEqual(2, device);
        Assert.AreEqual("the network is on cuda:2", why);
    }

    [TestMethod]
    public void Request_ModuleOnTheCpu_FollowsTheDeviceAskedFor()
    {
        Assert.IsNull(ExecutionProviderChooser.Request(ComputeDevice.Cpu, null).CudaDevice, "ComputeDevice.Cpu never asks for a GPU");
        Assert.AreEqual(3, ExecutionProviderChooser.Request(ComputeDevice.Cuda(3, fallbackToCpu: true), null).CudaDevice,
            "Cuda(3) asks ONNX Runtime for GPU 3 even where libtorch fell back to the CPU");
        var (auto, why) = ExecutionProviderChooser.Request(ComputeDevice.Auto, null);
        Assert.AreEqual(0, auto, "Auto: GPU 0 when there is one");
        StringAssert.Contains(why, "Auto");
    }
}
