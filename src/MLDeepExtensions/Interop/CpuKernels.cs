using System;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Keeps libtorch's CPU kernels on their right paths: oneDNN (which scores convolutions and recurrent layers fast) capped
/// at AVX2, libtorch's own convolution kernels while training a network whose gradients would go through oneDNN's faulty
/// case, and NNPACK off.
/// </summary>
/// <remarks>
/// <para>
/// The oneDNN build inside libtorch 2.10 (TorchSharp 0.107) went wrong in two ways on an AVX-512 machine (AMD EPYC,
/// Zen 5), each measured against a reference: (1) its AVX-512 LSTM kernels scored hidden sizes 4, 8, 12, 16, 48 and 100
/// with errors up to 1.1 (24, 32, 64, 128 and 256 were right; libtorch's own kernels and oneDNN at AVX2 agreed to 2e-7
/// everywhere); (2) its convolution gradients were
/// NaN for channel counts that are not a multiple of its register blocking (16 with AVX-512, 8 with AVX2): its backward
/// kernels read padding channels of blocked buffers that nobody initialised. In 100 backward passes each, a 4-channel
/// convolution pair gave NaN gradients in 52–78 passes at AVX-512 (none at AVX2, none with 16, 32 or 64 channels), and a
/// convolution down to 1 channel (an autoencoder's last) in 4–220 passes, at AVX2 too. Convolutions scored right in
/// every case.
/// </para>
/// <para>
/// So before the backend loads, oneDNN is capped at AVX2 (its <c>ONEDNN_MAX_CPU_ISA</c> setting, unless the process
/// sets it or <c>DNNL_MAX_CPU_ISA</c> itself), which fixes (1) and the AVX-512 half of (2) (convolutions as fast; an
/// LSTM of 128 units trained 1.3× and scored 1.4× slower than on the wrong AVX-512 kernels); and a
/// fit turns oneDNN off (PyTorch's <c>torch.backends.mkldnn.enabled = False</c>) for as long as it trains a network with
/// such a convolution (<see cref="NeedsNativeKernelsToTrain"/>), which is slower but right. That switch is
/// process-wide, so networks scored during such a fit also use libtorch's kernels: the same results to rounding, more
/// slowly. NNPACK is switched off for good: libtorch tries it when oneDNN is off and prints a warning on every call on
/// CPUs it does not support; with oneDNN on, libtorch never tried it in our measurements. libtorch keeps these switches
/// in <c>at::globalContext()</c>, which TorchSharp does not expose, so they are called through torch_cpu's C++ exports
/// (Itanium names on Linux, MSVC names on Windows; a member function's <c>this</c> is its first argument in both x64
/// calling conventions). Where the exports are missing, nothing changes. All of it applies to other TorchSharp code in
/// the process too.
/// </para>
/// </remarks>
internal static class CpuKernels
{
    /// <summary>oneDNN's widest register blocking for Single channels (AVX-512); AVX2's (8) divides it.</summary>
    private const int Blocking = 16;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    private static readonly object _gate = new();
    private static IntPtr _context;
    private static SetFlag? _setMkldnn;
    private static int _nativeScopes;

    /// <summary>oneDNN's setting for the widest instruction set it may use, and the older name it also reads.</summary>
    private const string IsaVariable = "ONEDNN_MAX_CPU_ISA", LegacyIsaVariable = "DNNL_MAX_CPU_ISA";

    /// <summary>True when this process capped oneDNN at AVX2 (false where the process chose its own cap).</summary>
    public static bool OneDnnCapped { get; private set; }

    /// <summary>True once the switches were found (x64 Linux or Windows).</summary>
    public static bool Available => _setMkldnn is not null;

    /// <summary>How many <see cref="NativeKernels"/> scopes are open (oneDNN is off while any is).</summary>
    public static int OpenScopes
    {
        get
        {
            lock (_gate)
                return _nativeScopes;
        }
    }

    /// <summary>Caps oneDNN at AVX2 unless the process chose a cap; called once, before the native backend loads.</summary>
    public static void BeforeLoad()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64
            || Environment.GetEnvironmentVariable(IsaVariable) is not null || Environment.GetEnvironmentVariable(LegacyIsaVariable) is not null)
            return;
        // oneDNN reads the native environment: on Windows the process's, which .NET sets; on Unix the C library's, which it does not.
        if (OperatingSystem.IsWindows())
            Environment.SetEnvironmentVariable(IsaVariable, "AVX2");
        else if (setenv(IsaVariable, "AVX2", overwrite: 0) != 0)
            return;
        OneDnnCapped = true;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);

    /// <summary>Finds the switches and turns NNPACK off; called once, when the native backend has loaded.</summary>
    public static void Initialize()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || Exports() is not { } exports)
            return;
        var (library, context, mkldnn, nnpack) = exports;
        // TorchSharp has loaded torch_cpu already; loading it by name returns that same library.
        if (!NativeLibrary.TryLoad(library, out var handle)
            || !NativeLibrary.TryGetExport(handle, context, out var contextExport)
            || !NativeLibrary.TryGetExport(handle, mkldnn, out var mkldnnExport)
            || !NativeLibrary.TryGetExport(handle, nnpack, out var nnpackExport))
            return;
        _context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(contextExport)();
        Marshal.GetDelegateForFunctionPointer<SetFlag>(nnpackExport)(_context, false);
        _setMkldnn = Marshal.GetDelegateForFunctionPointer<SetFlag>(mkldnnExport);
    }

    /// <summary>
    /// True when training <paramref name="module"/> with oneDNN could give NaN gradients: a convolution with an output
    /// channel count that is not a multiple of 16, or, past the first convolution (whose input needs no gradient), such an
    /// input channel count.
    /// </summary>
    public static bool NeedsNativeKernelsToTrain(nn.Module module)
    {
        var shapes = module.modules().OfType<Conv2d>().Select(conv => conv.weight!.shape).ToList();
        return shapes.Select((shape, i) => shape[0] % Blocking != 0 || (i > 0 && shape[1] % Blocking != 0)).Any(risky => risky);
    }

    /// <summary>Runs convolutions on libtorch's own kernels, process-wide, until the returned scope is disposed (scopes nest).</summary>
    public static IDisposable NativeKernels()
    {
        lock (_gate)
        {
            if (_nativeScopes++ == 0)
                _setMkldnn?.Invoke(_context, false);
        }
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed)
                    return;
                _disposed = true;
                if (--_nativeScopes == 0)
                    _setMkldnn?.Invoke(_context, true);
            }
        }
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
