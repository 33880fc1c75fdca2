using System.Collections.Generic;
using Microsoft.ML;

namespace MLDeepExtensions.Samples;

/// <summary>Finds a learning rate for, trains and consumes the Fashion-MNIST MLP, Model Builder style.</summary>
public static class FinderModel
{
    /// <summary>The MLP 784-128-10 with Adam at <paramref name="learningRate"/>, batches of 64.</summary>
    public static DeepNetworkOptions Options(double learningRate, int epochs) => new()
    {
        LabelColumnName = nameof(ModelInput.Label),
        FeatureColumnName = nameof(ModelInput.Pixels),
        Architecture = new MlpArchitecture(128) { Activation = Activation.ReLU },
        Optimizer = OptimizerSettings.Adam(learningRate),
        Epochs = epochs,
        BatchSize = 64,
    };

    /// <summary>
    /// Sweeps the learning rate from 1e-6 to 10 over 200 batches. The network reads the label as a key, so the sweep
    /// runs on the data as the pipeline's first step (MapValueToKey) leaves it.
    /// </summary>
    public static LearningRateFinderResult FindLearningRate(MLContext mlContext, IDataView trainData)
    {
        var keyed = mlContext.Transforms.Conversion.MapValueToKey(nameof(ModelInput.Label)).Fit(trainData).Transform(trainData);
        return mlContext.MulticlassClassification.Trainers.DeepNetwork(Options(learningRate: 1e-3, epochs: 1))
            .FindLearningRate(keyed, startLearningRate: 1e-6, endLearningRate: 10, steps: 200);
    }

    /// <summary>Trains MapValueToKey → MLP → MapKeyToValue at <paramref name="learningRate"/>.</summary>
    public static ITransformer Train(MLContext mlContext, IDataView trainData, double learningRate, int epochs)
        => mlContext.Transforms.Conversion.MapValueToKey(nameof(ModelInput.Label))
            .Append(mlContext.MulticlassClassification.Trainers.DeepNetwork(Options(learningRate, epochs)))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(trainData);

    /// <summary>The model's micro accuracy on <paramref name="testData"/>.</summary>
    public static double Evaluate(MLContext mlContext, ITransformer model, IDataView testData)
        => mlContext.MulticlassClassification.Evaluate(model.Transform(testData)).MicroAccuracy;

    /// <summary>Predicts single images with a PredictionEngine, as an application would.</summary>
    public static IEnumerable<(ModelInput Input, ModelOutput Output)> Consume(MLContext mlContext, ITransformer model, IEnumerable<ModelInput> images)
    {
        using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        foreach (var image in images)
            yield return (image, engine.Predict(new ModelInput { Pixels = image.Pixels }));
    }
}
