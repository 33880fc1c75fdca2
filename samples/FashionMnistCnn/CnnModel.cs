using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>Trains, evaluates, saves and consumes the Fashion-MNIST CNN classifier, Model Builder style.</summary>
public static class CnnModel
{
    /// <summary>
    /// The network: three blocks of 3×3 convolution (32, 64, 128 filters) + batch normalization + ReLU + 2×2 max
    /// pooling (28 → 14 → 7 → 3 pixels), then a dense layer of 128 with dropout 0.3 and the 10-class output.
    /// </summary>
    public static CnnArchitecture Architecture => new(new ImageShape(Channels: 1, Height: 28, Width: 28))
    {
        ConvolutionBlocks =
        [
            new ConvolutionBlock(32) { BatchNormalization = true, Pooling = PoolingKind.Max },
            new ConvolutionBlock(64) { BatchNormalization = true, Pooling = PoolingKind.Max },
            new ConvolutionBlock(128) { BatchNormalization = true, Pooling = PoolingKind.Max },
        ],
        HiddenLayers = [128],
        Dropout = 0.3f,
    };

    /// <summary>
    /// The residual network of <c>--residual</c>: a 3×3 stem of 16 filters, stages of 16, 32 and 64 channels with one basic
    /// residual block each (28 → 14 → 7 pixels), global average pooling and the 10-class output, trained on flipped and
    /// shifted images.
    /// </summary>
    public static ResidualCnnArchitecture ResidualArchitecture => new(new ImageShape(Channels: 1, Height: 28, Width: 28))
    {
        StemChannels = 16,
        Stages = [16, 32, 64],
        BlocksPerStage = 1,
        Augmentation = new ImageAugmentation { HorizontalFlip = true, MaxShift = 2 },
    };

    /// <summary>Trains MapValueToKey → the network (Adam 0.002 with cosine decay) → MapKeyToValue, printing every epoch.</summary>
    public static ITransformer Train(MLContext mlContext, IDataView trainData, int epochs, NetworkArchitecture architecture)
    {
        var options = new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = nameof(ModelInput.Pixels),
            Architecture = architecture,
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 2e-3, Schedule = LearningRateSchedule.Cosine() },
            Epochs = epochs,
            BatchSize = 128,
            ValidationFraction = 0.1f,
            Progress = new ConsoleProgress(),
        };
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.DeepNetwork(options))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        return pipeline.Fit(trainData);
    }

    /// <summary>Scores the test set and prints accuracy, log-loss and the confusion matrix.</summary>
    public static void Evaluate(MLContext mlContext, ITransformer model, IDataView testData)
    {
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(testData));
        Console.WriteLine($"Test set: micro accuracy {metrics.MicroAccuracy:F4}, macro accuracy {metrics.MacroAccuracy:F4}, log-loss {metrics.LogLoss:F4}");
        Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
    }

    /// <summary>Saves the model next to the program and returns the file's path.</summary>
    public static string Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "FashionMnistCnn.zip");
        mlContext.Model.Save(model, inputSchema, path);
        Console.WriteLine($"Saved the model to {path} ({new FileInfo(path).Length / 1024} KiB).");
        return path;
    }

    /// <summary>Loads the model in a new MLContext, as another program would, and predicts the given images.</summary>
    public static void Consume(string modelPath, IEnumerable<ModelInput> images)
    {
        var mlContext = new MLContext();
        var model = mlContext.Model.Load(modelPath, out _);
        // The model outlives the engine: by default disposing an engine disposes its model.
        using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        Console.WriteLine("Predictions of the reloaded model:");
        foreach (var image in images)
        {
            string trueLabel = image.Label;
            var prediction = engine.Predict(new ModelInput { Pixels = image.Pixels });
            string mark = prediction.PredictedLabel == trueLabel ? "ok" : "WRONG";
            Console.WriteLine($"  predicted {prediction.PredictedLabel,-12} ({prediction.Score.Max() * 100,5:F1}%)  true {trueLabel,-12} {mark}");
        }
        (model as IDisposable)?.Dispose();
    }

    /// <summary>Prints each finished epoch at once, on the training thread (Progress&lt;T&gt; would post it later).</summary>
    private sealed class ConsoleProgress : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value)
            => Console.WriteLine($"  epoch {value.Epoch,2}: train loss {value.TrainingLoss:F4}, validation loss {value.ValidationLoss:F4}, " +
                                 $"validation accuracy {value.ValidationMetric * 100:F2}% ({value.Elapsed.TotalSeconds:F0} s)");
    }
}
