using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;

namespace MLDeepExtensions.Samples;

/// <summary>One optimizer of the comparison: a display name and its settings.</summary>
/// <param name="Name">What the tables and the plot call it.</param>
/// <param name="Optimizer">The optimizer and its learning rate.</param>
public sealed record Contender(string Name, OptimizerSettings Optimizer);

/// <summary>What one optimizer achieved.</summary>
/// <param name="Contender">The optimizer.</param>
/// <param name="History">Training loss per epoch.</param>
/// <param name="TestAccuracy">Micro accuracy on the test images.</param>
public sealed record ContenderResult(Contender Contender, TrainingHistory History, double TestAccuracy)
{
    /// <summary>The mean training loss of the last epoch.</summary>
    public double FinalLoss => History[^1].TrainingLoss;

    /// <summary>Time spent in the training loop (the same data preparation before it is not counted).</summary>
    public TimeSpan TrainingTime => History[^1].Elapsed;
}

/// <summary>Trains and consumes the Fashion-MNIST MLP, Model Builder style; only the optimizer changes between runs.</summary>
public static class ComparisonModel
{
    /// <summary>The hidden layer of the MLP 784-128-10 every optimizer trains.</summary>
    public const int HiddenUnits = 128;

    /// <summary>The six optimizers, each with a learning rate that suits it (their documented defaults, SGD's raised to 0.1).</summary>
    public static IReadOnlyList<Contender> Contenders { get; } = new[]
    {
        new Contender("SGD", OptimizerSettings.Sgd(learningRate: 0.1)),
        new Contender("Momentum", OptimizerSettings.SgdMomentum(learningRate: 0.01, momentum: 0.9)),
        new Contender("Nesterov", OptimizerSettings.Nesterov(learningRate: 0.01, momentum: 0.9)),
        new Contender("Adadelta", OptimizerSettings.Adadelta(learningRate: 1.0, rho: 0.9)),
        new Contender("RMSProp", OptimizerSettings.RmsProp(learningRate: 0.001, rho: 0.9)),
        new Contender("Adam", OptimizerSettings.Adam(learningRate: 0.001)),
    };

    /// <summary>
    /// Trains MapValueToKey → MLP 784-128-10 → MapKeyToValue with <paramref name="optimizer"/>. The MLContext seed fixes
    /// the initial weights and the batch order, so every optimizer starts from the same point and sees the same batches.
    /// </summary>
    public static ITransformer Train(MLContext mlContext, IDataView trainData, OptimizerSettings optimizer, int epochs, IProgress<EpochMetrics> progress)
    {
        var options = new DeepNetworkOptions
        {
            LabelColumnName = nameof(ModelInput.Label),
            FeatureColumnName = nameof(ModelInput.Pixels),
            Architecture = new MlpArchitecture(HiddenUnits) { Activation = Activation.ReLU },
            Optimizer = optimizer,
            Epochs = epochs,
            BatchSize = 64,
            Progress = progress,
        };
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey(nameof(ModelInput.Label))
            .Append(mlContext.MulticlassClassification.Trainers.DeepNetwork(options))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        return pipeline.Fit(trainData);
    }

    /// <summary>The model's micro accuracy on <paramref name="testData"/>.</summary>
    public static double Evaluate(MLContext mlContext, ITransformer model, IDataView testData)
        => mlContext.MulticlassClassification.Evaluate(model.Transform(testData)).MicroAccuracy;

    /// <summary>The fitted network's per-epoch history (the middle step of the pipeline).</summary>
    public static TrainingHistory HistoryOf(ITransformer model)
        => ((IEnumerable<ITransformer>)model).OfType<DeepNetworkTransformer>().Single().History;

    /// <summary>Predicts single images with a PredictionEngine, as an application would.</summary>
    public static IEnumerable<(ModelInput Input, ModelOutput Output)> Consume(MLContext mlContext, ITransformer model, IEnumerable<ModelInput> images)
    {
        // The model outlives the engine: by default disposing an engine disposes its model.
        using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        foreach (var image in images)
            yield return (image, engine.Predict(new ModelInput { Pixels = image.Pixels }));
    }
}
