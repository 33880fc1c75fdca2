using MLDeepExtensions.Model;
using System;
using System.Linq;
using System.Runtime.InteropServices;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// Scores batches of encoded feature rows with the network and its head's post-processing, writing per row the values
/// of every output column, through the engine asked for: libtorch (the module, in eval mode, no gradients) or ONNX
/// Runtime (the network's ONNX graph, read from its file or exported once from the module). Owns the module and the
/// ONNX Runtime session.
/// </summary>
internal sealed class NetworkScorer : IDisposable
{
    private readonly NetworkModel _network;
    private readonly NetworkHead _head;
    private readonly object _onnxGate = new();
    private byte[]? _graph;
    private bool _exported;
    private bool _onnxBuilt;
    private OnnxRuntimeEngine? _onnx;
    private Exception? _onnxError;

    /// <param name="network">The network: its module (built when first needed by a loaded model) and the ONNX graph read from its file, if any.</param>
    public NetworkScorer(NetworkModel network)
    {
        _network = network;
        _head = network.Head;
        _graph = network.OnnxGraph;
        InputSize = network.InputSize;
        OutputWidth = network.Head.OutputWidth;
    }

    /// <summary>The engine asked for (<see cref="ScoringEngine.Auto"/> by default); readers created afterwards use it.</summary>
    public ScoringEngine Requested { get; set; }

    /// <summary>The engine that scores: <see cref="Requested"/> resolved (Auto: ONNX Runtime on the CPU when the network exports, else libtorch).</summary>
    public ScoringEngine Active => Requested switch
    {
        ScoringEngine.Torch => ScoringEngine.Torch,
        ScoringEngine.OnnxRuntime => Onnx() is not null ? ScoringEngine.OnnxRuntime
            : throw new NotSupportedException($"This {OwnerName} cannot score with ONNX Runtime: its network has no ONNX graph that ONNX Runtime runs " +
                $"({_onnxError!.Message}). Use ScoringEngine.Torch or ScoringEngine.Auto.", _onnxError),
        _ => _network.OnCpu && Onnx() is not null ? ScoringEngine.OnnxRuntime : ScoringEngine.Torch,
    };

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
                        _onnx = new OnnxRuntimeEngine(graph, InputSize, OutputWidth);
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
        => Active == ScoringEngine.OnnxRuntime ? _onnx!.CreateBatch(capacity) : CreateTorchBatch(capacity);

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
