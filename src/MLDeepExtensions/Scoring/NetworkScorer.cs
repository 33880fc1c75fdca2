using System;
using System.Runtime.InteropServices;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// Runs a trained module and its head's post-processing on batches of encoded feature rows (eval mode, no gradients)
/// and writes, per row, the values of every output column. Owns the module.
/// </summary>
internal sealed class NetworkScorer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly NetworkHead _head;
    private readonly Device _device;

    /// <param name="module">The module, in eval mode; disposed with the scorer.</param>
    /// <param name="head">Turns the module's output into the output columns' values.</param>
    /// <param name="inputSize">Values per input row.</param>
    /// <param name="device">Where the module lives.</param>
    public NetworkScorer(nn.Module<Tensor, Tensor> module, NetworkHead head, int inputSize, Device device)
    {
        _module = module;
        _head = head;
        _device = device;
        InputSize = inputSize;
        OutputSize = head.OutputWidth;
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    public bool IsDisposed { get; private set; }

    /// <summary>The public type that owns this scorer, named when it is used after disposal.</summary>
    public string OwnerName { get; set; } = nameof(NetworkScorer);

    /// <summary>A CPU tensor of <paramref name="rows"/> × InputSize for callers to fill and pass to <see cref="Score(Tensor, int, float[])"/>.</summary>
    public Tensor CreateInputBuffer(int rows) => empty(rows, InputSize);

    /// <summary>Scores the first <paramref name="rows"/> rows of <paramref name="input"/> (a CPU buffer) into <paramref name="outputs"/> (rows × OutputSize).</summary>
    public void Score(Tensor input, int rows, float[] outputs)
    {
        if (IsDisposed)
            throw new ObjectDisposedException(OwnerName, NetworkScorer.DisposedMessage(OwnerName));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = input.shape[0] == rows ? input : input.narrow(0, 0, rows);
        if (_device.type != DeviceType.CPU)
            batch = batch.to(_device);
        var result = _head.Score(_module, batch).cpu().contiguous();
        MemoryMarshal.Cast<byte, float>(result.bytes).CopyTo(outputs);
    }

    /// <summary>Scores <paramref name="rows"/> rows held in <paramref name="features"/> (rows × InputSize).</summary>
    public void Score(ReadOnlySpan<float> features, int rows, float[] outputs)
    {
        using var input = CreateInputBuffer(rows);
        features[..(rows * InputSize)].CopyTo(MemoryMarshal.Cast<byte, float>(input.bytes));
        Score(input, rows, outputs);
    }

    /// <summary>The output columns' values in an ONNX graph, from the encoded <paramref name="rows"/>; see <see cref="NetworkHead.ExportOnnx"/>.</summary>
    public string[] ExportOnnx(OnnxGraph graph, string rows)
    {
        if (IsDisposed)
            throw new ObjectDisposedException(OwnerName, NetworkScorer.DisposedMessage(OwnerName));
        using var noGrad = no_grad();
        return _head.ExportOnnx(graph, _module, rows, InputSize);
    }

    /// <summary>What using a disposed transformer says, including the way people dispose one without meaning to.</summary>
    public static string DisposedMessage(string owner)
        => $"This {owner} was disposed, which freed its network; load or train it again. Note that disposing a PredictionEngine " +
           "disposes the model it was created from (ML.NET's default for disposable models): create engines with " +
           "new PredictionEngineOptions { OwnsTransformer = false } when the model is used after the engine.";

    /// <summary>Frees the module; later calls to Score throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        _module.Dispose();
    }
}
