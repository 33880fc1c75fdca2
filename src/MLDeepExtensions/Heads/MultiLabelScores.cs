using MLDeepExtensions.Data;
using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// Every row's per-label probabilities, truths and weights, and the multi-label metrics computed from them: per label
/// precision, recall, F1 and AUC; micro and macro F1, macro AUC, Hamming loss, subset accuracy and log-loss. Shared by
/// the validation metrics, threshold tuning and the public evaluator.
/// </summary>
internal sealed class MultiLabelScores(int labels)
{
    /// <summary>The validation metrics of a multi-label head, in order.</summary>
    public static readonly MetricDefinition[] Definitions =
    [
        MetricDefinition.Lower("HammingLoss"), MetricDefinition.Higher("SubsetAccuracy"), MetricDefinition.Higher("MicroF1"),
        MetricDefinition.Higher("MacroF1"), MetricDefinition.Higher("MacroAreaUnderRocCurve"), MetricDefinition.Lower("LogLoss"),
    ];

    private readonly List<float> _probabilities = [], _weights = [];
    private readonly List<bool> _truths = [], _predicted = [];

    public int Labels => labels;

    public int Rows => _weights.Count;

    /// <summary>Adds one row: a probability and a truth per label, and its weight.</summary>
    public void Add(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> truths, float weight)
    {
        for (int i = 0; i < labels; i++)
        {
            _probabilities.Add(probabilities[i]);
            _truths.Add(truths[i] > 0.5f);
        }
        _weights.Add(weight);
    }

    /// <summary>Adds one row with its predictions as they were made (the evaluator reads them from PredictedLabel).</summary>
    public void Add(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> truths, ReadOnlySpan<bool> predicted, float weight)
    {
        Add(probabilities, truths, weight);
        for (int i = 0; i < labels; i++)
            _predicted.Add(predicted[i]);
    }

    /// <summary>
    /// The metrics with predictions at <paramref name="thresholds"/> (probability above the label's threshold), or, when
    /// null, the predictions added with the rows.
    /// </summary>
    public MultiLabelMetrics Compute(IReadOnlyList<float>? thresholds, IReadOnlyList<string>? names)
    {
        int rows = Rows;
        double weight = _weights.Sum(w => (double)w), wrongLabels = 0, exactRows = 0, logLoss = 0;
        var truePositives = new double[labels];
        var falsePositives = new double[labels];
        var falseNegatives = new double[labels];
        for (int row = 0; row < rows; row++)
        {
            double w = _weights[row];
            bool exact = true;
            for (int i = 0; i < labels; i++)
            {
                int at = row * labels + i;
                bool truth = _truths[at], predicted = thresholds is null ? _predicted[at] : _probabilities[at] > thresholds[i];
                if (truth != predicted)
                {
                    wrongLabels += w;
                    exact = false;
                }
                truePositives[i] += truth && predicted ? w : 0;
                falsePositives[i] += !truth && predicted ? w : 0;
                falseNegatives[i] += truth && !predicted ? w : 0;
                logLoss += w * Ranking.LogLoss(truth ? _probabilities[at] : 1 - _probabilities[at]);
            }
            exactRows += exact ? w : 0;
        }
        var perLabel = new LabelMetrics[labels];
        for (int i = 0; i < labels; i++)
        {
            double tp = truePositives[i], fp = falsePositives[i], fn = falseNegatives[i];
            perLabel[i] = new LabelMetrics(names?[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                tp + fp > 0 ? tp / (tp + fp) : 0, tp + fn > 0 ? tp / (tp + fn) : 0, Ranking.F1(tp, fp, fn), AreaUnderRocCurve(i), tp + fn);
        }
        var aucs = perLabel.Select(l => l.AreaUnderRocCurve).Where(a => !double.IsNaN(a)).ToArray();
        return new MultiLabelMetrics
        {
            HammingLoss = wrongLabels / (weight * labels),
            SubsetAccuracy = exactRows / weight,
            MicroF1 = Ranking.F1(truePositives.Sum(), falsePositives.Sum(), falseNegatives.Sum()),
            MacroF1 = perLabel.Average(l => l.F1Score),
            MacroAreaUnderRocCurve = aucs.Length > 0 ? aucs.Average() : double.NaN,
            LogLoss = logLoss / (weight * labels),
            PerLabel = perLabel,
        };
    }

    /// <summary>Label <paramref name="label"/>'s AUC; NaN when its rows are all positive or all negative.</summary>
    public double AreaUnderRocCurve(int label)
    {
        var scores = new float[Rows];
        var truths = new bool[Rows];
        for (int row = 0; row < Rows; row++)
        {
            scores[row] = _probabilities[row * labels + label];
            truths[row] = _truths[row * labels + label];
        }
        return Ranking.AreaUnderRocCurve(scores, truths, _weights);
    }

    /// <summary>
    /// For each label, the threshold that maximises its F1 on these rows: the midpoint between the probabilities on either
    /// side of the best cut (ties broken towards 0.5); 0.5 for a label without a positive row.
    /// </summary>
    public float[] BestF1Thresholds()
    {
        var thresholds = new float[labels];
        for (int i = 0; i < labels; i++)
        {
            var order = Enumerable.Range(0, Rows).OrderByDescending(row => _probabilities[row * labels + i]).ToArray();
            double positives = order.Where(row => _truths[row * labels + i]).Sum(row => (double)_weights[row]);
            thresholds[i] = 0.5f;
            if (positives == 0)
                continue;
            double tp = 0, fp = 0, best = Ranking.F1(0, 0, positives);
            for (int k = 0; k < order.Length; k++)
            {
                int row = order[k];
                if (_truths[row * labels + i]) tp += _weights[row];
                else fp += _weights[row];
                float here = _probabilities[row * labels + i];
                // Only cut between distinct probabilities: rows with the same probability are predicted alike.
                if (k + 1 < order.Length && _probabilities[order[k + 1] * labels + i] == here)
                    continue;
                double f1 = Ranking.F1(tp, fp, positives - tp);
                float below = k + 1 < order.Length ? _probabilities[order[k + 1] * labels + i] : 0f;
                float cut = (here + below) / 2;
                if (f1 > best || (f1 == best && Math.Abs(cut - 0.5f) < Math.Abs(thresholds[i] - 0.5f)))
                {
                    best = f1;
                    thresholds[i] = Math.Clamp(cut, 0f, 1f);
                }
            }
        }
        return thresholds;
    }

    /// <summary>Collects a multi-label head's validation rows (probabilities from the network's logits) for its metrics.</summary>
    internal sealed class Accumulator(LabelSource label, int labels, IReadOnlyList<float> thresholds) : MetricAccumulator(label)
    {
        private readonly MultiLabelScores _scores = new(labels);
        private MultiLabelMetrics? _metrics;

        private MultiLabelMetrics Metrics => _metrics ??= _scores.Compute(thresholds, null);

        /// <summary>1 − the Hamming loss: the share of labels predicted right.</summary>
        public override double Main => 1 - Metrics.HammingLoss;

        private protected override void AddBatch(Tensor output, Tensor targets, float[]? weights, int rows)
        {
            _metrics = null;
            var probabilities = Floats(nn.functional.sigmoid(output));
            var truths = Floats(targets);
            for (int row = 0; row < rows; row++)
                _scores.Add(probabilities.AsSpan(row * labels, labels), truths.AsSpan(row * labels, labels), Weight(weights, row));
        }

        public override double[] Results()
            => [Metrics.HammingLoss, Metrics.SubsetAccuracy, Metrics.MicroF1, Metrics.MacroF1, Metrics.MacroAreaUnderRocCurve, Metrics.LogLoss];
    }

    /// <summary>Collects probabilities and label rows for threshold tuning.</summary>
    internal sealed class Collector(LabelSource label, int labels)
    {
        private readonly MultiLabelScores _scores = new(labels);

        public void Add(Tensor probabilities, Tensor labelTensor)
        {
            using var scope = NewDisposeScope();
            var (targets, weights) = label.Split(labelTensor);
            var p = probabilities.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            var t = targets.cpu().contiguous().data<float>().ToArray();
            var w = weights?.cpu().contiguous().data<float>().ToArray();
            int rows = (int)probabilities.shape[0];
            for (int row = 0; row < rows; row++)
                _scores.Add(p.AsSpan(row * labels, labels), t.AsSpan(row * labels, labels), w?[row] ?? 1f);
        }

        public float[] BestF1Thresholds() => _scores.BestF1Thresholds();
    }
}
