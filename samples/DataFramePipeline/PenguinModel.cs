using System;
using System.Linq;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>Trains, evaluates and consumes the penguin body-mass regressor, Model Builder style.</summary>
public static class PenguinModel
{
    /// <summary>The label column (derived in the DataFrame).</summary>
    public const string Label = "body_mass_kg";

    /// <summary>
    /// One-hot species, island and sex, concatenated with the bill and flipper measurements as they are, then an MLP
    /// 32-16 regression network, which standardizes its inputs itself. The DataFrame is an IDataView, so it goes into Fit as it is.
    /// </summary>
    public static ITransformer Train(MLContext mlContext, IDataView trainData, int epochs)
    {
        var options = new DeepNetworkOptions
        {
            LabelColumnName = Label,
            FeatureColumnName = "Features",
            Architecture = new MlpArchitecture(32, 16) { Activation = Activation.ReLU },
            Optimizer = OptimizerSettings.Adam(learningRate: 0.01),
            Epochs = epochs,
            BatchSize = 16,
        };
        var pipeline = mlContext.Transforms.Categorical.OneHotEncoding(new[]
            {
                new InputOutputColumnPair("SpeciesCode", "species"),
                new InputOutputColumnPair("IslandCode", "island"),
                new InputOutputColumnPair("SexCode", "sex"),
            })
            .Append(mlContext.Transforms.Concatenate("Features",
                "SpeciesCode", "IslandCode", "SexCode", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "bill_ratio"))
            .Append(mlContext.Regression.Trainers.DeepNetwork(options));
        return pipeline.Fit(trainData);
    }

    /// <summary>Prints ML.NET's regression metrics on <paramref name="testData"/>, in grams where that reads better.</summary>
    public static void Evaluate(MLContext mlContext, ITransformer model, IDataView testData)
    {
        var metrics = mlContext.Regression.Evaluate(model.Transform(testData), labelColumnName: Label);
        Console.WriteLine($"Test set (2009): R² {metrics.RSquared:F3}, mean absolute error {metrics.MeanAbsoluteError * 1000:F0} g, " +
                          $"root mean squared error {metrics.RootMeanSquaredError * 1000:F0} g");
    }

    /// <summary>Scores <paramref name="test"/> and returns a DataFrame of its main columns plus predicted_g and error_g.</summary>
    public static DataFrame AddPredictions(ITransformer model, DataFrame test)
    {
        float[] kilograms = model.Transform(test).GetColumn<float>("Score").ToArray();
        var predicted = new SingleDataFrameColumn("predicted_g", kilograms.Select(kg => MathF.Round(kg * 1000)));
        var error = predicted - test["body_mass_g"];
        error.SetName("error_g");
        return new DataFrame(test["species"].Clone(), test["island"].Clone(), test["sex"].Clone(),
            test["flipper_length_mm"].Clone(), test["body_mass_g"].Clone(), predicted, error);
    }

    /// <summary>Predicts one bird with a PredictionEngine, as an application would.</summary>
    public static float Consume(MLContext mlContext, ITransformer model, ModelInput penguin)
    {
        // The model outlives the engine: by default disposing an engine disposes its model.
        using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return engine.Predict(penguin).Score * 1000;
    }
}
