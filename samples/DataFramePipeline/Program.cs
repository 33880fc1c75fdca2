using System;
using System.Diagnostics;
using Microsoft.ML;
using MLDeepExtensions.Samples;

// A real CSV through Microsoft.Data.Analysis and into ML.NET: the Palmer penguins (344 birds, 2007–2009, CC0).
// Clean it in a DataFrame, predict each bird's body mass with a deep network, and put the predictions back.
// Run: dotnet run --project samples/DataFramePipeline -c Release [-- --epochs N] [--max-train N]
//
// Expected output (2-core CPU, about 1 s):
//   Loaded Data/penguins.csv: 344 rows, 8 columns. The first rows: ... (row 4 is all NA)
//   Missing values per column: species 0, island 0, bill_length_mm 2, bill_depth_mm 2, flipper_length_mm 2, body_mass_g 2, sex 11, year 0
//   After dropping unmeasured birds and filling sex: 342 rows, 0 missing values.
//   Mean body mass (g) and flipper length (mm) per species: Adelie 3701 190, Gentoo 5076 217, Chinstrap 3733 196
//   Training on 223 birds from 2007–2008, testing on 119 from 2009.
//   Trained an MLP 32-16 for 100 epochs in 1.2 s.
//   Test set (2009): R² 0.824, mean absolute error 284 g, root mean squared error 344 g
//   Predictions added to the test DataFrame (a random sample of rows):
//   species    island     sex     flipper_length_mm body_mass_g predicted_g error_g
//   Adelie     Torgersen  female  188               2900        3521        621
//   Gentoo     Biscoe     female  212               4750        4564        -186 ...
//   A male Gentoo from Biscoe, bill 50.0 × 15.3 mm, flipper 220 mm: predicted 5529 g.

if (!SampleArguments.TryParse(args, "DataFramePipeline", defaultEpochs: 100, out var arguments, allowSubset: false))
    return 2;

var raw = PenguinData.Load();
Console.WriteLine($"Loaded Data/penguins.csv: {raw.Rows.Count} rows, {raw.Columns.Count} columns. The first rows:");
Console.WriteLine(raw.Head(5));

var penguins = PenguinData.Clean(raw, Console.Out);
Console.WriteLine("Mean body mass (g) and flipper length (mm) per species:");
var means = penguins.GroupBy("species").Mean("body_mass_g", "flipper_length_mm");
foreach (string column in new[] { "body_mass_g", "flipper_length_mm" })
    means[column] = means[column].Round();
Console.WriteLine(means);

var (train, test) = PenguinData.SplitByYear(penguins);
if (train.Rows.Count > arguments.MaxTrain)
    train = PenguinData.Sample(train, arguments.MaxTrain, seed: 1);
Console.WriteLine($"Training on {train.Rows.Count} birds from 2007–2008, testing on {test.Rows.Count} from 2009.");

var mlContext = new MLContext(seed: 1);
var clock = Stopwatch.StartNew();
var model = PenguinModel.Train(mlContext, train, arguments.Epochs);
Console.WriteLine($"Trained an MLP 32-16 for {arguments.Epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s.");
PenguinModel.Evaluate(mlContext, model, test);

var predictions = PenguinModel.AddPredictions(model, test);
Console.WriteLine("Predictions added to the test DataFrame (a random sample of rows):");
Console.WriteLine(PenguinData.Sample(predictions, 8, seed: 2));

var bird = new ModelInput { Species = "Gentoo", Island = "Biscoe", Sex = "male", BillLength = 50.0f, BillDepth = 15.3f, FlipperLength = 220, BillRatio = 50.0f / 15.3f };
Console.WriteLine($"A male Gentoo from Biscoe, bill 50.0 × 15.3 mm, flipper 220 mm: predicted {PenguinModel.Consume(mlContext, model, bird):F0} g.");
(model as IDisposable)?.Dispose();
return 0;
