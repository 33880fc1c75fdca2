using MLDeepExtensions.Data;
using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// A validation metric a head computes, by the name it has in <see cref="EpochMetrics.ValidationMetrics"/> (ML.NET's
/// metric names where ML.NET has one: "Accuracy", "AreaUnderRocCurve", "RSquared"…).
/// </summary>
/// <param name="Name">The metric's name.</param>
/// <param name="HigherIsBetter">Its direction for early stopping and checkpoints; null when it has none (an interval's coverage) and cannot be watched.</param>
internal sealed record MetricDefinition(string Name, bool? HigherIsBetter)
{
    public static MetricDefinition Higher(string name) => new(name, true);

    public static MetricDefinition Lower(string name) => new(name, false);
}

/// <summary>
/// Collects what a head's validation metrics need, batch by batch, in the same pass as the validation loss (the network's
/// output is computed once), then computes them all. Example weights weigh every metric. Reads each batch to the CPU.
/// </summary>
internal abstract class MetricAccumulator(LabelSource? label)
{
    /// <summary>Adds a batch: the network's output and the batch's label tensor (the features, for a head without a label).</summary>
    public void Add(Tensor output, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (targets, weights) = label?.Split(labels) ?? (labels, null);
        int rows = (int)output.shape[0];
        AddBatch(output, targets, weights is null ? null : Floats(weights), rows);
    }

    /// <summary>The head's main metric, higher is better (<see cref="EpochMetrics.ValidationMetric"/>: accuracy, −MSE…).</summary>
    public abstract double Main { get; }

    /// <summary>The values of the head's metrics, in the order of its definitions; NaN where the data cannot tell (one class only).</summary>
    public abstract double[] Results();

    /// <summary>Adds one batch; <paramref name="weights"/> null means every row weighs 1.</summary>
    private protected abstract void AddBatch(Tensor output, Tensor targets, float[]? weights, int rows);

    /// <summary>The values of a tensor as floats on the CPU.</summary>
    private protected static float[] Floats(Tensor values) => values.detach().to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();

    private protected static float Weight(float[]? weights, int row) => weights is null ? 1f : weights[row];
}

/// <summary>Weighted sums of an error and its target, per output, for MAE, MSE, RMSE and R².</summary>
internal sealed class ErrorSums(int outputs)
{
    private readonly double[] _weight = new double[outputs], _squared = new double[outputs], _absolute = new double[outputs],
        _target = new double[outputs], _targetSquared = new double[outputs];

    public void Add(int output, double predicted, double target, double weight)
    {
        double error = predicted - target;
        _weight[output] += weight;
        _squared[output] += weight * error * error;
        _absolute[output] += weight * Math.Abs(error);
        _target[output] += weight * target;
        _targetSquared[output] += weight * target * target;
    }

    public double MeanSquaredError => _squared.Sum() / Math.Max(_weight.Sum(), double.Epsilon);

    public double MeanAbsoluteError => _absolute.Sum() / Math.Max(_weight.Sum(), double.Epsilon);

    /// <summary>R² per output, averaged over outputs (scikit-learn's uniform average); NaN when a target is constant.</summary>
    public double RSquared => Enumerable.Range(0, outputs).Average(i =>
    {
        double total = _targetSquared[i] - _target[i] * _target[i] / _weight[i];
        return total > 0 ? 1 - _squared[i] / total : double.NaN;
    });
}

/// <summary>Metrics of ranked binary outcomes.</summary>
internal static class Ranking
{
    /// <summary>
    /// The weighted area under the ROC curve of <paramref name="scores"/> against 0/1 <paramref name="labels"/> (tied scores
    /// count half); NaN when only one class is present.
    /// </summary>
    public static double AreaUnderRocCurve(IReadOnlyList<float> scores, IReadOnlyList<bool> labels, IReadOnlyList<float> weights)
    {
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double positives = 0, negatives = 0, area = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            double groupPositives = 0, groupNegatives = 0;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                int row = order[end++];
                if (labels[row])
                    groupPositives += weights[row];
                else
                    groupNegatives += weights[row];
            }
            area += groupNegatives * (positives + groupPositives / 2);
            positives += groupPositives;
            negatives += groupNegatives;
            start = end;
        }
        return positives > 0 && negatives > 0 ? area / (positives * negatives) : double.NaN;
    }

    /// <summary>F1 from weighted true-positive, false-positive and false-negative counts; 0 when there is nothing to find or found.</summary>
    public static double F1(double truePositives, double falsePositives, double falseNegatives)
        => truePositives > 0 ? 2 * truePositives / (2 * truePositives + falsePositives + falseNegatives) : 0;

    /// <summary>−log of a probability, clipped as ML.NET's evaluators clip it.</summary>
    public static double LogLoss(double probability) => -Math.Log(Math.Max(probability, 1e-15));
}
