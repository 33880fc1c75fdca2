using MLDeepExtensions.Data;
using System.Collections.Generic;
using MLDeepExtensions.Onnx;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>Regression: label a Single or a known-size vector of Single, loss the mean squared error, output Score.</summary>
internal sealed class RegressionHead(TaskInfo task, string labelColumnName, OutputColumnNames names, SupervisedTraining training)
    : SupervisedHead(task, labelColumnName, names, training, new NumericLabel(labelColumnName, training.ExampleWeightColumnName, task.OutputSize, task.VectorLabel))
{
    private protected override string TaskName => Task.VectorLabel ? "vector regression" : "regression";

    public override IReadOnlyList<MetricDefinition> Metrics => ErrorMetrics.Definitions;

    public override HeadLoss CreateLoss(Device device)
    {
        CheckClassWeights(null);
        return new SquaredErrorLoss(Label);
    }

    public override MetricAccumulator CreateMetrics() => new ErrorMetrics(Label, Task.OutputSize);

    public override Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input) => module.forward(input);

    public override string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize)
        => [Exportable(graph, module).ExportOnnx(graph, rows, inputSize)];
}

/// <summary>
/// MAE, MSE, RMSE and R² of the network's outputs against the targets (regression), or the input (reconstruction: the
/// label source is null); the main metric is −MSE.
/// </summary>
internal sealed class ErrorMetrics(LabelSource? label, int outputs) : MetricAccumulator(label)
{
    public static readonly MetricDefinition[] Definitions =
    [
        MetricDefinition.Lower("MeanAbsoluteError"), MetricDefinition.Lower("MeanSquaredError"), MetricDefinition.Lower("RootMeanSquaredError"), MetricDefinition.Higher("RSquared"),
    ];

    private readonly ErrorSums _sums = new(outputs);

    public override double Main => -_sums.MeanSquaredError;

    private protected override void AddBatch(Tensor output, Tensor targets, float[]? weights, int rows)
    {
        var predicted = Floats(output.reshape(rows, outputs));
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
