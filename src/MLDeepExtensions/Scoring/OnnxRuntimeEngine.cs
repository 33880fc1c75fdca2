using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// Scores encoded rows with ONNX Runtime, on the network's graph (input [rows, InputSize], output [rows, OutputWidth]:
/// every output column's values, as <see cref="NetworkScorer"/> writes them). One session per model, shared by every
/// reader and thread (ONNX Runtime's Run is thread-safe); each reader has its own buffers (<see cref="CreateBatch"/>).
/// </summary>
internal sealed class OnnxRuntimeEngine : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    /// <param name="graph">The ONNX model (see <see cref="NetworkGraph"/>).</param>
    /// <param name="inputSize">Values per encoded row.</param>
    /// <param name="outputWidth">Values per scored row.</param>
    /// <param name="cudaDevice">The GPU to run on when this ONNX Runtime build can (see <see cref="ExecutionProviderChooser"/>); null for the CPU.</param>
    /// <param name="why">What asked for that device, for <see cref="Provider"/>'s reason.</param>
    public OnnxRuntimeEngine(byte[] graph, int inputSize, int outputWidth, int? cudaDevice, string why)
    {
        InputSize = inputSize;
        OutputWidth = outputWidth;
        InferenceSession? session = null;
        Provider = ExecutionProviderChooser.Choose(cudaDevice, why, AvailableProviders, device => session = Open(graph, device));
        _session = session ?? Open(graph, null);
        try
        {
            _inputNames = [Single(_session.InputMetadata.Keys, NetworkGraph.InputName, "input")];
            _outputNames = [Single(_session.OutputMetadata.Keys, NetworkGraph.OutputName, "output")];
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The execution providers of the ONNX Runtime build loaded in this process (the same for its lifetime).</summary>
    public static IReadOnlyCollection<string> AvailableProviders => _availableProviders.Value;

    private static readonly Lazy<string[]> _availableProviders = new(() => OrtEnv.Instance().GetAvailableProviders());

    /// <summary>The execution provider the session runs on, and why.</summary>
    public ExecutionProviderChoice Provider { get; }

    /// <summary>A session on the graph, with the CUDA provider on <paramref name="cudaDevice"/> first when given (ONNX Runtime runs what CUDA cannot on the CPU).</summary>
    private static InferenceSession Open(byte[] graph, int? cudaDevice)
    {
        // One intra-op thread per logical processor, libtorch's own default: ONNX Runtime's own default counts physical
        // cores, which halved the batched throughput of an MLP on a 2-vCPU machine.
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        if (cudaDevice is int device)
            options.AppendExecutionProvider_CUDA(device);
        return new InferenceSession(graph, options);
    }

    public int InputSize { get; }

    public int OutputWidth { get; }

    private static string Single(IEnumerable<string> names, string column, string what)
        => names.FirstOrDefault(n => n == column || n.StartsWith(column + ".", StringComparison.Ordinal))
           ?? throw new System.IO.InvalidDataException($"The network's ONNX graph has no {what} for '{column}' (it has {string.Join(", ", names)}).");

    /// <summary>Buffers for one reader: rows to fill, and the outputs' memory, bound once for full batches.</summary>
    public InputBatch CreateBatch(int capacity) => new Batch(this, capacity);

    /// <summary>Scores <paramref name="rows"/> rows held in <paramref name="features"/> into <paramref name="outputs"/>.</summary>
    public void Score(ReadOnlySpan<float> features, int rows, float[] outputs)
    {
        using var batch = new Batch(this, rows);
        features[..(rows * InputSize)].CopyTo(batch.Rows);
        batch.Score(rows, outputs);
    }

    private void Run(OrtValue[] input, OrtValue[] output)
        => _session.Run(null, _inputNames, input, _outputNames, output);

    public void Dispose() => _session.Dispose();

    /// <summary>A reader's rows and the ONNX Runtime values that wrap them (full batches reuse theirs; a last, shorter batch wraps a slice).</summary>
    private sealed class Batch : InputBatch
    {
        private readonly OnnxRuntimeEngine _engine;
        private readonly float[] _storage;
        private readonly int _offset;
        private readonly OrtValue[] _input;
        private float[]? _boundOutputs;
        private OrtValue[]? _output;

        public Batch(OnnxRuntimeEngine engine, int capacity)
            : base(capacity, engine.InputSize)
        {
            _engine = engine;
            // The rows start on a 64-byte boundary, in memory that never moves: ONNX Runtime's kernels that read the input
            // directly (a forecaster's reductions) sum in another order when it starts elsewhere, so the same rows scored
            // from two buffers differed in the last bit.
            _storage = GC.AllocateArray<float>(capacity * engine.InputSize + Alignment / sizeof(float), pinned: true);
            long address = Marshal.UnsafeAddrOfPinnedArrayElement(_storage, 0).ToInt64();
            _offset = (int)((Alignment - address % Alignment) % Alignment) / sizeof(float);
            _input = [OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, RowMemory(capacity), [capacity, engine.InputSize])];
        }

        private const int Alignment = 64;

        private Memory<float> RowMemory(int rows) => _storage.AsMemory(_offset, rows * _engine.InputSize);

        public override Span<float> Rows => RowMemory(Capacity).Span;

        public override void Score(int rows, float[] outputs)
        {
            if (rows == Capacity && outputs.Length == rows * _engine.OutputWidth)
            {
                // Bound once per output array (a cursor and a one-row mapper keep theirs): a prediction allocates nothing here.
                if (!ReferenceEquals(_boundOutputs, outputs))
                {
                    _output?[0].Dispose();
                    _output = [OrtValue.CreateTensorValueFromMemory(outputs, [rows, _engine.OutputWidth])];
                    _boundOutputs = outputs;
                }
                _engine.Run(_input, _output!);
                return;
            }
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, RowMemory(rows), [rows, _engine.InputSize]);
            using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, outputs.AsMemory(0, rows * _engine.OutputWidth), [rows, _engine.OutputWidth]);
            _engine.Run([input], [output]);
        }

        public override void Dispose()
        {
            _input[0].Dispose();
            _output?[0].Dispose();
        }
    }
}
