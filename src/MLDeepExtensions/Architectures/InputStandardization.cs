using System;
using System.Linq;
using MLDeepExtensions.Data;
using MLDeepExtensions.Onnx;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The first layer of a network that standardizes its inputs: <c>(x − mean) × scale</c> per feature, with the mean and
/// the inverse spread measured on the training rows before the fit (<see cref="FeatureStatistics"/>). Both are
/// buffers, not parameters: the optimizer never changes them, and they are saved, loaded, exported to ONNX and to
/// PyTorch with the weights. Until <see cref="SetStatistics"/> it is the identity.
/// </summary>
/// <remarks>The PyTorch equivalent: a module with buffers <c>mean</c> and <c>scale</c> whose forward is <c>(x - mean) * scale</c>.</remarks>
internal sealed class InputStandardization : nn.Module<Tensor, Tensor>
{
    // Field names are the saved buffer keys ("standardize.mean", "standardize.scale" in an MLP). Do not rename.
    private Tensor mean;
    private Tensor scale;

    public InputStandardization(int width)
        : base(nameof(InputStandardization))
    {
        mean = zeros(width);
        scale = ones(width);
        RegisterComponents();
    }

    /// <summary>Values per row.</summary>
    public int Width => (int)mean.shape[0];

    public override Tensor forward(Tensor input)
    {
        using var centered = input - mean;
        return centered.mul(scale);
    }

    /// <summary>Takes the means and spreads measured on the training rows; a constant feature (spread ≈ 0) is only centered.</summary>
    public void SetStatistics(FeatureMoments moments)
    {
        if (moments.Mean.Length != Width)
            throw new ArgumentException($"Statistics of {moments.Mean.Length} features for a layer of {Width}.", nameof(moments));
        float[] inverse = moments.Spread.Select((spread, i) => FeatureMoments.IsConstant(spread, moments.Mean[i]) ? 1f : (float)(1 / spread)).ToArray();
        Copy(mean, moments.Mean.Select(m => (float)m).ToArray());
        Copy(scale, inverse);
    }

    /// <summary>Back to the identity (mean 0, scale 1): a network imported from PyTorch without these buffers takes raw inputs.</summary>
    public void Reset()
    {
        using var noGrad = no_grad();
        mean.zero_();
        scale.fill_(1);
    }

    /// <summary>The layer in an ONNX graph, on rows [batch, <see cref="Width"/>].</summary>
    public string ExportOnnx(OnnxGraph graph, string rows)
        => graph.Mul(graph.Sub(rows, graph.Weights(mean, "standardize_mean")), graph.Weights(scale, "standardize_scale"));

    private static void Copy(Tensor target, float[] values)
    {
        using var noGrad = no_grad();
        using var source = tensor(values);
        target.copy_(source);
    }

    /// <summary>The layer inside <paramref name="module"/>, or null when the network does not standardize its inputs.</summary>
    public static InputStandardization? In(nn.Module module)
        => module.modules().OfType<InputStandardization>().FirstOrDefault();
}
