using MLDeepExtensions.Persistence;
using System;
using System.Linq;
using System.Runtime.CompilerServices;
using MLDeepExtensions.Heads;
using static TorchSharp.torch;

namespace MLDeepExtensions.Model;

/// <summary>
/// Everything a trained network is made of, whatever its head: what the model format saves and loads, and what a
/// transformer scores with. The module is owned by the transformer's scorer.
/// </summary>
/// <remarks>
/// A fit builds the module at once. A model loaded where libtorch is missing, from a file that carries the network's
/// ONNX graph, keeps its saved network entry instead and builds the module only when something needs libtorch (the
/// Torch engine, continuing the fit, PyTorch export): ONNX Runtime scores it without one native libtorch call.
/// </remarks>
internal sealed class NetworkModel
{
    private readonly object _gate = new();
    private Func<(nn.Module<Tensor, Tensor> Module, Device Device)>? _build;
    private nn.Module<Tensor, Tensor>? _module;
    private Device? _device;
    private long? _parameterCount;

    public NetworkModel(nn.Module<Tensor, Tensor> module, NetworkArchitecture architecture, NetworkHead head, int inputSize, string featureColumnName,
        int scoringBatchSize, TrainingHistory history, Device device)
        : this(architecture, head, inputSize, featureColumnName, scoringBatchSize, history)
    {
        _module = module;
        _device = device;
        _parameterCount = module.parameters().Sum(p => p.numel());
    }

    /// <summary>A loaded model whose module is built when first needed.</summary>
    /// <param name="build">Builds the module and picks its device, when first needed.</param>
    /// <param name="networkEntry">The saved "Network" entry, written again by a save before the module is built.</param>
    /// <param name="architecture">The architecture read from the entry.</param>
    /// <param name="head">The head read from the model stream.</param>
    /// <param name="inputSize">Values per encoded input row.</param>
    /// <param name="featureColumnName">The feature column.</param>
    /// <param name="scoringBatchSize">Rows per forward pass in Transform.</param>
    /// <param name="history">The training history.</param>
    public NetworkModel(Func<(nn.Module<Tensor, Tensor> Module, Device Device)> build, byte[] networkEntry, NetworkArchitecture architecture, NetworkHead head,
        int inputSize, string featureColumnName, int scoringBatchSize, TrainingHistory history)
        : this(architecture, head, inputSize, featureColumnName, scoringBatchSize, history)
    {
        _build = build;
        NetworkEntry = networkEntry;
    }

    private NetworkModel(NetworkArchitecture architecture, NetworkHead head, int inputSize, string featureColumnName, int scoringBatchSize, TrainingHistory history)
    {
        Architecture = architecture;
        Head = head;
        InputSize = inputSize;
        FeatureColumnName = featureColumnName;
        ScoringBatchSize = scoringBatchSize;
        History = history;
    }

    /// <summary>The module, built now if it was not (which needs libtorch).</summary>
    public nn.Module<Tensor, Tensor> Module
    {
        get
        {
            lock (_gate)
            {
                if (_module is null)
                    Build();
                return _module!;
            }
        }
    }

    /// <summary>True once the module exists (always, for a fitted model).</summary>
    public bool IsBuilt
    {
        get
        {
            lock (_gate)
                return _module is not null;
        }
    }

    // Kept out of the property so that nothing touches TorchSharp's native side until a module is really needed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Build()
    {
        var (module, device) = _build!();
        _module = module;
        _device = device;
        _build = null;
    }

    /// <summary>The saved "Network" entry of a model whose module was not built; null otherwise.</summary>
    public byte[]? NetworkEntry { get; }

    public NetworkArchitecture Architecture { get; }

    public NetworkHead Head { get; }

    /// <summary>Values per encoded input row.</summary>
    public int InputSize { get; }

    public string FeatureColumnName { get; }

    public int ScoringBatchSize { get; }

    public TrainingHistory History { get; }

    /// <summary>Where the module lives and scores (builds the module).</summary>
    public Device Device
    {
        get
        {
            _ = Module;
            return _device!;
        }
    }

    /// <summary>True when the module scores on the CPU, or was not built (then ONNX Runtime scores on the CPU).</summary>
    public bool OnCpu
    {
        get
        {
            lock (_gate)
                return _module is null || IsCpu(_device!);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsCpu(Device device) => device.type == TorchSharp.DeviceType.CPU;

    public long ParameterCount
    {
        get
        {
            lock (_gate)
                return _parameterCount ??= Count(Module);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Count(nn.Module<Tensor, Tensor> module) => module.parameters().Sum(p => p.numel());

    /// <summary>Frees the module if it was built.</summary>
    public void DisposeModule()
    {
        lock (_gate)
        {
            _module?.Dispose();
            _build = null;
        }
    }

    /// <summary>
    /// The device the fit or the load was asked for (the options' Device, else MLContext.GpuDeviceId, else Auto), before
    /// libtorch resolved it into <see cref="Device"/>: ONNX Runtime's execution provider follows it where the module is on
    /// the CPU or not built. Not saved: a load asks its own MLContext.
    /// </summary>
    public ComputeDevice RequestedDevice { get; init; } = ComputeDevice.Auto;

    /// <summary>The CUDA device the module lives on; null when it is on the CPU or was not built.</summary>
    public int? CudaDevice
    {
        get
        {
            lock (_gate)
                return _module is null ? null : CudaIndex(_device!);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int? CudaIndex(Device device) => device.type == TorchSharp.DeviceType.CUDA ? Math.Max(0, device.index) : null;

    /// <summary>The network's ONNX graph as read from a model file (see <see cref="Scoring.NetworkGraph"/>); null when the file has none.</summary>
    public byte[]? OnnxGraph { get; init; }
}
