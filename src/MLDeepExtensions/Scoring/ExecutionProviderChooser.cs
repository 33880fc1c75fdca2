using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// Picks the execution provider of a network's ONNX Runtime session. ONNX Runtime is asked for CUDA device n when the
/// network's TorchSharp module lives on CUDA device n; where the module is on the CPU or was not built, when the device
/// the fit or load was asked for is <see cref="ComputeDevice.Cuda"/>(n) or <see cref="ComputeDevice.Auto"/> (n = 0); never
/// for <see cref="ComputeDevice.Cpu"/>. It gets CUDA when its build lists the CUDA execution provider and the session opens
/// on it; otherwise the CPU, with the reason. Opening the session is the caller's (a seam the tests replace).
/// </summary>
internal static class ExecutionProviderChooser
{
    /// <summary>ONNX Runtime's name for its CUDA execution provider, as <c>OrtEnv.GetAvailableProviders</c> lists it.</summary>
    public const string CudaProviderName = "CUDAExecutionProvider";

    /// <summary>The CUDA device ONNX Runtime is asked for (null: the CPU), and why, for the log.</summary>
    /// <param name="requested">The device the fit or the load was asked for: the options' Device, else MLContext.GpuDeviceId, else Auto.</param>
    /// <param name="moduleCudaDevice">The CUDA device the TorchSharp module lives on; null when it is on the CPU or was not built.</param>
    public static (int? CudaDevice, string Why) Request(ComputeDevice requested, int? moduleCudaDevice)
        => moduleCudaDevice is int index
            ? (index, $"the network is on cuda:{index}")
            : requested.Kind switch
            {
                ComputeDeviceKind.Cpu => (null, "the network's device is the CPU"),
                ComputeDeviceKind.Cuda => (requested.Index, $"the network's device is cuda:{requested.Index}"),
                _ => (0, "the network's device is Auto (a GPU when there is one)"),
            };

    /// <summary>The provider the session runs on.</summary>
    /// <param name="cudaDevice">The CUDA device asked for; null for the CPU.</param>
    /// <param name="why">What asked for it (see <see cref="Request"/>).</param>
    /// <param name="availableProviders">The execution providers of the ONNX Runtime build in the process.</param>
    /// <param name="openOnCuda">Opens the session with the CUDA provider on a device; throws when it cannot (no GPU, no driver, missing CUDA libraries).</param>
    public static ExecutionProviderChoice Choose(int? cudaDevice, string why, IReadOnlyCollection<string> availableProviders, Action<int> openOnCuda)
    {
        ArgumentNullException.ThrowIfNull(availableProviders);
        ArgumentNullException.ThrowIfNull(openOnCuda);
        if (cudaDevice is not int device)
            return new(OnnxExecutionProvider.Cpu, null, why, FellBack: false);
        if (!availableProviders.Contains(CudaProviderName))
            return new(OnnxExecutionProvider.Cpu, null,
                $"{why}, but this ONNX Runtime build has no CUDA execution provider (it has {string.Join(", ", availableProviders)}); " +
                "for the GPU, reference Microsoft.ML.OnnxRuntime.Gpu.Linux or .Gpu.Windows with Microsoft.ML.OnnxRuntime's native assets excluded",
                FellBack: false);
        try
        {
            openOnCuda(device);
            return new(OnnxExecutionProvider.Cuda, device, why, FellBack: false);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            return new(OnnxExecutionProvider.Cpu, null,
                $"{why}, but ONNX Runtime's CUDA execution provider did not start on GPU {device} ({FirstLine(e.Message)}); check nvidia-smi, " +
                "and that the CUDA and cuDNN versions this ONNX Runtime build needs are installed", FellBack: true);
        }
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
