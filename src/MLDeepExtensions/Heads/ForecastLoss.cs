using MLDeepExtensions.Data;
using System;
using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Architectures;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// A forecast's loss in the scale of each window (see <see cref="ForecastModule"/>): the pinball loss averaged over
/// quantiles and steps, or the squared error of a mean forecast.
/// </summary>
internal sealed class ForecastLoss : HeadLoss
{
    private readonly Tensor? _quantiles;
    private readonly int _horizon;
    private readonly bool _logValues;

    // logValues: the network works on logarithms (SeriesScaling.Log), so the targets are compared as logarithms.
    public ForecastLoss(LabelSource label, IReadOnlyList<float> quantiles, int horizon, Device device, bool logValues) : base(label)
    {
        _horizon = horizon;
        _logValues = logValues;
        if (quantiles.Count > 0)
            _quantiles = tensor(quantiles.ToArray(), device: device).reshape(1, quantiles.Count, 1).DetachFromDisposeScope();
    }

    private protected override Tensor Mean(Tensor output, Tensor targets) => RowLosses(output, targets).Losses.mean();

    /// <summary>
    /// Each row's forecast loss [rows]: the targets scaled like the window ((target − baseline) / spread, the spread 1 for a
    /// constant window) against the network's outputs [rows, quantiles, horizon].
    /// </summary>
    private protected override (Tensor Losses, Tensor? Weights) RowLosses(Tensor output, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (predicted, baseline, spread) = ForecastModule.Split(output, _horizon);
        var target = ((ModelSpace(targets.view(output.shape[0], _horizon), _logValues) - baseline) / spread.masked_fill(spread.eq(0), 1f)).unsqueeze(1);
        var error = target - predicted;
        var losses = _quantiles is null ? error.square() : maximum(_quantiles * error, (_quantiles - 1f) * error);
        return (losses.mean([1, 2]).MoveToOuterDisposeScope(), null);
    }

    public override void Dispose() => _quantiles?.Dispose();

    /// <summary>
    /// Targets [rows, horizon] in the space the network forecasts in: their logarithms for a log-scaled one, unchecked
    /// (the head checked the training and validation targets before the first epoch, <see cref="ForecastHead.CheckData"/>).
    /// </summary>
    internal static Tensor ModelSpace(Tensor targets, bool logValues) => logValues ? targets.log() : targets;
}

/// <summary>
/// A forecaster's validation metrics: the mean absolute error of the point forecast in the label's units, the loss in
/// the windows' scale (pinball or squared error), and with bounds the share of targets inside them. The main metric is
/// minus the loss.
/// </summary>
internal sealed class ForecastMetrics(LabelSource label, int horizon, IReadOnlyList<float> quantiles, bool logValues) : MetricAccumulator(label)
{
    private double _weight, _absolute, _loss, _inside;

    /// <summary>The metrics a forecaster with <paramref name="quantiles"/> computes.</summary>
    public static MetricDefinition[] Definitions(IReadOnlyList<float> quantiles) => quantiles.Count switch
    {
        0 => [MetricDefinition.Lower("MeanAbsoluteError"), MetricDefinition.Lower("ScaledSquaredError")],
        1 => [MetricDefinition.Lower("MeanAbsoluteError"), MetricDefinition.Lower("PinballLoss")],
        _ => [MetricDefinition.Lower("MeanAbsoluteError"), MetricDefinition.Lower("PinballLoss"), new MetricDefinition("Coverage", null)],
    };

    public override double Main => -_loss / _weight;

    private protected override void AddBatch(Tensor output, Tensor targets, float[]? weights, int rows)
    {
        var (scaledTensor, baselineTensor, spreadTensor) = ForecastModule.Split(output, horizon);
        int count = Math.Max(1, quantiles.Count);
        var scaled = Floats(scaledTensor);
        var baseline = Floats(baselineTensor);
        var spread = Floats(spreadTensor);
        // Values in the label's units, the quantiles sorted as the scorer sorts them.
        var sorted = (baselineTensor.unsqueeze(1) + spreadTensor.unsqueeze(2) * scaledTensor).sort(1).Values;
        var values = Floats(logValues ? sorted.exp() : sorted);
        var truth = Floats(targets.reshape(rows, horizon));
        var modelTruth = logValues ? Floats(ForecastLoss.ModelSpace(targets.reshape(rows, horizon), logValues)) : truth;
        int median = quantiles.Count == 0 ? 0 : quantiles.ToList().IndexOf(0.5f);
        for (int row = 0; row < rows; row++)
        {
            float w = Weight(weights, row);
            float divisor = spread[row] == 0 ? 1f : spread[row];
            double rowLoss = 0;
            for (int step = 0; step < horizon; step++)
            {
                float actual = truth[row * horizon + step];
                float target = (modelTruth[row * horizon + step] - baseline[row * horizon + step]) / divisor;
                for (int q = 0; q < count; q++)
                {
                    float error = target - scaled[(row * count + q) * horizon + step];
                    rowLoss += quantiles.Count == 0 ? error * error : Math.Max(quantiles[q] * error, (quantiles[q] - 1) * error);
                }
                float At(int q) => values[(row * count + q) * horizon + step];
                _absolute += w * Math.Abs(At(median) - actual) / horizon;
                if (count > 1 && actual >= At(0) && actual <= At(count - 1))
                    _inside += w / horizon;
            }
            _weight += w;
            _loss += w * rowLoss / (count * horizon);
        }
    }

    public override double[] Results()
        => quantiles.Count > 1 ? [_absolute / _weight, _loss / _weight, _inside / _weight] : [_absolute / _weight, _loss / _weight];
}
