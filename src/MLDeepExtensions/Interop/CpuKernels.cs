using System;
using System.Runtime.InteropServices;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Keeps libtorch's oneDNN kernels (which run convolutions and LSTMs on the CPU) on their right paths: capped at AVX2.
/// </summary>
/// <remarks>
/// <para>
/// The oneDNN build inside libtorch 2.10 (TorchSharp 0.107) went wrong in two ways on an AVX-512 machine (AMD EPYC,
/// Zen 5), each measured against a reference. (1) Its AVX-512 LSTM kernels scored hidden sizes 4, 8, 12, 16, 48 and 100
/// with errors up to 1.1 (24, 32, 64, 128 and 256 were right; libtorch's own kernels and oneDNN at AVX2 agreed to 2e-7
/// everywhere). (2) Its convolution gradients were NaN whenever the output channel count is not a multiple of its
/// register blocking (16 with AVX-512, 8 with AVX2): its backward kernels read the padding channels of the output
/// gradient's blocked buffer, which nobody initialised. In 100 backward passes each, a 4-channel convolution pair gave
/// NaN gradients in 30–78 passes and a convolution down to 1 channel (an autoencoder's last) in 4–220, at AVX-512 and,
/// less often, at AVX2; with 16, 32 or 64 output channels, none. Convolutions and LSTMs trained with libtorch's own
/// kernels were right, but 4× slower for a convolutional autoencoder.
/// </para>
/// <para>
/// So before the backend loads, oneDNN is capped at AVX2 (its <c>ONEDNN_MAX_CPU_ISA</c> setting; a process that sets it
/// or <c>DNNL_MAX_CPU_ISA</c> itself keeps its choice), which fixes (1): an LSTM of 128 units then trained 1.3× and
/// scored 1.4× slower than on the wrong AVX-512 kernels, convolutions as fast. (2) is fixed where convolutions run in
/// training: such a convolution runs with zero filters added up to the next multiple of 16 and the extra channels
/// dropped, so the gradient's padding holds zeros (see <c>ImageInput.Forward</c>); no NaN in 100 passes of either
/// network. The cap is process-wide: it also applies to other TorchSharp code in the process.
/// </para>
/// </remarks>
internal static class CpuKernels
{
    /// <summary>oneDNN's setting for the widest instruction set it may use, and the older name it also reads.</summary>
    private const string IsaVariable = "ONEDNN_MAX_CPU_ISA", LegacyIsaVariable = "DNNL_MAX_CPU_ISA";

    /// <summary>The channel multiple at which oneDNN's convolution gradients need no padding: its widest blocking (AVX2's, 8, divides it).</summary>
    public const int ConvolutionBlocking = 16;

    /// <summary>True when this process capped oneDNN at AVX2 (false where the process chose its own cap).</summary>
    public static bool OneDnnCapped { get; private set; }

    /// <summary>Caps oneDNN at AVX2 unless the process chose a cap; called once, before the native backend loads.</summary>
    public static void BeforeLoad()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || NativeEnvironment.IsSet(IsaVariable) || NativeEnvironment.IsSet(LegacyIsaVariable))
            return;
        // oneDNN reads the native environment lazily, at its first primitive.
        OneDnnCapped = NativeEnvironment.SetDefault(IsaVariable, "AVX2");
    }
}
