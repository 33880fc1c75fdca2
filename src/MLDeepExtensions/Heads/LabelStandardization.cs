using System;
using System.Linq;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace MLDeepExtensions.Heads;

/// <summary>
/// A regression's targets standardized while the network trains, as its inputs are: the loss compares the network's
/// output with <c>(y − mean) / spread</c>, so an unscaled label (prices in thousands, counts in millions) trains as well
/// as a scaled one, and the validation metrics see <c>output × spread + mean</c>, in the label's units. When training
/// ends, <see cref="FoldInto"/> writes that last step into the network's output layer (<c>W ← spread·W</c>,
/// <c>b ← spread·b + mean</c>), so the fitted network itself answers in the label's units: scoring, ONNX and PyTorch
/// export and saved models need nothing more, and model files keep their layout. A fit that starts from such weights (a
/// fitted model's, imported ones) unfolds them first (<see cref="UnfoldFrom"/>).
/// </summary>
/// <remarks>
/// The PyTorch equivalent is scikit-learn's <c>TransformedTargetRegressor</c> with a <c>StandardScaler</c>, folded into
/// the last <c>nn.Linear</c> afterwards. A constant target (spread ≈ 0) is only centered.
/// </remarks>
internal sealed class LabelStandardization
{
    private readonly float[] _mean;
    private readonly float[] _spread;
    private readonly Linear _outputLayer;

    private LabelStandardization(float[] mean, float[] spread, Linear outputLayer)
    {
        _mean = mean;
        _spread = spread;
        _outputLayer = outputLayer;
    }

    /// <summary>The standardization of <paramref name="label"/> with the moments measured on the training rows, logging it.</summary>
    /// <param name="moments">The targets' means and spreads (weighted by example weights, if any).</param>
    /// <param name="label">The regression label.</param>
    /// <param name="outputLayer">The network's last layer: a linear layer with a bias and one output per target value.</param>
    /// <param name="channel">The fit's log.</param>
    public static LabelStandardization Create(FeatureMoments moments, LabelSource label, Linear outputLayer, IChannel channel)
    {
        if (outputLayer.out_features != label.Width || outputLayer.bias is null || moments.Mean.Length != label.Width)
            throw new InvalidOperationException($"The output layer ({outputLayer.out_features} outputs, bias {(outputLayer.bias is null ? "none" : "yes")}) cannot take a label of {label.Width} values.");
        float[] mean = moments.Mean.Select(m => (float)m).ToArray();
        float[] spread = moments.Spread.Select((s, i) => FeatureMoments.IsConstant(s, moments.Mean[i]) ? 1f : (float)s).ToArray();
        channel.Info($"Label standardization: the network learns '{label.ColumnName}' as (label − {Describe(mean)}) / {Describe(spread)}, " +
            "and answers in the label's units (StandardizeLabel).");
        return new LabelStandardization(mean, spread, outputLayer);
    }

    /// <summary>Means and spreads in one line, for fingerprints of the fit (checkpoints resume only the same standardization).</summary>
    public string Fingerprint => Describe(_mean, "R") + " / " + Describe(_spread, "R");

    private static string Describe(float[] values, string format = "G4")
    {
        string Text(float v) => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        return values.Length == 1 ? Text(values[0]) : "[" + string.Join(", ", values.Take(8).Select(Text)) + (values.Length > 8 ? ", …" : "") + "]";
    }

    /// <summary>The standardized targets, <c>(targets − mean) / spread</c>, shaped as <paramref name="targets"/>.</summary>
    public Tensor Standardize(Tensor targets)
    {
        using var scope = NewDisposeScope();
        var standardized = (targets.reshape(-1, _mean.Length) - tensor(_mean, device: targets.device)) / tensor(_spread, device: targets.device);
        return standardized.reshape(targets.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The network's standardized output in the label's units, <c>output × spread + mean</c>, as [rows, outputs].</summary>
    public Tensor Restore(Tensor output)
    {
        using var scope = NewDisposeScope();
        return (output.reshape(-1, _mean.Length) * tensor(_spread, device: output.device) + tensor(_mean, device: output.device)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The inverse of <see cref="FoldInto"/>, for a fit that starts from weights answering in the label's units (a fitted
    /// model's, imported ones): <c>W ← W / spread</c>, <c>b ← (b − mean) / spread</c>, the same network in standardized units.
    /// </summary>
    public void UnfoldFrom()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = _outputLayer.weight!;
        var bias = _outputLayer.bias!;
        var spread = tensor(_spread, device: weight.device);
        weight.div_(spread.unsqueeze(1));
        bias.sub_(tensor(_mean, device: bias.device)).div_(spread);
    }

    /// <summary>Writes the restoring step into the output layer's weights, once training is over; the network then answers in the label's units.</summary>
    public void FoldInto()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = _outputLayer.weight!;
        var bias = _outputLayer.bias!;
        var spread = tensor(_spread, device: weight.device);
        weight.mul_(spread.unsqueeze(1));
        bias.mul_(spread).add_(tensor(_mean, device: bias.device));
    }
}
