using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Optimizers;

/// <summary>
/// The condition under which an updater may rewrite weights and their state in one pass of its own over their memory
/// instead of a chain of tensor operations, and that memory as spans.
/// </summary>
internal static class CpuWeights
{
    /// <summary>True when every tensor is a contiguous Float32 CPU tensor with as many elements as the first.</summary>
    public static bool OnePassPossible(params Tensor[] tensors)
    {
        long count = tensors[0].numel();
        foreach (var t in tensors)
        {
            if (t.device_type != DeviceType.CPU || t.dtype != ScalarType.Float32 || !t.is_contiguous() || t.numel() != count || count > int.MaxValue)
                return false;
        }
        return true;
    }

    /// <summary>A contiguous Float32 CPU tensor's elements, to read and write in place.</summary>
    public static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);
}
