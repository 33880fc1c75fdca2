using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>multilabel</c> section (benchmarks/RESULTS-multilabel.md): our multi-label network against binary relevance
/// (one classifier per label: ML.NET's L-BFGS logistic regression, and LightGBM with its defaults) on the 1984 House
/// votes (data/multilabel/README.md: six votes of each member from party and ten other votes, 385 rows), by 5-fold
/// cross-validation: micro and macro F1, Hamming loss, subset accuracy, macro AUC and fit time, each the mean of the folds.
/// The network's settings were chosen before this benchmark ran (those of the unit test) and not tuned on it.
/// </summary>
internal static class MultiLabelSection
{
    private static readonly string[] Votes = ["V3", "V4", "V5", "V6", "V7", "V8"];

    private sealed class VoteRow
    {
        [LoadColumn(0, 10), VectorType(11)]
        public float[] Features { get; set; } = [];

        [LoadColumn(11, 16), VectorType(6)]
        public float[] Votes { get; set; } = [];
    }

    private sealed class VoteFlags
    {
        public bool V3 { get; set; }
        public bool V4 { get; set; }
        public bool V5 { get; set; }
        public bool V6 { get; set; }
        public bool V7 { get; set; }
        public bool V8 { get; set; }
    }

    private sealed class Scored
    {
        [VectorType(6)]
        public bool[] Label { get; set; } = [];

        [VectorType(6)]
        public float[] Probability { get; set; } = [];

        [VectorType(6)]
        public bool[] PredictedLabel { get; set; } = [];
    }

    /// <summary>The network: an MLP with 32 hidden units, Adam 0.01, 30 epochs of 32 rows (the unit test's settings).</summary>
    private static MultiLabelOptions Network() => new()
    {
        Architecture = new MlpArchitecture(32),
        Optimizer = OptimizerSettings.Adam(0.01),
        Epochs = 30,
        BatchSize = 32,
        Seed = 1,
    };

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        string path = Path.Combine(AppContext.BaseDirectory, "multilabel", "house-votes-84.csv");
        var rows = ml.Data.LoadFromTextFile<VoteRow>(path, separatorChar: ',', hasHeader: true);
        var prepare = ml.Transforms.CustomMapping((VoteRow input, VoteFlags output) =>
            (output.V3, output.V4, output.V5, output.V6, output.V7, output.V8) = (input.Votes[0] > 0, input.Votes[1] > 0, input.Votes[2] > 0, input.Votes[3] > 0, input.Votes[4] > 0, input.Votes[5] > 0),
            contractName: null).Append(ml.Transforms.Concatenate("Label", Votes));
        var all = ml.Data.Cache(prepare.Fit(rows).Transform(rows));
        var folds = ml.Data.CrossValidationSplit(all, numberOfFolds: 5, seed: 1);

        var methods = new (string Name, Func<IDataView, IDataView, IDataView> FitAndScore)[]
        {
            ("DeepNetwork (MLP 32)", (train, test) => ml.MultiLabelClassification.Trainers.DeepNetwork(Network()).Fit(train).Transform(test)),
            ("DeepNetwork (MLP 32), thresholds tuned on 20% held out", (train, test) => ml.MultiLabelClassification.Trainers.DeepNetwork(Network() with { ValidationFraction = 0.2f, TuneThresholds = true }).Fit(train).Transform(test)),
            ("Binary relevance: L-BFGS logistic regression", (train, test) => PerLabel(ml, train, test, vote => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(vote, "Features"))),
            ("Binary relevance: LightGBM (defaults)", (train, test) => PerLabel(ml, train, test, vote => ml.BinaryClassification.Trainers.LightGbm(vote, "Features"))),
        };
        var table = new MarkdownTable("Method", "Micro-F1", "Macro-F1", "Hamming loss", "Subset accuracy", "Macro AUC", "Fit + score per fold");
        foreach (var (name, fitAndScore) in methods)
        {
            report.Section($"Multi-label: {name}");
            var metrics = new List<MultiLabelMetrics>();
            var seconds = new List<double>();
            foreach (var fold in folds)
            {
                long start = Stopwatch.GetTimestamp();
                var scored = fitAndScore(fold.TrainSet, fold.TestSet);
                metrics.Add(ml.MultiLabelClassification.Evaluate(scored));
                seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            double Mean(Func<MultiLabelMetrics, double> f) => metrics.Average(f);
            report.Add(name, $"micro-F1 {Mean(m => m.MicroF1):F4}, macro-F1 {Mean(m => m.MacroF1):F4}, Hamming {Mean(m => m.HammingLoss):F4}, " +
                $"subset accuracy {Mean(m => m.SubsetAccuracy):F4}, macro AUC {Mean(m => m.MacroAreaUnderRocCurve):F4}, {seconds.Average():F2} s per fold");
            table.Row(name, $"{Mean(m => m.MicroF1):F4}", $"{Mean(m => m.MacroF1):F4}", $"{Mean(m => m.HammingLoss):F4}", $"{Mean(m => m.SubsetAccuracy):F4}",
                $"{Mean(m => m.MacroAreaUnderRocCurve):F4}", $"{seconds.Average():F2} s");
        }
        report.Results.AddTable("Multi-label classification: the 1984 House votes",
            "Six votes of each member (labels) from party and ten other votes (features), 385 rows, 5-fold cross-validation (seed 1); every number is " +
            "the mean over the folds, from `mlContext.MultiLabelClassification.Evaluate`. The network: `MlpArchitecture(32)`, Adam 0.01, 30 epochs, " +
            "batches of 32 (settings of the unit test, not tuned here). Binary relevance: one ML.NET binary trainer per vote with its defaults, " +
            "its probabilities and predicted labels put side by side. Fit times include reading the fold and scoring it.", table);
    }

    /// <summary>One binary classifier per vote, fitted on <paramref name="train"/>; their scores on <paramref name="test"/> as one multi-label row each.</summary>
    private static IDataView PerLabel(MLContext ml, IDataView train, IDataView test, Func<string, IEstimator<ITransformer>> trainer)
    {
        var truth = test.GetColumn<bool[]>("Label").ToArray();
        var probability = truth.Select(_ => new float[Votes.Length]).ToArray();
        var predicted = truth.Select(_ => new bool[Votes.Length]).ToArray();
        for (int k = 0; k < Votes.Length; k++)
        {
            var scored = trainer(Votes[k]).Fit(train).Transform(test);
            var p = scored.GetColumn<float>("Probability").ToArray();
            var y = scored.GetColumn<bool>("PredictedLabel").ToArray();
            for (int i = 0; i < truth.Length; i++)
                (probability[i][k], predicted[i][k]) = (p[i], y[i]);
        }
        return ml.Data.LoadFromEnumerable(truth.Select((t, i) => new Scored { Label = t, Probability = probability[i], PredictedLabel = predicted[i] }));
    }
}
