using System;
using System.Collections.Generic;
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
internal sealed class RnnModule : nn.Module<Tensor, Tensor>
{
    private readonly SequenceInput _input;
    private readonly RecurrentCell _cell;
    private readonly SequencePooling _pooling;
    private readonly int _layers;
    private readonly int _directions;

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
                : embedding!.forward(values.narrow(1, 0, longest).to_type(ScalarType.Int64));
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
