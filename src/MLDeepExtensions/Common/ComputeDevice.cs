using System;

namespace MLDeepExtensions;

/// <summary>Which kind of processor a network trains and scores on.</summary>
public enum ComputeDeviceKind
{
    /// <summary>The CUDA GPU when TorchSharp has one (CUDA backend referenced, driver present), else the CPU.</summary>
    Auto = 0,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>A CUDA GPU, chosen by index; an error (or a logged fall-back to the CPU, if allowed) when there is none.</summary>
    Cuda,
}

/// <summary>
/// Where a network runs: <see cref="Auto"/>, <see cref="Cpu"/> or <see cref="Cuda"/>(index). Models are saved
/// device-agnostic: one trained on a GPU loads and predicts on a CPU-only machine.
/// </summary>
public sealed record ComputeDevice
{
    private ComputeDevice(ComputeDeviceKind kind, int index, bool fallbackToCpu)
    {
        Kind = kind;
        Index = index;
        FallbackToCpu = fallbackToCpu;
    }

    /// <summary>CUDA device 0 when available, else the CPU.</summary>
    public static ComputeDevice Auto { get; } = new(ComputeDeviceKind.Auto, 0, fallbackToCpu: true);

    /// <summary>The CPU.</summary>
    public static ComputeDevice Cpu { get; } = new(ComputeDeviceKind.Cpu, 0, fallbackToCpu: false);

    /// <summary>The kind of device.</summary>
    public ComputeDeviceKind Kind { get; }

    /// <summary>The CUDA device index (as <c>nvidia-smi</c> lists them), ≥ 0. Ignored for the CPU.</summary>
    public int Index { get; }

    /// <summary>For <see cref="ComputeDeviceKind.Cuda"/>: use the CPU, with a logged warning, when the GPU is not available.</summary>
    public bool FallbackToCpu { get; }

    /// <summary>CUDA device <paramref name="index"/>.</summary>
    /// <param name="index">The device index, ≥ 0. Default: 0.</param>
    /// <param name="fallbackToCpu">Use the CPU with a logged warning instead of failing when the device is missing. Default: false.</param>
    public static ComputeDevice Cuda(int index = 0, bool fallbackToCpu = false) => new(ComputeDeviceKind.Cuda, index, fallbackToCpu);

    /// <summary>The device a TorchSharp device stands for.</summary>
    internal static ComputeDevice Of(TorchSharp.torch.Device device)
        => device.type == TorchSharp.DeviceType.CUDA ? Cuda(Math.Max(0, device.index)) : Cpu;

    /// <inheritdoc/>
    public override string ToString() => Kind == ComputeDeviceKind.Cuda ? $"cuda:{Index}" : Kind.ToString().ToLowerInvariant();
}
