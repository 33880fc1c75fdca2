using System;
using System.Runtime.InteropServices;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>
/// Tells whether TorchSharp can use a CUDA GPU in this process, how many, and, when it cannot, why and what to do.
/// Use it before choosing <see cref="ComputeDevice.Cuda(int, bool)"/>, or print <see cref="Describe"/> at start-up.
/// </summary>
/// <remarks>
/// A GPU needs three things: the CUDA backend (TorchSharp-cuda-linux or TorchSharp-cuda-windows of the TorchSharp
/// version MLDeepExtensions uses, brought by this package when it was built with the backend), the NVIDIA driver, and
/// a visible device. Each member asks TorchSharp afresh (cheap once its native library is loaded) and never throws:
/// a backend that cannot load counts as "not available".
/// </remarks>
public static class CudaDevices
{
    /// <summary>Gets a value indicating whether TorchSharp sees at least one CUDA device. False when TorchSharp cannot load at all.</summary>
    public static bool IsAvailable => Probe().Count > 0;

    /// <summary>Gets the number of CUDA devices TorchSharp sees (indexes 0 to count − 1 for <see cref="ComputeDevice.Cuda(int, bool)"/>); 0 when none is usable.</summary>
    public static int DeviceCount => Probe().Count;

    /// <summary>
    /// Describes the CUDA state in one line: "CUDA available: 2 device(s) (cuDNN available)", or why not and the fix.
    /// </summary>
    /// <returns>A human-readable line for logs and start-up messages.</returns>
    public static string Describe()
    {
        var probe = Probe();
        if (probe.Count > 0)
            return $"CUDA available: {probe.Count} device(s) (cuDNN {(probe.Cudnn ? "available" : "not available")}).";
        return "CUDA not available: " + probe.Reason;
    }

    /// <summary>What TorchSharp reports: the device count, cuDNN, and the reason when no device is usable.</summary>
    private readonly record struct CudaProbe(int Count, bool Cudnn, string Reason);

    private static CudaProbe Probe()
    {
        try
        {
            if (torch.cuda.is_available())
            {
                int count = torch.cuda.device_count();
                return count > 0
                    ? new CudaProbe(count, torch.cuda.is_cudnn_available(), string.Empty)
                    : new CudaProbe(0, false, NoDeviceReason);
            }
        }
        catch (Exception ex) when (ex is NotSupportedException or DllNotFoundException or EntryPointNotFoundException
            or BadImageFormatException or TypeInitializationException or InvalidOperationException)
        {
            return new CudaProbe(0, false, NativeLoadReason(ex));
        }

        return new CudaProbe(0, false, HasCudaBackend() ? NoDeviceReason : NoBackendReason);
    }

    /// <summary>Whether the application carries libtorch's CUDA library (torch_cuda), which only the CUDA bundles ship.</summary>
    private static bool HasCudaBackend()
    {
        if (!NativeLibrary.TryLoad("torch_cuda", typeof(torch).Assembly, null, out IntPtr handle))
            return false;
        NativeLibrary.Free(handle);
        return true;
    }

    private static string NoBackendReason =>
        "this application has TorchSharp's CPU backend only (no libtorch CUDA library). Reference the CUDA backend: "
        + "the MLDeepExtensions.Cuda package built with it, or TorchSharp-cuda-linux / TorchSharp-cuda-windows "
        + $"{TorchSharpVersion} instead of TorchSharp-cpu.";

    private static string NoDeviceReason =>
        "the CUDA backend is present but no CUDA device is visible. Check that the NVIDIA driver sees the GPU (nvidia-smi), "
        + "that CUDA_VISIBLE_DEVICES does not hide it, and that the driver supports the backend's CUDA version.";

    private static string NativeLoadReason(Exception ex)
    {
        Exception innermost = ex;
        while (innermost.InnerException is not null)
            innermost = innermost.InnerException;
        string first = Array.Find(innermost.Message.Split('\n', StringSplitOptions.TrimEntries), line => line.Length > 0) ?? ex.GetType().Name;
        return "TorchSharp's native library could not be loaded. Reference a TorchSharp backend package (TorchSharp-cpu, "
            + "or TorchSharp-cuda-linux / TorchSharp-cuda-windows) from the application, and build it with the MLDeepExtensions "
            + $"package referenced so that its build targets can fix the library on older Linux hosts. TorchSharp said: {first}";
    }

    /// <summary>The TorchSharp version MLDeepExtensions is built against (the CUDA bundle must match it).</summary>
    private static string TorchSharpVersion
    {
        get
        {
            Version? version = typeof(torch).Assembly.GetName().Version;
            return version is null ? "of the same version as TorchSharp" : $"{version.Major}.{version.Minor}.{version.Build}";
        }
    }
}
