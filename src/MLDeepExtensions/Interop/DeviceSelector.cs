using System;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Turns a <see cref="ComputeDevice"/> option (or, when it is not set, the MLContext's GpuDeviceId and FallbackToCpu)
/// into the TorchSharp device to use.
/// </summary>
internal static class DeviceSelector
{
    public static torch.Device Resolve(ComputeDevice? option, IHostEnvironment env, IChannel channel)
        => Resolve(Requested(option, env), channel, fromOption: option is not null);

    /// <summary>The device asked for, before any check: the option, else the MLContext's GpuDeviceId (with its FallbackToCpu), else Auto. Needs no libtorch.</summary>
    public static ComputeDevice Requested(ComputeDevice? option, IHostEnvironment env)
    {
        var internals = env as IHostEnvironmentInternal;
        return option ?? (internals?.GpuDeviceId is int id
            ? ComputeDevice.Cuda(id, internals.FallbackToCpu)
            : ComputeDevice.Auto);
    }

    private static torch.Device Resolve(ComputeDevice device, IChannel channel, bool fromOption)
    {
        if (device.Kind == ComputeDeviceKind.Cpu)
            return torch.CPU;
        bool available = torch.cuda.is_available();
        int count = available ? torch.cuda.device_count() : 0;
        if (device.Kind == ComputeDeviceKind.Auto)
            return available ? torch.CUDA : torch.CPU;

        string source = fromOption ? $"{nameof(DeepNetworkOptions)}.{nameof(DeepNetworkOptions.Device)}" : "MLContext.GpuDeviceId";
        string? problem = !available
            ? $"CUDA device {device.Index} was requested ({source}) but TorchSharp finds no CUDA device. Reference the CUDA backend " +
              "(the MLDeepExtensions.Cuda package, or TorchSharp-cuda-linux / TorchSharp-cuda-windows of the same TorchSharp version) " +
              "instead of TorchSharp-cpu, and check that the NVIDIA driver sees the GPU (nvidia-smi)."
            : device.Index < 0 || device.Index >= count
                ? $"CUDA device {device.Index} was requested ({source}) but only {count} CUDA device(s) are visible (indexes 0 to {count - 1}; see nvidia-smi and CUDA_VISIBLE_DEVICES)."
                : null;
        if (problem is null)
            return new torch.Device(DeviceType.CUDA, device.Index);
        if (!device.FallbackToCpu)
            throw new InvalidOperationException(problem + $" Or train on the CPU: ComputeDevice.Cpu, or ComputeDevice.Cuda(fallbackToCpu: true).");
        channel.Warning(problem + " Falling back to the CPU.");
        return torch.CPU;
    }
}
