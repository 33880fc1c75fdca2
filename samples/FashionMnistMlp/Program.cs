using System;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Samples;

// Fashion-MNIST (10 classes of clothing, 28×28 grey images) with a multi-layer perceptron.
// Run: dotnet run --project samples/FashionMnistMlp -c Release [-- --epochs N] [--subset] [--max-train N]
//
// Expected output (full data set, idle 2-core x86-64 CPU, no GPU; the numbers repeat exactly from run to run):
//   Data: full Fashion-MNIST (60000 train / 10000 test images)
//   Training an MLP 256-128 for 20 epochs ...
//     epoch  1: train loss 0.5067, validation loss 0.3977, validation accuracy 85.22% (1.0 s)
//     ...
//     epoch 19: train loss 0.1366, validation loss 0.3009, validation accuracy 90.25% (17.2 s)
//     epoch 20: train loss 0.1339, validation loss 0.3011, validation accuracy 90.30% (18.1 s)
//   Trained in 20.3 s (22–26 s when the machine is busier).
//   Test set: micro accuracy 0.9004, macro accuracy 0.9004, log-loss 0.3391
//   (confusion table: 10 × 10 counts with per-class recall and precision; Shirt is the hardest class)
//   Saved the model to .../bin/Release/net10.0/FashionMnistMlp.zip (862 KiB).
//   Predictions of the reloaded model:
//     predicted Ankle boot   (100.0%)  true Ankle boot   ok
//     ... (8 test images, all 8 right)
// With --subset (3,000 / 1,000 images): test micro accuracy 0.8400 after 2.3 s of training.

if (!SampleArguments.TryParse(args, "FashionMnistMlp", defaultEpochs: 20, out var arguments))
    return 2;

var (train, test, source) = FashionMnist.Load(arguments.SubsetOnly, arguments.MaxTrain);
Console.WriteLine($"Data: {source}");

var mlContext = new MLContext(seed: 1);
var trainData = mlContext.Data.LoadFromEnumerable(train.Select(ModelInput.From).ToArray());
var testData = mlContext.Data.LoadFromEnumerable(test.Select(ModelInput.From).ToArray());

Console.WriteLine($"Training an MLP 256-128 for {arguments.Epochs} epoch{(arguments.Epochs == 1 ? "" : "s")} ...");
var clock = Stopwatch.StartNew();
var model = FashionModel.Train(mlContext, trainData, arguments.Epochs);
Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

FashionModel.Evaluate(mlContext, model, testData);
string modelPath = FashionModel.Save(mlContext, model, trainData.Schema);
(model as IDisposable)?.Dispose();

FashionModel.Consume(modelPath, test.Take(8).Select(ModelInput.From));
return 0;
