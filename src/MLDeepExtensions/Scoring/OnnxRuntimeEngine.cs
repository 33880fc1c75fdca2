using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// Scores encoded rows with ONNX Runtime, on the network's graph (input [rows, InputSize], output [rows, OutputSize]:
/// every output column's values, as <see cref="NetworkScorer"/> writes them). One session per model, shared by every
/// reader and thread (ONNX Runtime's Run is thread-safe); each reader has its own buffers (<see cref="CreateBatch"/>).
/// </summary>
internal sealed class OnnxRuntimeEngine : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    /// <param name="graph">The ONNX model (see <see cref="Onnx.NetworkGraph"/>).</param>
    /// <param name="inputSize">Values per encoded row.</param>
    /// <param name="outputSize">Values per scored row.</param>
    public OnnxRuntimeEngine(byte[] graph, int inputSize, int outputSize)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(graph, options);
        _inputNames = [Single(_session.InputMetadata.Keys, Onnx.NetworkGraph.InputName, "input")];
        _outputNames = [Single(_session.OutputMetadata.Keys, Onnx.NetworkGraph.OutputName, "output")];
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    private static string Single(System.Collections.Generic.IEnumerable<string> names, string column, string what)
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

    private void Run(OrtValue input, OrtValue output)
        => _session.Run(null, _inputNames, [input], _outputNames, [output]);

    public void Dispose() => _session.Dispose();

    /// <summary>A reader's rows and the ONNX Runtime values that wrap them (full batches reuse theirs; a last, shorter batch wraps a slice).</summary>
    private sealed class Batch : InputBatch
    {
        private readonly OnnxRuntimeEngine _engine;
        private readonly float[] _rows;
        private readonly OrtValue _input;
        private float[]? _boundOutputs;
        private OrtValue? _output;

        public Batch(OnnxRuntimeEngine engine, int capacity)
            : base(capacity, engine.InputSize)
        {
            _engine = engine;
            _rows = new float[capacity * engine.InputSize];
            _input = OrtValue.CreateTensorValueFromMemory(_rows, [capacity, engine.InputSize]);
        }

        public override Span<float> Rows => _rows;

        public override void Score(int rows, float[] outputs)
        {
            if (rows == Capacity && outputs.Length == rows * _engine.OutputSize)
            {
                if (!ReferenceEquals(_boundOutputs, outputs))
                {
                    _output?.Dispose();
                    _output = OrtValue.CreateTensorValueFromMemory(outputs, [rows, _engine.OutputSize]);
                    _boundOutputs = outputs;
                }
                _engine.Run(_input, _output!);
                return;
            }
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _rows.AsMemory(0, rows * _engine.InputSize), [rows, _engine.InputSize]);
            using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, outputs.AsMemory(0, rows * _engine.OutputSize), [rows, _engine.OutputSize]);
            _engine.Run(input, output);
        }

        public override void Dispose()
        {
            _input.Dispose();
            _output?.Dispose();
        }
    }
}
