using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Samples;
using Spectre.Console;

// One MLP (784-128-10), one data set (Fashion-MNIST), six optimizers: SGD, Momentum, Nesterov, Adadelta, RMSProp, Adam.
// Run: dotnet run --project samples/OptimizerComparison -c Release [-- --epochs N] [--subset] [--max-train N]
//
// Every optimizer starts from the same initial weights and sees the same batches (MLContext seed 1).
//
// Expected output (full data set installed, 2-core CPU, about 6 s; in a terminal the table updates live):
//   Data: full Fashion-MNIST (10000 train / 10000 test images)
//   ┌───────────┬─────────────────────┬───────────────┬───────────────┐
//   │ Optimizer │ Final training loss │ Test accuracy │ Training time │
//   │ Adadelta  │              0.3106 │        84.58% │         0.8 s │
//   │ RMSProp   │              0.3284 │        83.97% │         0.7 s │
//   │ Nesterov  │              0.3762 │        83.77% │         0.6 s │
//   │ Adam      │              0.3317 │        83.34% │         0.7 s │
//   │ Momentum  │              0.3859 │        82.79% │         0.6 s │
//   │ SGD       │              0.3919 │        81.69% │         0.9 s │
//   Loss curves written to .../optimizer-loss-curves.png
//   Predictions of the best model (Adadelta) for the first test images: ...
//   What each optimizer does differently: ...
// (On a busy CPU libtorch's threads slow down a lot; OMP_NUM_THREADS=1 helps there. Another thread count sums in
// another order, so losses and accuracies then differ slightly.)

if (!SampleArguments.TryParse(args, "OptimizerComparison", defaultEpochs: 10, out var arguments, defaultMaxTrain: 10_000))
    return 2;

var (train, test, source) = FashionMnist.Load(arguments.SubsetOnly, arguments.MaxTrain);
Console.WriteLine($"Data: {source}");

var mlContext = new MLContext(seed: 1);
var trainData = mlContext.Data.LoadFromEnumerable(train.Select(ModelInput.From));
var testData = mlContext.Data.LoadFromEnumerable(test.Select(ModelInput.From));

var contenders = ComparisonModel.Contenders;
var results = new ContenderResult[contenders.Count];
var models = new ITransformer[contenders.Count];
var display = new RaceDisplay(contenders, arguments.Epochs);
display.Run(() =>
{
    for (int i = 0; i < contenders.Count; i++)
    {
        models[i] = ComparisonModel.Train(mlContext, trainData, contenders[i].Optimizer, arguments.Epochs, display.ProgressFor(i));
        double accuracy = ComparisonModel.Evaluate(mlContext, models[i], testData);
        results[i] = new ContenderResult(contenders[i], ComparisonModel.HistoryOf(models[i]), accuracy);
        display.Finish(i, accuracy);
    }
});

var summary = new Table().Title("Summary").AddColumns("Optimizer", "Final training loss", "Test accuracy", "Training time");
for (int column = 1; column < 4; column++)
    summary.Columns[column].RightAligned();
foreach (var result in results.OrderByDescending(r => r.TestAccuracy))
    summary.AddRow(result.Contender.Name, $"{result.FinalLoss:F4}", $"{result.TestAccuracy * 100:F2}%", $"{result.TrainingTime.TotalSeconds:F1} s");
AnsiConsole.Write(summary);

string png = LossPlot.Save(results, Path.Combine(AppContext.BaseDirectory, "optimizer-loss-curves.png"));
Console.WriteLine($"Loss curves written to {png}");

int best = Array.IndexOf(results, results.MaxBy(r => r.TestAccuracy));
Console.WriteLine($"Predictions of the best model ({contenders[best].Name}) for the first test images:");
foreach (var (input, output) in ComparisonModel.Consume(mlContext, models[best], test.Take(5).Select(ModelInput.From)))
    Console.WriteLine($"  predicted {output.PredictedLabel,-12} ({output.Score.Max() * 100,5:F1}%)  true {input.Label}");
foreach (var model in models)
    (model as IDisposable)?.Dispose();

Console.WriteLine();
Console.WriteLine("What each optimizer does differently:");
Console.WriteLine(OptimizerNotes.Paragraph);
return 0;
