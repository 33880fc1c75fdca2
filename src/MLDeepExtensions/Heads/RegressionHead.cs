using MLDeepExtensions.Data;
using System.Collections.Generic;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Onnx;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// Regression: label a Single or a known-size vector of Single, loss the mean squared error, output Score. A fit learns
/// standardized targets (<see cref="LabelStandardization"/>, unless StandardizeLabel is off) and folds the scaling into
/// the output layer when it completes; a fit from existing weights first unfolds theirs with the new rows' scaling.
/// </summary>
internal sealed class RegressionHead(TaskInfo task, string labelColumnName, OutputColumnNames names, SupervisedTraining training,
    LabelStandardization? standardization = null)
    : SupervisedHead(task, labelColumnName, names, training, new NumericLabel(labelColumnName, training.ExampleWeightColumnName, task.OutputSize, task.VectorLabel))
{
    private protected override string TaskName => Task.VectorLabel ? "vector regression" : "regression";

    public override IReadOnlyList<MetricDefinition> Metrics => ErrorMetrics.Definitions;

    public override HeadLoss CreateLoss(Device device)
    {
        CheckClassWeights(null);
        return new SquaredErrorLoss(Label, standardization);
    }

    public override MetricAccumulator CreateMetrics() => new ErrorMetrics(Label, Task.OutputSize, standardization);

    public override IEnumerable<(string Name, string Value)> FingerprintEntries()
    {
        foreach (var entry in base.FingerprintEntries())
            yield return entry;
        yield return ("LabelStandardization", standardization?.Fingerprint ?? "none");
    }

    public override LabelSource? MeasuredTargets => Training.StandardizeLabel && standardization is null ? Label : null;

    public override NetworkHead BeginTraining(nn.Module<Tensor, Tensor> module, NetworkArchitecture architecture, FeatureMoments targets, bool existingWeights,
        IChannel channel)
    {
        if (MeasuredTargets is null)
            return this;
        if (architecture.OutputLayer(module) is not { } outputLayer)
        {
            channel.Info($"Label standardization: not done, the {architecture.GetType().Name} has no output layer it knows; scale the label yourself if its values are far from 1.");
            return this;
        }
        var standardized = LabelStandardization.Create(targets, Label, outputLayer, channel);
        // Weights that answer in the label's units are re-expressed in standardized units (exactly, up to rounding).
        if (existingWeights)
            standardized.UnfoldFrom();
        return new RegressionHead(Task, LabelColumnName, Names, Training, standardized);
    }

    public override NetworkHead Complete(nn.Module<Tensor, Tensor> module, BatchSource training, BatchSource? validation, int batchSize, IChannel channel,
        System.Threading.CancellationToken cancellation)
    {
        if (standardization is null)
            return this;
        standardization.FoldInto();
        return new RegressionHead(Task, LabelColumnName, Names, Training);
    }

    public override Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input) => module.forward(input);

    public override string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize)
        => [Exportable(graph, module).ExportOnnx(graph, rows, inputSize)];
}

/// <summary>
/// MAE, MSE, RMSE and R² of the network's outputs against the targets (regression), or the input (reconstruction: the
/// label source is null); the main metric is −MSE.
/// </summary>
/// <remarks>With a <see cref="LabelStandardization"/>, the network's standardized outputs are restored to the label's units first.</remarks>
internal sealed class ErrorMetrics(LabelSource? label, int outputs, LabelStandardization? standardization = null) : MetricAccumulator(label)
{
    public static readonly MetricDefinition[] Definitions =
    [
        MetricDefinition.Lower("MeanAbsoluteError"), MetricDefinition.Lower("MeanSquaredError"), MetricDefinition.Lower("RootMeanSquaredError"), MetricDefinition.Higher("RSquared"),
    ];

    private readonly ErrorSums _sums = new(outputs);

    public override double Main => -_sums.MeanSquaredError;

    private protected override void AddBatch(Tensor output, Tensor targets, float[]? weights, int rows)
    {
        float[] predicted;
        if (standardization is null)
            predicted = Floats(output.reshape(rows, outputs));
        else
        {
            using var restored = standardization.Restore(output);
            predicted = Floats(restored);
        }
        var truth = Floats(targets.reshape(rows, outputs));
        for (int row = 0; row < rows; row++)
        {
            float w = Weight(weights, row);
            for (int i = 0; i < outputs; i++)
                _sums.Add(i, predicted[row * outputs + i], truth[row * outputs + i], w);
        }
    }

    public override double[] Results()
        => [_sums.MeanAbsoluteError, _sums.MeanSquaredError, System.Math.Sqrt(_sums.MeanSquaredError), _sums.RSquared];
}
