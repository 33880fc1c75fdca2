using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// Multi-head self-attention as PyTorch's <c>nn.MultiheadAttention</c> holds it: one packed projection of queries, keys
/// and values ("in_proj_weight" [3d, d], "in_proj_bias"), then "out_proj". Field names are saved weight keys.
/// </summary>
internal sealed class SelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly int _heads;
    private readonly double _dropout;

    // Field names are part of the saved weight keys ("self_attn.in_proj_weight", …): renaming breaks saved models.
    private readonly Parameter in_proj_weight;
    private readonly Parameter in_proj_bias;
    private readonly Linear out_proj;

    public SelfAttention(int modelSize, int heads, double dropout) : base(nameof(SelfAttention))
    {
        _heads = heads;
        _dropout = dropout;
        // A Parameter takes over its tensor's storage; the emptied tensors are disposed here.
        using (var weight = empty(3L * modelSize, modelSize))
            in_proj_weight = new Parameter(weight);
        using (var bias = zeros(3L * modelSize))
            in_proj_bias = new Parameter(bias);
        out_proj = nn.Linear(modelSize, modelSize);
        // In a scope: TorchSharp's in-place initialisers hand back a tensor object of their own, freed with the scope.
        using (NewDisposeScope())
        using (no_grad())
        {
            // PyTorch's initialisation: Xavier-uniform over the packed projection (fan in d, fan out 3d), zero biases.
            double bound = Math.Sqrt(6.0 / (4.0 * modelSize));
            in_proj_weight.uniform_(-bound, bound);
            out_proj.bias!.zero_();
        }
        RegisterComponents();
    }

    public int Heads => _heads;

    public Tensor InProjectionWeight => in_proj_weight;

    public Tensor InProjectionBias => in_proj_bias;

    public Linear OutProjection => out_proj;

    /// <summary>Attends over <paramref name="x"/> [batch, steps, d]; <paramref name="padding"/> [batch, steps] is true at padded keys (null: none).</summary>
    public override Tensor forward(Tensor x, Tensor? padding)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], steps = x.shape[1], d = x.shape[2], size = d / _heads;
        var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias).view(batch, steps, 3, _heads, size).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        var scores = matmul(q, k.transpose(-2, -1)) / Math.Sqrt(size);
        if (padding is not null)
            scores = scores.masked_fill(padding.view(batch, 1, 1, steps), float.NegativeInfinity);
        var weights = nn.functional.dropout(nn.functional.softmax(scores, -1), _dropout, training);
        var attended = matmul(weights, v).transpose(1, 2).reshape(batch, steps, d);
        return out_proj.call(attended).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            in_proj_weight.Dispose();
            in_proj_bias.Dispose();
            out_proj.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// One pre-norm encoder layer, as PyTorch's <c>nn.TransformerEncoderLayer(norm_first=True, activation="gelu")</c>:
/// x + attention(norm1(x)), then + linear2(gelu(linear1(norm2(x)))), with dropout after the attention weights, each
/// block and inside the feed-forward block. Field names are saved weight keys.
/// </summary>
internal sealed class EncoderLayer : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly double _dropout;

    // Field names are part of the saved weight keys ("layers.0.linear1.weight", …): renaming breaks saved models.
    private readonly SelfAttention self_attn;
    private readonly Linear linear1;
    private readonly Linear linear2;
    private readonly LayerNorm norm1;
    private readonly LayerNorm norm2;

    public EncoderLayer(int modelSize, int heads, int feedForward, double dropout) : base(nameof(EncoderLayer))
    {
        _dropout = dropout;
        self_attn = new SelfAttention(modelSize, heads, dropout);
        linear1 = nn.Linear(modelSize, feedForward);
        linear2 = nn.Linear(feedForward, modelSize);
        norm1 = nn.LayerNorm(modelSize);
        norm2 = nn.LayerNorm(modelSize);
        RegisterComponents();
    }

    public SelfAttention Attention => self_attn;

    public Linear Linear1 => linear1;

    public Linear Linear2 => linear2;

    public LayerNorm Norm1 => norm1;

    public LayerNorm Norm2 => norm2;

    public override Tensor forward(Tensor x, Tensor? padding)
    {
        using var scope = NewDisposeScope();
        x = x + nn.functional.dropout(self_attn.call(norm1.call(x), padding), _dropout, training);
        var inner = nn.functional.dropout(nn.functional.gelu(linear1.call(norm2.call(x))), _dropout, training);
        return (x + nn.functional.dropout(linear2.call(inner), _dropout, training)).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            self_attn.Dispose();
            linear1.Dispose();
            linear2.Dispose();
            norm1.Dispose();
            norm2.Dispose();
        }
        base.Dispose(disposing);
    }
}
