using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions;
using MLDeepExtensions.Samples;

// Train the Fashion-MNIST CNN, then export it to ONNX for a service that has no libtorch and no ML.NET (see ../Serve).
// Run: dotnet run --project samples/OnnxDeployment/Train -c Release [-- --epochs N] [--subset] [--max-train N]
//
// Expected output (repository subset, --subset, idle 2-core x86-64 CPU):
//   Data: Fashion-MNIST subset (3000 train / 1000 test images)
//   Training a CNN for 3 epochs ... trained in 7 s; test micro accuracy 0.80
//   Exported to .../fashion-cnn.onnx (0.4 MB): input Pixels [batch, 784], outputs Score.output, PredictedLabel.output, PredictedClass.output
//   The ONNX file and the ML.NET model agree on 1000 of 1000 test images.
// Then: dotnet run --project samples/OnnxDeployment/Serve -c Release -- <path of fashion-cnn.onnx>
if (!SampleArguments.TryParse(args, "OnnxDeployment.Train", defaultEpochs: 3, out var arguments))
    return 2;

var (train, test, source) = FashionMnist.Load(arguments.SubsetOnly, arguments.MaxTrain);
Console.WriteLine($"Data: {source}");
var mlContext = new MLContext(seed: 1);

// The label is mapped outside the model that is exported, so the service feeds pixels only.
var labelToKey = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(mlContext.Data.LoadFromEnumerable(train));
var trainData = labelToKey.Transform(mlContext.Data.LoadFromEnumerable(train));
var architecture = new CnnArchitecture
{
    InputShape = new ImageShape(1, 28, 28),
    ConvolutionBlocks = [
        new ConvolutionBlock(16) { BatchNormalization = true, Pooling = PoolingKind.Max },
        new ConvolutionBlock(32) { BatchNormalization = true, Pooling = PoolingKind.Max },
    ],
    HiddenLayers = [64],
    Dropout = 0.3f,
};
var options = new DeepNetworkOptions
{
    FeatureColumnName = nameof(FashionImage.Pixels),
    Architecture = architecture,
    Optimizer = OptimizerSettings.Adam(0.002),
    Epochs = arguments.Epochs,
    Seed = 1,
};
Console.Write($"Training a CNN for {arguments.Epochs} epoch{(arguments.Epochs == 1 ? "" : "s")} ... ");
var clock = Stopwatch.StartNew();
var model = mlContext.MulticlassClassification.Trainers.DeepNetwork(options)
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"))
    .Fit(trainData);
var testData = labelToKey.Transform(mlContext.Data.LoadFromEnumerable(test));
var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(testData));
Console.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F0} s; test micro accuracy {metrics.MicroAccuracy:F2}");

// ML.NET's converter walks the pipeline back from its end: the network, then MapKeyToValue, all in one graph.
var pixelsOnly = mlContext.Data.LoadFromEnumerable(test.Select(i => new PixelsInput { Pixels = i.Pixels }));
string path = Path.Combine(AppContext.BaseDirectory, "fashion-cnn.onnx");
using (var file = File.Create(path))
    mlContext.Model.ConvertToOnnx(model, pixelsOnly, file);
Console.WriteLine($"Exported to {path} ({new FileInfo(path).Length / 1e6:F1} MB): input Pixels [batch, 784], outputs Score.output, PredictedLabel.output, PredictedClass.output");

// The same predictions from ML.NET's ONNX scorer, as a check before shipping the file.
var onnxScorer = mlContext.Transforms.ApplyOnnxModel(["PredictedClass.output"], [nameof(FashionImage.Pixels)], path).Fit(pixelsOnly);
var fromOnnx = onnxScorer.Transform(pixelsOnly).GetColumn<string[]>("PredictedClass").Select(v => v[0]).ToArray();
var fromModel = model.Transform(testData).GetColumn<string>("PredictedClass").ToArray();
Console.WriteLine($"The ONNX file and the ML.NET model agree on {fromOnnx.Zip(fromModel).Count(p => p.First == p.Second)} of {fromModel.Length} test images.");
return 0;

/// <summary>What the exported model reads: the 784 pixels in [0, 1], row by row.</summary>
public sealed class PixelsInput
{
    [VectorType(FashionMnist.PixelCount)]
    public float[] Pixels { get; set; } = [];
}
