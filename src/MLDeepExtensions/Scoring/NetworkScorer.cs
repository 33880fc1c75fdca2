using MLDeepExtensions.Model;
using System;
using System.Linq;
using System.Runtime.InteropServices;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Onnx;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// Scores batches of encoded feature rows with the network and its head's post-processing, writing per row the values
/// of every output column, through the engine asked for: libtorch (the module, in eval mode, no gradients) or ONNX
/// Runtime (the network's ONNX graph, read from its file or exported once from the module, on the execution provider
/// <see cref="ExecutionProviderChooser"/> picks). Owns the module and the ONNX Runtime session.
/// </summary>
internal sealed class NetworkScorer : IDisposable
{
    private readonly NetworkModel _network;
    private readonly NetworkHead _head;
    private readonly IChannelProvider _log;
    private readonly object _onnxGate = new();
    private byte[]? _graph;
    private bool _exported;
    private bool _onnxBuilt;
    private OnnxRuntimeEngine? _onnx;
    private Exception? _onnxError;

    /// <param name="network">The network: its module (built when first needed by a loaded model) and the ONNX graph read from its file, if any.</param>
    /// <param name="log">Where the ONNX Runtime session's execution provider is logged (once, when the session opens).</param>
    public NetworkScorer(NetworkModel network, IChannelProvider log)
    {
        _network = network;
        _log = log;
        _head = network.Head;
        _graph = network.OnnxGraph;
        InputSize = network.InputSize;
        OutputWidth = network.Head.OutputWidth;
    }

    /// <summary>The engine asked for (<see cref="ScoringEngine.Auto"/> by default); readers created afterwards use it.</summary>
    public ScoringEngine Requested { get; set; }

    /// <summary>
    /// The engine that scores: <see cref="Requested"/> resolved. Auto: ONNX Runtime when the network exports and its module
    /// is on the CPU (or not built), or is on a GPU that ONNX Runtime's CUDA provider runs on too; libtorch otherwise.
    /// </summary>
    public ScoringEngine Active => Requested switch
    {
        ScoringEngine.Torch => ScoringEngine.Torch,
        ScoringEngine.OnnxRuntime => Onnx() is not null ? ScoringEngine.OnnxRuntime
            : throw new NotSupportedException($"This {OwnerName} cannot score with ONNX Runtime: its network has no ONNX graph that ONNX Runtime runs " +
                $"({_onnxError!.Message}). Use ScoringEngine.Torch or ScoringEngine.Auto.", _onnxError),
        _ => AutoUsesOnnxRuntime() ? ScoringEngine.OnnxRuntime : ScoringEngine.Torch,
    };

    /// <summary>The execution provider of the ONNX Runtime session when <see cref="Active"/> is ONNX Runtime; null when libtorch scores.</summary>
    public ExecutionProviderChoice? ActiveProvider => Active == ScoringEngine.OnnxRuntime ? _onnx!.Provider : null;

    private bool AutoUsesOnnxRuntime()
    {
        if (_network.OnCpu)
            return Onnx() is not null;
        // A module on a GPU keeps libtorch there unless ONNX Runtime gets the GPU too; without a CUDA provider, no session is opened.
        return OnnxRuntimeEngine.AvailableProviders.Contains(ExecutionProviderChooser.CudaProviderName)
            && Onnx() is { Provider.Provider: OnnxExecutionProvider.Cuda };
    }

    /// <summary>The ONNX Runtime engine, built from the module on first use; null when the network cannot be exported.</summary>
    private OnnxRuntimeEngine? Onnx()
    {
        lock (_onnxGate)
        {
            ThrowIfDisposed();
            if (!_onnxBuilt)
            {
                _onnxBuilt = true;
                try
                {
                    if (Graph() is { } graph)
                    {
                        var (cudaDevice, why) = ExecutionProviderChooser.Request(_network.RequestedDevice, _network.CudaDevice);
                        _onnx = new OnnxRuntimeEngine(graph, InputSize, OutputWidth, cudaDevice, why);
                        LogProvider(_onnx.Provider);
                    }
                }
                catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
                {
                    // Auto scores with libtorch instead; OnnxRuntime says why it cannot.
                    _onnxError = e;
                }
            }
            return _onnx;
        }
    }

    /// <summary>One line: where ONNX Runtime runs this network and why; a warning when a GPU was tried and failed.</summary>
    private void LogProvider(ExecutionProviderChoice provider)
    {
        string message = provider.Provider == OnnxExecutionProvider.Cpu && _network.CudaDevice is int device && Requested == ScoringEngine.Auto
            ? $"ONNX Runtime would score this {OwnerName} on {provider}; ScoringEngine.Auto scores it with libtorch on cuda:{device} instead."
            : $"ONNX Runtime scores this {OwnerName} on {provider}.";
        using var channel = _log.Start("Scoring");
        if (provider.FellBack)
            channel.Warning(message);
        else
            channel.Info(message);
    }

    /// <summary>The network's ONNX graph (read from its file, or exported once from the module); null when it cannot be exported.</summary>
    private byte[]? Graph()
    {
        lock (_onnxGate)
        {
            if (_graph is null && !_exported)
            {
                _exported = true;
                try
                {
                    _graph = NetworkGraph.Export(this, _head.Columns.Select(c => c.Width).ToArray());
                }
                catch (NotSupportedException e)
                {
                    _onnxError = e;
                }
            }
            return _graph;
        }
    }

    /// <summary>The graph to save with the model: exported now if it was not yet; null for a network that cannot be exported.</summary>
    public byte[]? GraphForSaving()
    {
        ThrowIfDisposed();
        return Graph();
    }

    /// <summary>A buffer of <paramref name="capacity"/> rows for one reader, scored by the <see cref="Active"/> engine.</summary>
    public InputBatch CreateBatch(int capacity)
        => new CheckedInputBatch(Active == ScoringEngine.OnnxRuntime ? _onnx!.CreateBatch(capacity) : CreateTorchBatch(capacity), _head);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private InputBatch CreateTorchBatch(int capacity)
    {
        _ = _network.Module; // a model loaded without libtorch builds its module here, or says what to add
        return new TorchInputBatch(this, capacity);
    }

    public int InputSize { get; }

    public int OutputWidth { get; }

    public bool IsDisposed { get; private set; }

    /// <summary>The public type that owns this scorer, named when it is used after disposal.</summary>
    public string OwnerName { get; set; } = nameof(NetworkScorer);

    /// <summary>Scores the first <paramref name="rows"/> rows of <paramref name="input"/> (a CPU buffer) with libtorch into <paramref name="outputs"/> (rows × OutputWidth).</summary>
    public void ScoreWithTorch(Tensor input, int rows, float[] outputs)
    {
        ThrowIfDisposed();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = input.shape[0] == rows ? input : input.narrow(0, 0, rows);
        var module = _network.Module;
        var device = _network.Device;
        if (device.type != DeviceType.CPU)
            batch = batch.to(device);
        var result = _head.Score(module, batch).cpu().contiguous();
        MemoryMarshal.Cast<byte, float>(result.bytes).CopyTo(outputs);
    }

    /// <summary>Scores <paramref name="rows"/> rows held in <paramref name="features"/> (rows × InputSize).</summary>
    public void Score(ReadOnlySpan<float> features, int rows, float[] outputs)
    {
        _head.CheckInputs(features[..(rows * InputSize)], InputSize);
        if (Active == ScoringEngine.OnnxRuntime)
        {
            _onnx!.Score(features, rows, outputs);
            return;
        }
        ScoreWithTorch(features, rows, outputs);
    }

    // Apart, so that scoring with ONNX Runtime never compiles a call into TorchSharp.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ScoreWithTorch(ReadOnlySpan<float> features, int rows, float[] outputs)
    {
        _ = _network.Module; // a model loaded without libtorch builds its module here, or says what to add
        using var input = empty(rows, InputSize);
        features[..(rows * InputSize)].CopyTo(MemoryMarshal.Cast<byte, float>(input.bytes));
        ScoreWithTorch(input, rows, outputs);
    }

    /// <summary>The output columns' values in an ONNX graph, from the encoded <paramref name="rows"/>; see <see cref="NetworkHead.ExportOnnx"/>.</summary>
    public string[] ExportOnnx(OnnxGraph graph, string rows)
    {
        ThrowIfDisposed();
        using var noGrad = no_grad();
        return _head.ExportOnnx(graph, _network.Module, rows, InputSize);
    }

    /// <summary>What using a disposed transformer says, including the way people dispose one without meaning to.</summary>
    public static string DisposedMessage(string owner)
        => $"This {owner} was disposed, which freed its network; load or train it again. Note that disposing a PredictionEngine " +
           "disposes the model it was created from (ML.NET's default for disposable models): create engines with " +
           "new PredictionEngineOptions { OwnsTransformer = false } when the model is used after the engine.";

    private void ThrowIfDisposed()
    {
        if (IsDisposed)
            throw new ObjectDisposedException(OwnerName, DisposedMessage(OwnerName));
    }

    /// <summary>Frees the module and the ONNX Runtime session; later calls to Score throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_onnxGate)
        {
            if (IsDisposed)
                return;
            IsDisposed = true;
            _network.DisposeModule();
            _onnx?.Dispose();
        }
    }
}
