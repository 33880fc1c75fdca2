using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The forecaster in the <c>onnx</c> section: the default forecasting network on windows of the monthly Mauna Loa CO₂
/// series (36 months → 12, with the 10%/90% bounds), scored on every window (repeated to 10,000 rows) by our Transform
/// on each engine and by an ONNX Runtime session on the graph <c>ConvertToOnnx</c> writes; then one window at a time.
/// </summary>
internal static class ForecasterServing
{
    private const int Lookback = 36, Horizon = 12, Rows = 10_000, BatchSize = 1024, Repeats = 5;

    public static void Measure(MLContext ml, int predictions, Report report)
    {
        report.Section($"ONNX export, forecaster: windows of {Lookback} months of Mauna Loa CO₂ → {Horizon}, fitted for 20 epochs; {Rows} windows " +
            $"scored in batches of {BatchSize} ({Repeats} runs each, after a warm-up), then {predictions} single windows");
        var values = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "forecasting/co2.csv")).Skip(1).Where(l => l.Length > 0)
            .Select(l => float.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();
        var windows = ml.Data.CreateForecastingWindows(ml.Data.LoadFromEnumerable(values.Select(v => new SeriesValue { Value = v })),
            nameof(SeriesValue.Value), Lookback, Horizon);
        using var model = ml.Forecasting.DeepNetwork(new ForecastingOptions { Epochs = 20, Seed = 1, SeasonalPeriod = 12, ScoringBatchSize = BatchSize }).Fit(windows);

        var features = windows.GetColumn<float[]>("Features").ToArray();
        var inputs = Enumerable.Range(0, Rows).Select(i => new WindowInput { Features = features[i % features.Length] }).ToArray();
        var view = ml.Data.LoadFromEnumerable(inputs);
        var flat = inputs.SelectMany(input => input.Features).ToArray();
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, view, stream);
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = get_num_threads(), InterOpNumThreads = 1 };
        using var session = new InferenceSession(stream.ToArray(), sessionOptions);
        using var runtime = new RuntimeScorer(session, "Features", "Forecast.output");

        float[] Ours() => model.Transform(view).GetColumn<float[]>("Forecast").SelectMany(r => r).ToArray();
        var exported = new float[Rows * Horizon];
        runtime.ScoreAll(flat, Rows, BatchSize, exported);
        var expected = Ours();
        report.Add("largest |ONNX Runtime − ours| over every Forecast value", $"{expected.Zip(exported, (a, b) => Math.Abs((double)a - b)).Max():G2}");

        double Throughput(Action action)
        {
            action();
            return Rows / Timing.Median(Enumerable.Range(0, Repeats).Select(_ => Timing.Seconds(action)).ToArray());
        }
        double raw = Throughput(() => runtime.ScoreAll(flat, Rows, BatchSize, exported));
        double onnxEngine = Throughput(() => Ours());
        model.ScoringEngine = ScoringEngine.Torch;
        double torchEngine = Throughput(() => Ours());
        report.Add("Transform, ours on the ONNX Runtime engine (median)", $"{onnxEngine:N0} rows/s ({onnxEngine / raw:F2}× the raw session; goal ≥ 0.9)");
        report.Add("ONNX Runtime session, batches (median)", $"{raw:N0} rows/s");
        report.Add("Transform, ours on the libtorch engine (median)", $"{torchEngine:N0} rows/s");

        if (predictions <= 0)
            return;
        var one = new float[Horizon];
        var rawLatency = Timing.Latencies(inputs, predictions, input => runtime.ScoreOne(input.Features, one));
        foreach (var engine in new[] { ScoringEngine.OnnxRuntime, ScoringEngine.Torch })
        {
            model.ScoringEngine = engine;
            using var prediction = ml.Model.CreatePredictionEngine<WindowInput, ForecastOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
            var latency = Timing.Latencies(inputs, predictions, input => prediction.Predict(input));
            report.Add($"PredictionEngine, ours on the {(engine == ScoringEngine.Torch ? "libtorch" : "ONNX Runtime")} engine p50 / p99",
                $"{Timing.Median(latency):F1} / {Timing.Percentile(latency, 0.99):F1} µs" +
                (engine == ScoringEngine.OnnxRuntime ? $" ({Timing.Median(latency) / Timing.Median(rawLatency):F2}× the raw one-row run; goal ≤ 1.3)" : ""));
        }
        report.Add("ONNX Runtime, one window p50 / p99", $"{Timing.Median(rawLatency):F1} / {Timing.Percentile(rawLatency, 0.99):F1} µs");
    }

    private sealed class SeriesValue
    {
        public float Value { get; set; }
    }

    public sealed class WindowInput
    {
        [VectorType(Lookback)]
        public float[] Features { get; set; } = [];
    }

    public sealed class ForecastOutput
    {
        public float[] Forecast { get; set; } = [];
    }
}
