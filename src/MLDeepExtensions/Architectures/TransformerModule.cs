using System;
using System.Linq;
using MLDeepExtensions.Data;
using MLDeepExtensions.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The module behind <see cref="TransformerArchitecture"/>. Reads encoded rows (see the sequence encoders), trims each
/// batch to its longest sequence, projects or embeds the steps, puts the class token first (ClassToken pooling), adds
/// the positions, runs the encoder layers with padded keys masked out, a final layer norm, pools over the real steps
/// and runs the dense head. Saved weight keys: "embedding.weight" (tokens) or "input_projection.weight/bias",
/// "class_token", "positions.weight" (learned), "layers.{i}.self_attn.in_proj_weight/in_proj_bias",
/// "layers.{i}.self_attn.out_proj.*", "layers.{i}.linear1.*", "layers.{i}.linear2.*", "layers.{i}.norm1.*",
/// "layers.{i}.norm2.*", "norm.*", "head.dense{i}.*", "head.output.*". Renaming breaks saved models.
/// </summary>
internal sealed class TransformerModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    private readonly SequenceInput _input;
    private readonly SequencePooling _pooling;
    private readonly int _modelSize;
    private readonly double _dropout;
    private readonly int _classTokens;
    private readonly Tensor? _sinusoids;

    // Field names are part of the saved weight keys: renaming breaks saved models.
    private readonly Embedding? embedding;
    private readonly Linear? input_projection;
    private readonly Parameter? class_token;
    private readonly Embedding? positions;
    private readonly ModuleList<EncoderLayer> layers;
    private readonly LayerNorm norm;
    private readonly Sequential head;

    public TransformerModule(TransformerArchitecture architecture, SequenceInput input, int outputSize)
        : base(nameof(TransformerModule))
    {
        _input = input;
        _pooling = architecture.Pooling;
        _modelSize = architecture.ModelSize;
        _dropout = architecture.EncoderDropout;
        _classTokens = _pooling == SequencePooling.ClassToken ? 1 : 0;
        int d = architecture.ModelSize, steps = input.Steps + _classTokens;
        if (input.Kind == SequenceInputKind.Tokens)
            embedding = nn.Embedding(input.EmbeddingRows, d, padding_idx: 0);
        else
            input_projection = nn.Linear(input.Features, d);
        if (_classTokens == 1)
        {
            using (var token = zeros(1, 1, d))
                class_token = new Parameter(token);
            // In a scope: TorchSharp's in-place initialisers hand back a tensor object of their own, freed with the scope.
            using (NewDisposeScope())
            using (no_grad())
                class_token.normal_(0, 0.02);
        }
        if (architecture.Positions == PositionEncoding.Learned)
        {
            positions = nn.Embedding(steps, d);
            using (NewDisposeScope())
            using (no_grad())
                positions.weight!.normal_(0, 0.02);
        }
        else
        {
            _sinusoids = Sinusoids(steps, d).DetachFromDisposeScope();
        }
        layers = nn.ModuleList(Enumerable.Range(0, architecture.EncoderLayers)
            .Select(_ => new EncoderLayer(d, architecture.Heads, architecture.FeedForwardSize, architecture.EncoderDropout)).ToArray());
        norm = nn.LayerNorm(d);
        head = nn.Sequential(DenseStack.Layers(d, architecture.HiddenLayers, outputSize, DenseStack.Head(architecture.Activation, architecture.Dropout)));
        RegisterComponents();
    }

    /// <summary>The original Transformer's encoding: sin at even, cos at odd values, wavelengths up to 10,000·2π.</summary>
    internal static Tensor Sinusoids(int steps, int size)
    {
        var table = new float[steps * size];
        for (int position = 0; position < steps; position++)
        {
            for (int i = 0; i < size; i++)
            {
                double angle = position / Math.Pow(10_000, 2 * (i / 2) / (double)size);
                table[position * size + i] = (float)(i % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
            }
        }
        return tensor(table, [steps, size]);
    }

    public override Tensor forward(Tensor rows)
    {
        using var scope = NewDisposeScope();
        long batch = rows.shape[0];
        Tensor steps;
        Tensor? lengths = null;
        if (_input.Kind == SequenceInputKind.Fixed)
        {
            steps = input_projection!.call(rows.view(batch, _input.Steps, _input.Features));
        }
        else
        {
            lengths = rows.select(1, 0).to_type(ScalarType.Int64);
            long longest = lengths.max().item<long>();
            var values = rows.narrow(1, 1, rows.shape[1] - 1);
            steps = _input.Kind == SequenceInputKind.Variable
                ? input_projection!.call(values.view(batch, _input.Steps, _input.Features).narrow(1, 0, longest))
                : embedding!.call(values.narrow(1, 0, longest).to_type(ScalarType.Int64));
        }
        if (class_token is not null)
            steps = cat([class_token.expand(batch, 1, _modelSize), steps], 1);
        long length = steps.shape[1];
        var positionTable = positions is not null ? positions.weight!.narrow(0, 0, length) : _sinusoids!.to(steps.device).narrow(0, 0, length);
        var x = nn.functional.dropout(steps + positionTable, _dropout, training);
        // True at padded steps (never at the class token), so attention and pooling skip them.
        Tensor? padding = lengths is null ? null : arange(length, device: x.device).unsqueeze(0).ge(lengths.to(x.device).unsqueeze(1) + _classTokens);
        foreach (var layer in layers)
            x = layer.call(x, padding);
        x = norm.call(x);
        return head.call(Pool(x, padding, lengths)).MoveToOuterDisposeScope();
    }

    private Tensor Pool(Tensor x, Tensor? padding, Tensor? lengths)
    {
        switch (_pooling)
        {
            case SequencePooling.ClassToken:
                return x.select(1, 0);
            case SequencePooling.Last:
                if (lengths is null)
                    return x.select(1, x.shape[1] - 1);
                var last = (lengths.to(x.device) - 1 + _classTokens).view(-1, 1, 1).expand(-1, 1, x.shape[2]);
                return x.gather(1, last).squeeze(1);
            case SequencePooling.Max:
                return (padding is null ? x : x.masked_fill(padding.unsqueeze(2), float.NegativeInfinity)).max(1).values;
            default:
                if (padding is null)
                    return x.mean([1]);
                var kept = padding.logical_not().unsqueeze(2).to(x.dtype);
                return (x * kept).sum(1) / kept.sum(1);
        }
    }

    /// <summary>
    /// The forward in ONNX (opset 9 on): the whole padded width (the engine cannot trim a batch), a mask of each row's
    /// real steps applied to the attention scores and the pooling, and every layer written out of MatMul, ReduceMean,
    /// Softmax and Erf: layer normalization and GELU have no op before opsets 17 and 20.
    /// </summary>
    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize)
    {
        string steps;
        string? lengths = null;
        if (_input.Kind == SequenceInputKind.Fixed)
        {
            steps = Linear(graph, input_projection!, graph.Reshape(rows, -1, _input.Steps, _input.Features), "input_projection");
        }
        else
        {
            lengths = graph.Gather(rows, 1, 0);
            var values = graph.Gather(rows, 1, Enumerable.Range(1, inputSize - 1).Select(i => (long)i).ToArray());
            steps = _input.Kind == SequenceInputKind.Variable
                ? Linear(graph, input_projection!, graph.Reshape(values, -1, _input.Steps, _input.Features), "input_projection")
                : graph.Gather(graph.Weights(embedding!.weight!, "embedding.weight"), graph.Cast(values, OnnxGraph.Types.Int64), 0);
        }
        int length = _input.Steps + _classTokens;
        if (class_token is not null)
            steps = PrependClassToken(graph, class_token, steps);
        using (NewDisposeScope())
        {
            var table = positions is not null ? positions.weight!.narrow(0, 0, length) : _sinusoids!.narrow(0, 0, length);
            steps = graph.Add(steps, graph.Weights(table, "positions"));
        }
        string? valid = null;
        if (lengths is not null)
        {
            // Step t of a row is real when t − (class token) < its length.
            var index = graph.Floats(Enumerable.Range(0, length).Select(t => (float)(t - _classTokens)).ToArray(), [1, length], "steps");
            valid = graph.Op("Less", [index, lengths]);
        }
        string x = steps;
        int i = 0;
        foreach (var layer in layers)
            x = ExportLayer(graph, layer, x, valid, $"layers.{i++}");
        x = LayerNorm(graph, norm, x, "norm");
        string pooled = _pooling switch
        {
            SequencePooling.ClassToken => graph.GatherAt(x, 1, 0),
            SequencePooling.Last when valid is null => graph.GatherAt(x, 1, length - 1),
            SequencePooling.Last => graph.ReduceSum(graph.Mul(x, OneHotLast(graph, lengths!, length)), 1, keep: false),
            SequencePooling.Max => graph.Op("ReduceMax", valid is null ? x : graph.Where(graph.Unsqueeze(valid, 2), x, graph.Float(float.NegativeInfinity)), ("axes", new[] { 1L }), ("keepdims", 0L)),
            _ when valid is null => graph.Op("ReduceMean", x, ("axes", new[] { 1L }), ("keepdims", 0L)),
            _ => graph.Div(graph.ReduceSum(graph.Mul(x, graph.Unsqueeze(graph.Cast(valid, OnnxGraph.Types.Float), 2)), 1, keep: false),
                graph.ReduceSum(graph.Cast(valid, OnnxGraph.Types.Float), 1, keep: true)),
        };
        return OnnxLayers.Sequential(graph, head, pooled, [_modelSize]).Output;
    }

    /// <summary>[batch, length, 1]: 1 at each row's last real step, 0 elsewhere.</summary>
    private string OneHotLast(OnnxGraph graph, string lengths, int length)
    {
        var index = graph.Floats(Enumerable.Range(0, length).Select(t => (float)(t - _classTokens + 1)).ToArray(), [1, length], "last");
        return graph.Unsqueeze(graph.Cast(graph.Op("Equal", [index, lengths]), OnnxGraph.Types.Float), 2);
    }

    /// <summary>
    /// <paramref name="classToken"/> [1, 1, d] put before the steps [batch, steps, d] in ONNX: a [batch, 1, d] row made of
    /// the first step times zero plus the token, so it takes the batch size from the data. Shared with <see cref="FtTransformerModule"/>.
    /// </summary>
    internal static string PrependClassToken(OnnxGraph graph, Tensor classToken, string steps)
        => graph.Concat(1, graph.Add(graph.Mul(graph.Gather(steps, 1, 0), graph.Float(0f)), graph.Weights(classToken, "class_token")), steps);

    /// <summary>One pre-norm encoder layer in ONNX, on [batch, steps, d]; <paramref name="valid"/> [batch, steps] masks padded keys (null: none). Shared with <see cref="FtTransformerModule"/>.</summary>
    internal static string ExportLayer(OnnxGraph graph, EncoderLayer layer, string x, string? valid, string name)
    {
        string attended = Attention(graph, layer.Attention, LayerNorm(graph, layer.Norm1, x, name + ".norm1"), valid, name + ".self_attn");
        x = graph.Add(x, attended);
        string inner = OnnxLayers.Gelu(graph, Linear(graph, layer.Linear1, LayerNorm(graph, layer.Norm2, x, name + ".norm2"), name + ".linear1"), tanhApproximation: false);
        return graph.Add(x, Linear(graph, layer.Linear2, inner, name + ".linear2"));
    }

    private static string Attention(OnnxGraph graph, SelfAttention attention, string x, string? valid, string name)
    {
        using var scope = NewDisposeScope();
        long d = attention.OutProjection.weight!.shape[0];
        int heads = attention.Heads;
        long size = d / heads;
        var weights = attention.InProjectionWeight.chunk(3, 0);
        var biases = attention.InProjectionBias.chunk(3, 0);
        string Project(int part, string what)
        {
            string projected = graph.Add(graph.Op("MatMul", [x, graph.Weights(weights[part].t().contiguous(), $"{name}.{what}.weight")]), graph.Weights(biases[part], $"{name}.{what}.bias"));
            return graph.Transpose(graph.Reshape(projected, 0, 0, heads, size), 0, 2, 1, 3); // [batch, heads, steps, size]
        }
        string q = Project(0, "q"), k = Project(1, "k"), v = Project(2, "v");
        string scores = graph.Div(graph.Op("MatMul", [q, graph.Transpose(k, 0, 1, 3, 2)]), graph.Float(MathF.Sqrt(size), "scale"));
        if (valid is not null)
            scores = graph.Where(graph.Unsqueeze(valid, 1, 2), scores, graph.Float(float.NegativeInfinity, "masked"));
        string probabilities = graph.Op("Softmax", scores, ("axis", 3L));
        string attended = graph.Reshape(graph.Transpose(graph.Op("MatMul", [probabilities, v]), 0, 2, 1, 3), 0, 0, d);
        return Linear(graph, attention.OutProjection, attended, name + ".out_proj");
    }

    /// <summary>A linear layer on the last axis of a tensor of any rank.</summary>
    private static string Linear(OnnxGraph graph, Linear linear, string x, string name)
    {
        using var scope = NewDisposeScope();
        string product = graph.Op("MatMul", [x, graph.Weights(linear.weight!.t().contiguous(), name + ".weight")]);
        return linear.bias is null ? product : graph.Add(product, graph.Weights(linear.bias, name + ".bias"));
    }

    /// <summary>Layer normalization over the last axis, as PyTorch computes it (biased variance, ε inside the root).</summary>
    internal static string LayerNorm(OnnxGraph graph, LayerNorm layer, string x, string name)
    {
        string centered = graph.Sub(x, graph.Op("ReduceMean", x, ("axes", new[] { -1L }), ("keepdims", 1L)));
        string variance = graph.Op("ReduceMean", graph.Mul(centered, centered), ("axes", new[] { -1L }), ("keepdims", 1L));
        string normalized = graph.Div(centered, graph.Op("Sqrt", graph.Add(variance, graph.Float((float)layer.eps, name + ".eps"))));
        return graph.Add(graph.Mul(normalized, graph.Weights(layer.weight!, name + ".weight")), graph.Weights(layer.bias!, name + ".bias"));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            embedding?.Dispose();
            input_projection?.Dispose();
            class_token?.Dispose();
            positions?.Dispose();
            foreach (var layer in layers)
                layer.Dispose();
            layers.Dispose();
            norm.Dispose();
            head.Dispose();
            _sinusoids?.Dispose();
        }
        base.Dispose(disposing);
    }
}
