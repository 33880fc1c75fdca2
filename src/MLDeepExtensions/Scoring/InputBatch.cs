using System;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// A buffer of encoded rows that one reader (a cursor) fills and has scored, owned by that reader. Each engine keeps
/// the rows where its forward pass reads them, so filling the buffer is the only copy.
/// </summary>
internal abstract class InputBatch : IDisposable
{
    protected InputBatch(int capacity, int inputSize)
    {
        Capacity = capacity;
        InputSize = inputSize;
    }

    /// <summary>Rows the buffer holds at most.</summary>
    public int Capacity { get; }

    /// <summary>Values per row.</summary>
    public int InputSize { get; }

    /// <summary>The buffer's rows, Capacity × InputSize values, to fill.</summary>
    public abstract Span<float> Rows { get; }

    /// <summary>Scores the first <paramref name="rows"/> rows into <paramref name="outputs"/> (rows × the scorer's output size).</summary>
    public abstract void Score(int rows, float[] outputs);

    public abstract void Dispose();
}

/// <summary>Rows in a CPU tensor that libtorch reads directly.</summary>
internal sealed class TorchInputBatch(NetworkScorer scorer, int capacity) : InputBatch(capacity, scorer.InputSize)
{
    private readonly Tensor _rows = empty(capacity, scorer.InputSize);

    public override Span<float> Rows => MemoryMarshal.Cast<byte, float>(_rows.bytes);

    public override void Score(int rows, float[] outputs) => scorer.ScoreWithTorch(_rows, rows, outputs);

    public override void Dispose() => _rows.Dispose();
}

/// <summary>An engine's batch whose rows the head checks on the CPU before they are scored (<see cref="Heads.NetworkHead.CheckInputs"/>).</summary>
internal sealed class CheckedInputBatch(InputBatch inner, Heads.NetworkHead head) : InputBatch(inner.Capacity, inner.InputSize)
{
    public override Span<float> Rows => inner.Rows;

    public override void Score(int rows, float[] outputs)
    {
        head.CheckInputs(inner.Rows[..(rows * InputSize)], InputSize);
        inner.Score(rows, outputs);
    }

    public override void Dispose() => inner.Dispose();
}
