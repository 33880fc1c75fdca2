using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Onnx;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// How a forecaster that reads more than its window lays out its encoded row and the sequence its network reads. The row
/// (as <see cref="Data.TabularEncoder"/> writes it): the window (lookback values), the past covariates (lookback × past
/// width, step by step), the known-future covariates ((lookback + horizon) × future width), then the series key. The
/// network reads a sequence of <see cref="Steps"/> steps of <see cref="Channels"/> values, flattened step by step: the
/// scaled value (0 on future steps), the past covariates (0 on future steps), the future covariates and a flag that is 1
/// on future steps (both only with future covariates; then the sequence runs on over the horizon), and the series'
/// embedding on every step. An MLP reads it as one vector, an RNN or a Transformer step by step.
/// </summary>
/// <param name="Lookback">Values per window.</param>
/// <param name="Horizon">Steps forecast.</param>
/// <param name="PastWidth">Past covariate values per step (0 for none).</param>
/// <param name="FutureWidth">Known-future covariate values per step (0 for none).</param>
/// <param name="EmbeddingSize">The series embedding's size (0 without a series id).</param>
internal sealed record ForecastLayout(int Lookback, int Horizon, int PastWidth, int FutureWidth, int EmbeddingSize)
{
    /// <summary>Whether the sequence runs on over the horizon (there are known-future covariates).</summary>
    public bool HasFuture => FutureWidth > 0;

    /// <summary>Steps of the network's sequence: the lookback, and the horizon with future covariates.</summary>
    public int Steps => Lookback + (HasFuture ? Horizon : 0);

    /// <summary>Values per step of the network's sequence.</summary>
    public int Channels => 1 + PastWidth + FutureWidth + (HasFuture ? 1 : 0) + EmbeddingSize;

    /// <summary>The network's input width.</summary>
    public int SequenceWidth => Steps * Channels;

    private int PastSize => Lookback * PastWidth;

    private int FutureStart => Lookback + PastSize;

    private int FutureSize => (Lookback + Horizon) * FutureWidth;

    /// <summary>The position of the series key in the encoded row.</summary>
    private int KeyIndex => FutureStart + FutureSize;

    /// <summary>The encoded row's width.</summary>
    public int RowWidth => KeyIndex + (EmbeddingSize > 0 ? 1 : 0);

    /// <summary>1 on the future steps, else 0.</summary>
    private float[] FutureFlags => Enumerable.Range(0, Steps).Select(step => step >= Lookback ? 1f : 0f).ToArray();

    /// <summary>Each encoded row's series key [rows] as Int64 (0 for the missing key), for the embedding and per-series offsets.</summary>
    public Tensor SeriesKeys(Tensor encoded) => encoded.select(1, KeyIndex).to(ScalarType.Int64);

    /// <summary><see cref="SeriesKeys"/> in an ONNX graph: [batch] Int64.</summary>
    public string ExportSeriesKeys(OnnxGraph graph, string encoded) => graph.Cast(graph.GatherAt(encoded, 1, KeyIndex), OnnxGraph.Types.Int64);

    /// <summary>The network's input [rows, <see cref="SequenceWidth"/>] from the scaled window, the standardized row and the series' embeddings (null without).</summary>
    public Tensor Sequence(Tensor scaledWindow, Tensor standardized, Tensor? embedded)
    {
        using var scope = NewDisposeScope();
        long rows = scaledWindow.shape[0];
        int pad = Steps - Lookback;
        Tensor Pad(Tensor steps) => pad == 0 ? steps : cat([steps, zeros(rows, pad, steps.shape[2], device: steps.device)], 1);
        var parts = new List<Tensor> { Pad(scaledWindow.unsqueeze(2)) };
        if (PastWidth > 0)
            parts.Add(Pad(standardized.narrow(1, Lookback, PastSize).view(rows, Lookback, PastWidth)));
        if (HasFuture)
        {
            parts.Add(standardized.narrow(1, FutureStart, FutureSize).view(rows, Steps, FutureWidth));
            parts.Add(tensor(FutureFlags, device: scaledWindow.device).view(1, Steps, 1).expand(rows, Steps, 1));
        }
        if (embedded is not null)
            parts.Add(embedded.unsqueeze(1).expand(rows, Steps, EmbeddingSize));
        return cat(parts, 2).reshape(rows, SequenceWidth).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="Sequence"/> in an ONNX graph; <paramref name="rows"/> is the encoded row (finite), only used for its batch size.</summary>
    public string ExportSequence(OnnxGraph graph, string rows, string scaledWindow, string standardized, string? embedded)
    {
        int pad = Steps - Lookback;
        // Zeros [batch, n]: column 0 of the row repeated n times, times 0 (the rows are checked finite before scoring).
        string Zeros(int n) => graph.Mul(graph.Gather(rows, 1, new long[n]), graph.Float(0f, "zero"));
        string Pad(string steps, int width) => pad == 0 ? steps : graph.Concat(1, steps, Zeros(pad * width));
        var parts = new List<string> { graph.Reshape(Pad(scaledWindow, 1), -1, Steps, 1) };
        if (PastWidth > 0)
            parts.Add(graph.Reshape(Pad(graph.Gather(standardized, 1, ForecastModule.Positions(Lookback, PastSize)), PastWidth), -1, Steps, PastWidth));
        if (HasFuture)
        {
            parts.Add(graph.Reshape(graph.Gather(standardized, 1, ForecastModule.Positions(FutureStart, FutureSize)), -1, Steps, FutureWidth));
            parts.Add(graph.Reshape(graph.Add(Zeros(Steps), graph.Floats(FutureFlags, [1, Steps], "future_flags")), -1, Steps, 1));
        }
        if (embedded is not null)
        {
            var tiled = Enumerable.Range(0, Steps).SelectMany(_ => Enumerable.Range(0, EmbeddingSize)).Select(i => (long)i).ToArray();
            parts.Add(graph.Reshape(graph.Gather(embedded, 1, tiled), -1, Steps, EmbeddingSize));
        }
        return graph.Reshape(graph.Concat(2, [.. parts]), -1, SequenceWidth);
    }
}
