using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>Trains, evaluates and consumes the autoencoder anomaly detector, Model Builder style.</summary>
public static class AnomalyModel
{
    /// <summary>
    /// Trains a dense autoencoder 784 → 256 → 128 → 32 → 128 → 256 → 784 on normal images only. The threshold is the
    /// 95th percentile of the training images' reconstruction errors, so about 5% of normal images are flagged.
    /// </summary>
    public static AutoencoderTransformer Train(MLContext mlContext, IDataView normalImages, int epochs)
    {
        var options = new AutoencoderOptions
        {
            FeatureColumnName = nameof(ModelInput.Pixels),
            Architecture = new AutoencoderArchitecture(latentSize: 32, 256, 128),
            Optimizer = OptimizerSettings.Adam(learningRate: 1e-3),
            Epochs = epochs,
            BatchSize = 64,
            ThresholdQuantile = 0.95,
        };
        return mlContext.AnomalyDetection.Trainers.Autoencoder(options).Fit(normalImages);
    }

    /// <summary>Prints ML.NET's anomaly-detection metrics and, per class, the share of test images flagged as anomalous.</summary>
    public static void Evaluate(MLContext mlContext, ITransformer model, IDataView testData)
    {
        var scored = model.Transform(testData);
        var metrics = mlContext.AnomalyDetection.Evaluate(scored, falsePositiveCount: 10);
        Console.WriteLine($"Test set: AUC {metrics.AreaUnderRocCurve:F4}, detection rate at 10 false positives {metrics.DetectionRateAtFalsePositiveCount:F4}");

        var classes = scored.GetColumn<string>(nameof(ModelInput.ClassName)).ToArray();
        var flagged = scored.GetColumn<bool>("PredictedLabel").ToArray();
        Console.WriteLine("Share of test images flagged as anomalous, per class (the normal class's share is the false-alarm rate):");
        foreach (var group in classes.Zip(flagged).GroupBy(pair => pair.First).OrderBy(g => g.Average(p => p.Second ? 1.0 : 0.0)))
            Console.WriteLine($"  {group.Key,-12} {group.Average(p => p.Second ? 1.0 : 0.0) * 100,6:F1}%  ({group.Count()} images)");
    }

    /// <summary>The anomaly score of every image in <paramref name="data"/>, in row order.</summary>
    public static float[] Scores(ITransformer model, IDataView data)
        => model.Transform(data).GetColumn<float>("Score").ToArray();

    /// <summary>Scores single images with a PredictionEngine, as an application would.</summary>
    public static IReadOnlyList<ModelOutput> Consume(MLContext mlContext, ITransformer model, IEnumerable<ModelInput> images)
    {
        // The model outlives the engine: by default disposing an engine disposes its model.
        using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return images.Select(image => engine.Predict(image)).ToArray();
    }
}
