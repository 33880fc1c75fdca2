using MLDeepExtensions.Data;
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Onnx;
using MLDeepExtensions.Persistence;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// One of K classes: label a key, loss cross entropy on K logits (optionally class-weighted), outputs Score (the class
/// probabilities) and PredictedLabel (the key of the most probable class).
/// </summary>
internal sealed class MulticlassHead(TaskInfo task, string labelColumnName, OutputColumnNames names, SupervisedTraining training)
    : SupervisedHead(task, labelColumnName, names, training, new ClassLabel(labelColumnName, training.ExampleWeightColumnName))
{
    private static readonly MetricDefinition[] _metrics =
        [MetricDefinition.Higher("Accuracy"), MetricDefinition.Higher("MacroAccuracy"), MetricDefinition.Lower("LogLoss"), MetricDefinition.Higher("MacroF1")];

    private protected override string TaskName => "multiclass classification";

    public override IReadOnlyList<MetricDefinition> Metrics => _metrics;

    public override void CheckImportedWeights(string weightsPath, IChannel channel)
        => ImportedClasses.Check(weightsPath, Training.ImportedClasses, Task.KeyValues is { } keyValues ? KeyValuesCodec.Names(keyValues) : null, LabelColumnName, channel);

    public override HeadLoss CreateLoss(Device device)
    {
        CheckClassWeights(Task.OutputSize);
        return new CrossEntropyLoss(Label, Training.ClassWeights, Training.LabelSmoothing, device);
    }

    public override MetricAccumulator CreateMetrics() => new Accumulator(Label, Task.OutputSize);

    public override Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var scope = NewDisposeScope();
        var probabilities = nn.functional.softmax(module.forward(input), 1);
        // The 1-based key of the most probable class; 0, ML.NET's missing key, when the row's output is NaN.
        var key = probabilities.argmax(1, keepdim: true).add(1).to_type(ScalarType.Float32);
        return cat([probabilities, key.masked_fill(probabilities.isnan().any(1, keepdim: true), 0)], 1).MoveToOuterDisposeScope();
    }

    public override string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize)
    {
        string output = Exportable(graph, module).ExportOnnx(graph, rows, inputSize);
        string probabilities = graph.Op("Softmax", output, ("axis", 1L));
        string key = graph.Add(graph.Op("ArgMax", probabilities, ("axis", 1L), ("keepdims", 1L)), graph.Int64(1, "one"));
        string undefined = graph.Op("Greater", [graph.Op("ReduceMax", graph.Cast(graph.Op("IsNaN", probabilities), OnnxGraph.Types.Float), ("axes", new[] { 1L }), ("keepdims", 1L)), graph.Float(0f)]);
        return [probabilities, graph.Cast(graph.Where(undefined, graph.Int64(0, "missing"), key), OnnxGraph.Types.UInt32)];
    }

    /// <summary>
    /// Cross entropy over class logits, with PyTorch's class-weighted mean when there are class weights, against targets
    /// smoothed towards the uniform distribution by the label smoothing ε (1 − ε on the row's class, ε / K spread over all
    /// K classes; PyTorch's and Keras's definition).
    /// </summary>
    private sealed class CrossEntropyLoss : HeadLoss
    {
        private readonly Tensor? _classWeights;
        private readonly double _smoothing;

        public CrossEntropyLoss(LabelSource label, IReadOnlyList<float>? classWeights, float smoothing, Device device) : base(label)
        {
            _classWeights = OwnedWeights(classWeights, device);
            _smoothing = smoothing;
        }

        private protected override Tensor Mean(Tensor output, Tensor targets) => nn.functional.cross_entropy(output, targets, _classWeights, label_smoothing: _smoothing);

        private protected override (Tensor Losses, Tensor? Weights) RowLosses(Tensor output, Tensor targets)
            => (nn.functional.cross_entropy(output, targets, _classWeights, reduction: nn.Reduction.None, label_smoothing: _smoothing), _classWeights?.index_select(0, targets));

        public override void Dispose() => _classWeights?.Dispose();
    }

    /// <summary>Weighted per-class counts and the log-loss sum.</summary>
    private sealed class Accumulator(LabelSource label, int classes) : MetricAccumulator(label)
    {
        private readonly double[] _truePositives = new double[classes], _predicted = new double[classes], _actual = new double[classes];
        private double _weight, _logLoss;

        public override double Main => _truePositives.Sum() / _weight;

        private protected override void AddBatch(Tensor output, Tensor targets, float[]? weights, int rows)
        {
            var probabilities = Floats(nn.functional.softmax(output, 1));
            var truth = Floats(targets);
            for (int row = 0; row < rows; row++)
            {
                float w = Weight(weights, row);
                int actual = (int)truth[row];
                var p = probabilities.AsSpan(row * classes, classes);
                int predicted = 0;
                for (int k = 1; k < classes; k++)
                {
                    if (p[k] > p[predicted])
                        predicted = k;
                }
                _weight += w;
                _actual[actual] += w;
                _predicted[predicted] += w;
                if (predicted == actual)
                    _truePositives[actual] += w;
                _logLoss += w * Ranking.LogLoss(p[actual]);
            }
        }

        public override double[] Results()
        {
            // Over the classes the validation rows hold (none when every weight is 0: the data cannot tell).
            var present = Enumerable.Range(0, classes).Where(k => _actual[k] > 0).ToArray();
            double macroAccuracy = present.Length == 0 ? double.NaN : present.Average(k => _truePositives[k] / _actual[k]);
            double macroF1 = present.Length == 0 ? double.NaN : present.Average(k => Ranking.F1(_truePositives[k], _predicted[k] - _truePositives[k], _actual[k] - _truePositives[k]));
            return [Main, macroAccuracy, _logLoss / _weight, macroF1];
        }
    }
}

/// <summary>
/// Two classes: label a Boolean, loss binary cross entropy on one logit (optionally class-weighted), outputs Score (the
/// logit), Probability and PredictedLabel (Boolean, logit above 0).
/// </summary>
internal sealed class BinaryHead(TaskInfo task, string labelColumnName, OutputColumnNames names, SupervisedTraining training)
    : SupervisedHead(task, labelColumnName, names, training, new BooleanLabel(labelColumnName, training.ExampleWeightColumnName))
{
    private static readonly MetricDefinition[] _metrics =
        [MetricDefinition.Higher("Accuracy"), MetricDefinition.Higher("AreaUnderRocCurve"), MetricDefinition.Higher("F1Score"), MetricDefinition.Lower("LogLoss")];

    private protected override string TaskName => "binary classification";

    public override IReadOnlyList<MetricDefinition> Metrics => _metrics;

    public override HeadLoss CreateLoss(Device device)
    {
        CheckClassWeights(2);
        return new BinaryCrossEntropyLoss(Label, Training.ClassWeights, Training.LabelSmoothing, device);
    }

    public override MetricAccumulator CreateMetrics() => new Accumulator(Label);

    public override Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = module.forward(input);
        return cat([output, nn.functional.sigmoid(output), output.gt(0).to_type(ScalarType.Float32)], 1).MoveToOuterDisposeScope();
    }

    public override string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize)
    {
        string output = Exportable(graph, module).ExportOnnx(graph, rows, inputSize);
        return [graph.Op("Identity", output), graph.Op("Sigmoid", output), graph.Op("Greater", [output, graph.Float(0f)])];
    }

    /// <summary>
    /// Binary cross entropy on the logit; a class weight multiplies each row's loss (PyTorch's weight argument), chosen by
    /// the row's true class. The label smoothing ε moves the 0/1 target to ε / 2 and 1 − ε / 2 (Keras's definition).
    /// </summary>
    private sealed class BinaryCrossEntropyLoss : HeadLoss
    {
        private readonly Tensor? _classWeights;
        private readonly float _smoothing;

        public BinaryCrossEntropyLoss(LabelSource label, IReadOnlyList<float>? classWeights, float smoothing, Device device) : base(label)
        {
            _classWeights = OwnedWeights(classWeights, device);
            _smoothing = smoothing;
        }

        private Tensor? RowClassWeights(Tensor targets) => _classWeights?.index_select(0, targets.to_type(ScalarType.Int64));

        private protected override Tensor Mean(Tensor output, Tensor targets)
            => nn.functional.binary_cross_entropy_with_logits(output.squeeze(1), SmoothedBinaryTargets(targets, _smoothing), RowClassWeights(targets));

        private protected override (Tensor Losses, Tensor? Weights) RowLosses(Tensor output, Tensor targets)
            => (nn.functional.binary_cross_entropy_with_logits(output.squeeze(1), SmoothedBinaryTargets(targets, _smoothing), RowClassWeights(targets), reduction: nn.Reduction.None), null);

        public override void Dispose() => _classWeights?.Dispose();
    }

    /// <summary>Every row's logit, label and weight (for the AUC), and the weighted counts.</summary>
    private sealed class Accumulator(LabelSource label) : MetricAccumulator(label)
    {
        private readonly List<float> _scores = [], _weights = [];
        private readonly List<bool> _labels = [];
        private double _weight, _correct, _truePositives, _falsePositives, _falseNegatives, _logLoss;

        public override double Main => _correct / _weight;

        private protected override void AddBatch(Tensor output, Tensor targets, float[]? weights, int rows)
        {
            var logits = Floats(output.reshape(rows));
            var truth = Floats(targets);
            for (int row = 0; row < rows; row++)
            {
                float w = Weight(weights, row);
                bool actual = truth[row] > 0.5f, predicted = logits[row] > 0;
                _scores.Add(logits[row]);
                _labels.Add(actual);
                _weights.Add(w);
                _weight += w;
                _correct += predicted == actual ? w : 0;
                _truePositives += predicted && actual ? w : 0;
                _falsePositives += predicted && !actual ? w : 0;
                _falseNegatives += !predicted && actual ? w : 0;
                double probability = 1 / (1 + Math.Exp(-logits[row]));
                _logLoss += w * Ranking.LogLoss(actual ? probability : 1 - probability);
            }
        }

        public override double[] Results()
            // ML.NET's binary evaluator reports the log-loss in bits; so does this one, for the same name to mean the same number.
            => [Main, Ranking.AreaUnderRocCurve(_scores, _labels, _weights), Ranking.F1(_truePositives, _falsePositives, _falseNegatives), _logLoss / _weight / Math.Log(2)];
    }
}
