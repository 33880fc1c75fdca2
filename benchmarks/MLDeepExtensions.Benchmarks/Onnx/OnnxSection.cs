using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;
using MLDeepExtensions.Samples;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The <c>onnx</c> section: each architecture (the MLP, CNN and LSTM of their sections, the dense autoencoder) fitted
/// for one epoch, exported with <c>ConvertToOnnx</c>, and scored three ways on the test images: our Transform, an ONNX
/// Runtime session fed batches of the same size, and ML.NET's <c>ApplyOnnxModel</c>; then one row at a time: our
/// PredictionEngine, a one-row ONNX Runtime run, and a PredictionEngine over <c>ApplyOnnxModel</c>. ONNX Runtime gets as
/// many intra-op threads as libtorch. Speed does not depend on how well the weights are trained, so the fits are short.
/// </summary>
internal static class OnnxSection
{
    private const int BatchSize = 1024;
    private const int TrainRows = 10_000;
    private const int Repeats = 5;

    public static void Run(BenchmarkData data, BenchmarkOptions options, Report report)
    {
        var ml = data.MLContext;
        var inputs = data.TestImages.Select(image => new PixelsInput { Pixels = image.Pixels }).ToArray();
        var pixelsOnly = ml.Data.LoadFromEnumerable(inputs);
        var pixels = new float[inputs.Length * FashionMnist.PixelCount];
        for (int i = 0; i < inputs.Length; i++)
            inputs[i].Pixels.CopyTo(pixels, i * FashionMnist.PixelCount);
        int trainRows = Math.Min(TrainRows, data.TrainCount);
        var keyedTrain = ml.Data.TakeRows(data.KeyedTrain, trainRows);
        var rawTrain = ml.Data.TakeRows(data.RawTrain, trainRows);

        foreach (var (architecture, fit) in Networks())
        {
            report.Section($"ONNX export, {architecture}: fitted for 1 epoch on {trainRows} rows; {inputs.Length} test rows scored in batches of " +
                $"{BatchSize} ({Repeats} runs each, alternating, after a warm-up), then {options.Predictions} single rows");
            var ours = fit();
            using var owned = ours as IDisposable;
            byte[] onnx;
            using (var stream = new MemoryStream())
            {
                ml.Model.ConvertToOnnx(ours, pixelsOnly, stream);
                onnx = stream.ToArray();
            }
            report.Add("exported file", $"{onnx.Length / 1024.0:N0} KiB");
            Measure(architecture, ml, ours, onnx, pixelsOnly, pixels, inputs, options.Predictions, report);
        }
        ForecasterServing.Measure(ml, options.Predictions, report);

        (string, Func<ITransformer>)[] Networks() =>
        [
            (Architectures.Mlp, () => Classifier(new MlpArchitecture(256, 128))),
            (Architectures.Cnn, () => Classifier(new CnnArchitecture(new ImageShape(1, 28, 28)))),
            (Architectures.Rnn, () => Classifier(new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = RnnSection.HiddenSize, InputShape = new SequenceShape(28, 28) })),
            (Architectures.Autoencoder, () => ml.Transforms.Autoencoder(AutoencoderSection.Options(epochs: 1)).Fit(rawTrain)),
        ];

        ITransformer Classifier(NetworkArchitecture architecture) => ml.MulticlassClassification.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Pixels",
            Architecture = architecture,
            Optimizer = OptimizerSettings.Adam(1e-3),
            Epochs = 1,
            Seed = 1,
            ScoringBatchSize = BatchSize, // ONNX Runtime's batch
        }).Fit(keyedTrain);
    }

    private static void Measure(string architecture, MLContext ml, ITransformer ours, byte[] onnx, IDataView test, float[] pixels,
        PixelsInput[] inputs, int predictions, Report report)
    {
        int rows = inputs.Length;
        int threads = get_num_threads();
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, sessionOptions);
        using var runtime = new RuntimeScorer(session, "Pixels", "Score.output");
        string path = Path.Combine(Path.GetTempPath(), $"mlde-benchmark-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, onnx);
        try
        {
            using var applyOnnx = ml.Transforms.ApplyOnnxModel(new OnnxOptions
            {
                ModelFile = path,
                InputColumns = ["Pixels"],
                OutputColumns = ["Score.output"],
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
            }).Fit(test);

            // The exported graph must score what our Transform scores before its speed means anything.
            var expected = ScoreColumn(ours.Transform(test));
            var exported = new float[expected.Length];
            runtime.ScoreAll(pixels, rows, BatchSize, exported);
            double difference = expected.Zip(exported, (a, b) => Math.Abs((double)a - b)).Max();
            report.Add("largest |ONNX Runtime − ours| over every Score value", $"{difference:G2}");

            var oursSeconds = new double[Repeats];
            var runtimeSeconds = new double[Repeats];
            var applySeconds = new double[Repeats];
            ScoreColumn(ours.Transform(test));
            ScoreColumn(applyOnnx.Transform(test));
            for (int i = 0; i < Repeats; i++)
            {
                oursSeconds[i] = Timing.Seconds(() => ScoreColumn(ours.Transform(test)));
                runtimeSeconds[i] = Timing.Seconds(() => runtime.ScoreAll(pixels, rows, BatchSize, exported));
                applySeconds[i] = Timing.Seconds(() => ScoreColumn(applyOnnx.Transform(test)));
            }
            report.Add("Transform, ours (median)", $"{rows / Timing.Median(oursSeconds):N0} rows/s");
            report.Add("ONNX Runtime, batches (median)", $"{rows / Timing.Median(runtimeSeconds):N0} rows/s " +
                $"({Timing.Median(oursSeconds) / Timing.Median(runtimeSeconds):F2}× ours; goal ≥ 1)");
            report.Add("ApplyOnnxModel Transform (median)", $"{rows / Timing.Median(applySeconds):N0} rows/s " +
                $"({Timing.Median(oursSeconds) / Timing.Median(applySeconds):F2}× ours)");

            double[] oursLatency = [], runtimeLatency = [], applyLatency = [];
            if (predictions > 0)
            {
                oursLatency = EngineLatencies(ml, ours, test, inputs, predictions);
                var one = new float[1];
                runtimeLatency = Timing.Latencies(inputs, predictions, input => runtime.ScoreOne(input.Pixels, one));
                applyLatency = EngineLatencies(ml, applyOnnx, test, inputs, predictions);
                report.Add("PredictionEngine, ours p50 / p99", $"{Timing.Median(oursLatency):F1} / {Timing.Percentile(oursLatency, 0.99):F1} µs " +
                    $"({BytesPerPrediction(ml, ours, test, inputs):N0} bytes allocated per prediction)");
                report.Add("ONNX Runtime, one row p50 / p99", $"{Timing.Median(runtimeLatency):F1} / {Timing.Percentile(runtimeLatency, 0.99):F1} µs");
                report.Add("PredictionEngine over ApplyOnnxModel p50 / p99", $"{Timing.Median(applyLatency):F1} / {Timing.Percentile(applyLatency, 0.99):F1} µs");
            }
            // The same transformer on its other engine: our scoring engine is ONNX Runtime by default (Auto), libtorch on request.
            var network = ours as NetworkTransformerBase ?? (NetworkTransformerBase)((TransformerChain<ITransformer>)ours).LastTransformer;
            report.Add("our scoring engine (Auto)", network.ActiveScoringEngine.ToString());
            network.ScoringEngine = ScoringEngine.Torch;
            try
            {
                ScoreColumn(ours.Transform(test));
                var torchSeconds = Enumerable.Range(0, Repeats).Select(_ => Timing.Seconds(() => ScoreColumn(ours.Transform(test)))).ToArray();
                report.Add("Transform, ours on the libtorch engine (median)", $"{rows / Timing.Median(torchSeconds):N0} rows/s " +
                    $"(ONNX Runtime engine {Timing.Median(torchSeconds) / Timing.Median(oursSeconds):F2}× it)");
                if (predictions > 0)
                {
                    var torchLatency = EngineLatencies(ml, ours, test, inputs, predictions);
                    report.Add("PredictionEngine, ours on the libtorch engine p50 / p99", $"{Timing.Median(torchLatency):F1} / {Timing.Percentile(torchLatency, 0.99):F1} µs " +
                        $"({BytesPerPrediction(ml, ours, test, inputs):N0} bytes allocated per prediction)");
                }
            }
            finally
            {
                network.ScoringEngine = ScoringEngine.Auto;
            }
            report.Results.Add(new OnnxScoring(architecture, onnx.Length, difference, rows, oursSeconds, runtimeSeconds, applySeconds,
                oursLatency, runtimeLatency, applyLatency));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Every row's Score, flattened (a classifier's probabilities, an autoencoder's error), read through a cursor as an
    /// evaluator reads it; ApplyOnnxModel gives it as a vector column even where ours is a number.
    /// </summary>
    private static float[] ScoreColumn(IDataView scored)
    {
        var column = scored.Schema["Score"];
        var values = new System.Collections.Generic.List<float>();
        using var cursor = scored.GetRowCursor([column]);
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var vector = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getter(ref vector);
                foreach (float value in vector.DenseValues())
                    values.Add(value);
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                values.Add(value);
            }
        }
        return values.ToArray();
    }

    /// <summary>Managed bytes this thread allocates per prediction of a warmed-up PredictionEngine over <paramref name="model"/> (1,000 predictions).</summary>
    private static long BytesPerPrediction(MLContext ml, ITransformer model, IDataView test, PixelsInput[] inputs)
    {
        bool vector = model.GetOutputSchema(test.Schema)["Score"].Type is VectorDataViewType;
        using var vectorEngine = vector ? ml.Model.CreatePredictionEngine<PixelsInput, VectorScore>(model, new PredictionEngineOptions { OwnsTransformer = false }) : null;
        using var scalarEngine = vector ? null : ml.Model.CreatePredictionEngine<PixelsInput, ScalarScore>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var vectorOutput = new VectorScore();
        var scalarOutput = new ScalarScore();
        void Predict(PixelsInput input)
        {
            if (vectorEngine is not null)
                vectorEngine.Predict(input, ref vectorOutput);
            else
                scalarEngine!.Predict(input, ref scalarOutput);
        }
        for (int i = 0; i < 100; i++)
            Predict(inputs[i % inputs.Length]);
        const int Count = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Count; i++)
            Predict(inputs[i % inputs.Length]);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / Count;
    }

    /// <summary>Microseconds per prediction of a PredictionEngine over <paramref name="model"/>, whatever the type of its Score column.</summary>
    private static double[] EngineLatencies(MLContext ml, ITransformer model, IDataView test, PixelsInput[] inputs, int count)
    {
        if (model.GetOutputSchema(test.Schema)["Score"].Type is VectorDataViewType)
        {
            // The model is measured again after the engine (our other scoring engine): the engine must not dispose it.
            using var engine = ml.Model.CreatePredictionEngine<PixelsInput, VectorScore>(model, new PredictionEngineOptions { OwnsTransformer = false });
            return Timing.Latencies(inputs, count, input => engine.Predict(input));
        }
        using var scalarEngine = ml.Model.CreatePredictionEngine<PixelsInput, ScalarScore>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return Timing.Latencies(inputs, count, input => scalarEngine.Predict(input));
    }

    /// <summary>What the exported models read: the 784 pixels, and nothing else.</summary>
    public sealed class PixelsInput
    {
        [VectorType(FashionMnist.PixelCount)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class VectorScore
    {
        public float[] Score { get; set; } = [];
    }

    public sealed class ScalarScore
    {
        public float Score { get; set; }
    }
}
