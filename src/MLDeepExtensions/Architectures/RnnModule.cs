using MLDeepExtensions.Data;
using System;
using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The module behind <see cref="RnnArchitecture"/>. Reads encoded rows (see the sequence encoders), trims each batch
/// to its longest sequence, packs variable-length batches so padding is never computed on, pools, and runs the
/// dense head. Saved weight keys: "embedding.weight" (tokens), "rnn.weight_ih_l{k}[_reverse]" and the other weights of
/// TorchSharp's recurrent layers, "head.dense{i}.*" and "head.output.*" (see DenseStack). Renaming breaks saved models.
/// </summary>
internal sealed class RnnModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    private readonly SequenceInput _input;
    private readonly RecurrentCell _cell;
    private readonly SequencePooling _pooling;
    private readonly int _layers;
    private readonly int _directions;
    private readonly int _hiddenSize;

    // Field names are part of the saved weight keys ("embedding.weight", "rnn.weight_ih_l0", "head.output.bias", …).
    private readonly Embedding? embedding;
    private readonly nn.Module rnn;
    private readonly Sequential head;

    public RnnModule(RnnArchitecture architecture, SequenceInput input, int outputSize)
        : base(nameof(RnnModule))
    {
        _input = input;
        _cell = architecture.Cell;
        _pooling = architecture.Pooling;
        _layers = architecture.RecurrentLayers;
        _directions = architecture.Bidirectional ? 2 : 1;
        _hiddenSize = architecture.HiddenSize;
        if (input.Kind == SequenceInputKind.Tokens)
            embedding = nn.Embedding(input.EmbeddingRows, input.Features, padding_idx: 0);
        int inputFeatures = input.Features, hidden = architecture.HiddenSize;
        double dropout = architecture.RecurrentLayers > 1 ? architecture.RecurrentDropout : 0;
        rnn = architecture.Cell switch
        {
            RecurrentCell.Lstm => nn.LSTM(inputFeatures, hidden, _layers, batchFirst: true, dropout: dropout, bidirectional: architecture.Bidirectional),
            RecurrentCell.Gru => nn.GRU(inputFeatures, hidden, _layers, batchFirst: true, dropout: dropout, bidirectional: architecture.Bidirectional),
            _ => nn.RNN(inputFeatures, hidden, _layers, batchFirst: true, dropout: dropout, bidirectional: architecture.Bidirectional),
        };
        // Built after the recurrent layers, so that a seed initialises every layer as it always has.
        var dense = DenseStack.Layers(hidden * _directions, architecture.HiddenLayers, outputSize, DenseStack.Head(architecture.Activation, architecture.Dropout));
        head = nn.Sequential(dense);
        RegisterComponents();
    }

    public override Tensor forward(Tensor rows)
    {
        using var scope = NewDisposeScope();
        long batch = rows.shape[0];
        Tensor sequence;
        Tensor? lengths = null;
        if (_input.Kind == SequenceInputKind.Fixed)
        {
            sequence = rows.view(batch, _input.Steps, _input.Features);
        }
        else
        {
            lengths = rows.select(1, 0).to_type(ScalarType.Int64);
            long longest = lengths.max().item<long>();
            var values = rows.narrow(1, 1, rows.shape[1] - 1);
            sequence = _input.Kind == SequenceInputKind.Variable
                ? values.view(batch, _input.Steps, _input.Features).narrow(1, 0, longest)
                : embedding!.call(values.narrow(1, 0, longest).to_type(ScalarType.Int64));
        }

        var (outputs, finalHidden) = Run(sequence, lengths);
        var pooled = _pooling switch
        {
            SequencePooling.Last => finalHidden.view(_layers, _directions, batch, -1)[-1].permute(1, 0, 2).reshape(batch, -1),
            SequencePooling.Mean => lengths is null ? outputs.mean(new long[] { 1 }) : outputs.sum(1) / lengths.unsqueeze(1).to(outputs.dtype).to(outputs.device),
            _ => MaskedMax(outputs, lengths),
        };
        return head.forward(pooled).MoveToOuterDisposeScope();
    }

    /// <summary>Runs the recurrent layers; packs the batch when lengths vary. Returns per-step outputs (zero at padding) and h_n.</summary>
    private (Tensor Outputs, Tensor FinalHidden) Run(Tensor sequence, Tensor? lengths)
    {
        if (lengths is null)
        {
            return _cell switch
            {
                RecurrentCell.Lstm => ((LSTM)rnn).call(sequence) is var (o, h, _) ? (o, h) : default,
                RecurrentCell.Gru => ((GRU)rnn).call(sequence),
                _ => ((RNN)rnn).call(sequence),
            };
        }
        var packed = nn.utils.rnn.pack_padded_sequence(sequence, lengths.cpu(), batch_first: true, enforce_sorted: false);
        (nn.utils.rnn.PackedSequence output, Tensor hidden) = _cell switch
        {
            RecurrentCell.Lstm => ((LSTM)rnn).call(packed) is var (o, h, _) ? (o, h) : default,
            RecurrentCell.Gru => ((GRU)rnn).call(packed),
            _ => ((RNN)rnn).call(packed),
        };
        var (padded, _) = nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: sequence.shape[1]);
        output.Dispose();
        packed.Dispose();
        return (padded, hidden);
    }

    /// <summary>
    /// The forward in ONNX: ONNX's RNN, GRU or LSTM op per layer (time-major, so the batch-first rows are transposed),
    /// PyTorch's gate order rearranged to ONNX's, variable lengths through sequence_lens (so padding is never computed
    /// on, as with packing), pooling masked to each row's steps, then the dense head.
    /// </summary>
    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize)
    {
        string sequence;
        string? lengths = null;
        if (_input.Kind == SequenceInputKind.Fixed)
        {
            sequence = graph.Reshape(rows, -1, _input.Steps, _input.Features);
        }
        else
        {
            lengths = graph.Gather(rows, 1, 0);
            var values = graph.Gather(rows, 1, Enumerable.Range(1, inputSize - 1).Select(i => (long)i).ToArray());
            sequence = _input.Kind == SequenceInputKind.Variable
                ? graph.Reshape(values, -1, _input.Steps, _input.Features)
                : graph.Gather(graph.Weights(embedding!.weight!, "embedding.weight"), graph.Cast(values, OnnxGraph.Types.Int64), 0);
        }
        string? sequenceLengths = lengths is null ? null : graph.Cast(graph.Squeeze(lengths, 1), OnnxGraph.Types.Int32);
        string x = graph.Transpose(sequence, 1, 0, 2);
        string y = x, finalHidden = x;
        for (int layer = 0; layer < _layers; layer++)
        {
            (y, finalHidden) = ExportLayer(graph, x, sequenceLengths, layer);
            // [steps, directions, batch, hidden] → [steps, batch, directions × hidden], the next layer's input.
            x = graph.Reshape(graph.Transpose(y, 0, 2, 1, 3), 0, 0, -1);
        }
        string pooled;
        if (_pooling == SequencePooling.Last)
        {
            pooled = graph.Reshape(graph.Transpose(finalHidden, 1, 0, 2), 0, -1);
        }
        else
        {
            string outputs = graph.Transpose(x, 1, 0, 2);
            string? mask = null;
            if (lengths is not null)
            {
                var steps = graph.Floats(Enumerable.Range(0, _input.Steps).Select(i => (float)i).ToArray(), [1, _input.Steps], "steps");
                mask = graph.Unsqueeze(graph.Op("Less", [steps, lengths]), 2);
            }
            if (_pooling == SequencePooling.Mean)
                pooled = mask is null
                    ? graph.Op("ReduceMean", outputs, ("axes", new[] { 1L }), ("keepdims", 0L))
                    : graph.Div(graph.ReduceSum(graph.Mul(outputs, graph.Cast(mask, OnnxGraph.Types.Float)), 1, keep: false), lengths!);
            else
                pooled = graph.Op("ReduceMax", mask is null ? outputs : graph.Where(mask, outputs, graph.Float(float.NegativeInfinity)), ("axes", new[] { 1L }), ("keepdims", 0L));
        }
        return OnnxLayers.Sequential(graph, head, pooled, [(long)(_hiddenSize) * _directions]).Output;
    }

    /// <summary>One recurrent layer as ONNX's op: returns Y [steps, directions, batch, hidden] and Y_h [directions, batch, hidden].</summary>
    private (string Y, string FinalHidden) ExportLayer(OnnxGraph graph, string x, string? sequenceLengths, int layer)
    {
        using var scope = NewDisposeScope();
        // PyTorch stacks the gates i,f,g,o (LSTM) and r,z,n (GRU); ONNX wants i,o,f,c and z,r,h.
        int[] order = _cell switch
        {
            RecurrentCell.Lstm => [0, 3, 1, 2],
            RecurrentCell.Gru => [1, 0, 2],
            _ => [0],
        };
        var parameters = rnn.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        Tensor Stack(string kind) => stack(Enumerable.Range(0, _directions).Select(d =>
        {
            var gates = parameters[$"{kind}_l{layer}{(d == 1 ? "_reverse" : "")}"].chunk(order.Length, 0);
            return cat(order.Select(g => gates[g]).ToArray(), 0);
        }).ToArray());
        string w = graph.Weights(Stack("weight_ih"), $"rnn.W{layer}");
        string r = graph.Weights(Stack("weight_hh"), $"rnn.R{layer}");
        string b = graph.Weights(cat([Stack("bias_ih"), Stack("bias_hh")], 1), $"rnn.B{layer}");
        string op = _cell switch { RecurrentCell.Lstm => "LSTM", RecurrentCell.Gru => "GRU", _ => "RNN" };
        var attributes = new List<(string, object)>
        {
            ("hidden_size", (long)_hiddenSize),
            ("direction", _directions == 2 ? "bidirectional" : "forward"),
        };
        if (_cell == RecurrentCell.Gru)
            attributes.Add(("linear_before_reset", 1L));
        var outputs = graph.Op(op, [x, w, r, b, sequenceLengths ?? ""], 2, attributes.ToArray());
        return (outputs[0], outputs[1]);
    }

    private static Tensor MaskedMax(Tensor outputs, Tensor? lengths)
    {
        if (lengths is null)
            return outputs.max(1).values;
        var steps = arange(outputs.shape[1], device: outputs.device).unsqueeze(0);
        var padding = steps.ge(lengths.to(outputs.device).unsqueeze(1)).unsqueeze(2);
        return outputs.masked_fill(padding, float.NegativeInfinity).max(1).values;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            embedding?.Dispose();
            rnn.Dispose();
            head.Dispose();
        }
        base.Dispose(disposing);
    }
}
