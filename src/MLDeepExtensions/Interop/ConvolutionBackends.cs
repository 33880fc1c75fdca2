using System;
using System.Runtime.InteropServices;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Makes libtorch run CPU convolutions with its own kernels (im2col and matrix products) instead of oneDNN's or
/// NNPACK's. Called once, when the native backend loads.
/// </summary>
/// <remarks>
/// <para>
/// The oneDNN build inside libtorch 2.10 (TorchSharp 0.107) returns NaN gradients for convolutions whose channel count
/// is not a multiple of its register blocking (16 with AVX-512, 8 with AVX2): its backward-by-data kernels read the
/// padding channels of a blocked buffer they never initialise, so a gradient is NaN whenever that memory happens to
/// hold a NaN pattern. Measured on an AVX-512 CPU: 52–78 of 100 backward passes of a 4-channel convolution pair gave
/// NaN gradients, none with 16, 32 or 64 channels, and none with oneDNN switched off. Capping oneDNN at AVX2 only
/// moves the problem (a 4-channel convolution back to one channel still failed). With oneDNN off libtorch tries NNPACK,
/// which prints a warning on every call on CPUs it does not support, so that is switched off too. A 2-block CNN on
/// 28×28 images trained as fast without them (65 ms against 107 ms per batch of 128) and scored 16% slower.
/// </para>
/// <para>
/// libtorch keeps these switches in <c>at::globalContext()</c> (PyTorch's <c>torch.backends.mkldnn.enabled</c> and
/// <c>torch.backends.nnpack.enabled</c>), which TorchSharp does not expose, so they are called through the C++ exports
/// of torch_cpu: Itanium names on Linux, MSVC names on Windows (a member function's <c>this</c> is its first
/// argument in both x64 calling conventions). Where the exports are missing nothing changes. The switches are
/// process-wide: they also apply to other TorchSharp code in the process.
/// </para>
/// </remarks>
internal static class ConvolutionBackends
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    /// <summary>True once oneDNN and NNPACK were switched off; false where the exports were not found.</summary>
    public static bool NativeKernelsOnly { get; private set; }

    public static void UseNativeKernels()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || Exports() is not { } exports)
            return;
        var (library, context, mkldnn, nnpack) = exports;
        // TorchSharp has loaded torch_cpu already; loading it by name returns that same library.
        if (!NativeLibrary.TryLoad(library, out var handle))
            return;
        if (!NativeLibrary.TryGetExport(handle, context, out var contextExport)
            || !NativeLibrary.TryGetExport(handle, mkldnn, out var mkldnnExport)
            || !NativeLibrary.TryGetExport(handle, nnpack, out var nnpackExport))
            return;
        var globalContext = Marshal.GetDelegateForFunctionPointer<GlobalContext>(contextExport)();
        Marshal.GetDelegateForFunctionPointer<SetFlag>(mkldnnExport)(globalContext, false);
        Marshal.GetDelegateForFunctionPointer<SetFlag>(nnpackExport)(globalContext, false);
        NativeKernelsOnly = true;
    }

    /// <summary>The library and the export names of <c>at::globalContext</c> and its two setters on this platform, or null.</summary>
    private static (string Library, string Context, string Mkldnn, string Nnpack)? Exports()
    {
        if (OperatingSystem.IsLinux())
            return ("libtorch_cpu.so", "_ZN2at13globalContextEv", "_ZN2at7Context20setUserEnabledMkldnnEb", "_ZN2at7Context20setUserEnabledNNPACKEb");
        if (OperatingSystem.IsWindows())
            return ("torch_cpu.dll", "?globalContext@at@@YAAEAVContext@1@XZ", "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z",
                "?setUserEnabledNNPACK@Context@at@@QEAAX_N@Z");
        return null;
    }
}
