using System;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Samples;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// Batched Transform against a bare batched forward of the same network, and optionally PredictionEngine latency
/// against a bare one-row forward.
/// </summary>
internal static class ScoringComparison
{
    private const int BatchSize = 1024;

    /// <param name="architecture">The results-table column (<see cref="Architectures"/>).</param>
    /// <param name="data">The test images, as an IDataView for ours and a tensor for bare.</param>
    /// <param name="ours">Our fitted transformer.</param>
    /// <param name="bare">The bare network with the same layers.</param>
    /// <param name="predictions">Single-row predictions to time; 0 skips the latency section.</param>
    /// <param name="repeats">Timed Transform runs per side (after one warm-up).</param>
    /// <param name="report">Where the results go.</param>
    public static void Run(string architecture, BenchmarkData data, DeepNetworkTransformer ours, BareNetwork bare, int predictions, int repeats, Report report)
    {
        int rows = data.TestImages.Length;
        report.Section($"Transform: {rows} test rows, batches of {BatchSize}, {repeats} runs each after a warm-up");
        var probabilities = new float[rows * 10];
        TransformOurs(data.RawTest, ours);
        bare.ScoreAll(data.TestFeatures, BatchSize, probabilities);
        var batch = new float[BatchSize * FashionMnist.PixelCount];
        ReadRows(data.RawTest, batch);
        var oursSeconds = new double[repeats];
        var bareSeconds = new double[repeats];
        var readSeconds = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            oursSeconds[i] = Timing.Seconds(() => TransformOurs(data.RawTest, ours));
            bareSeconds[i] = Timing.Seconds(() => bare.ScoreAll(data.TestFeatures, BatchSize, probabilities));
            readSeconds[i] = Timing.Seconds(() => ReadRows(data.RawTest, batch));
        }
        var timing = new ScoringTiming(architecture, rows, oursSeconds, bareSeconds, readSeconds);
        report.Add("transform ours (median / best)", RowsPerSecond(rows, oursSeconds));
        report.Add("transform bare TorchSharp (median / best)", RowsPerSecond(rows, bareSeconds));
        report.Add("transform ratio (ours/bare, rows/s)", $"{timing.RatioByMedian:F2} by median, {timing.RatioByBest:F2} by best run (target >= 0.95)");
        report.Add("reading the rows from the IDataView (cursor + one copy a row, median)", $"{Timing.Median(readSeconds) * 1000:F1} ms");
        report.Add("transform ratio (ours/(bare + that read), rows/s)", $"{timing.RatioWithReadByMedian:F2} by median");
        report.Results.Add(timing);
        if (predictions == 0)
            return;

        report.Section($"Single-row latency: {predictions} predictions after {predictions / 10} warm-up ones");
        using var engine = data.MLContext.Model.CreatePredictionEngine<FashionImage, ScoreOutput>(ours);
        var oursLatency = Timing.Latencies(data.TestImages, predictions, image => engine.Predict(image));
        var one = new float[10];
        var bareLatency = Timing.Latencies(data.TestImages, predictions, image => bare.ScoreOne(image.Pixels, one));
        report.Add("PredictionEngine p50 / p99", $"{Timing.Median(oursLatency):F1} / {Timing.Percentile(oursLatency, 0.99):F1} µs");
        report.Add("bare one-row forward p50 / p99", $"{Timing.Median(bareLatency):F1} / {Timing.Percentile(bareLatency, 0.99):F1} µs");
        report.Results.Add(new LatencyResult(architecture, predictions, Timing.Median(oursLatency), Timing.Percentile(oursLatency, 0.99),
            Timing.Median(bareLatency), Timing.Percentile(bareLatency, 0.99)));
    }

    private static string RowsPerSecond(int rows, double[] seconds)
        => $"{rows / Timing.Median(seconds):N0} / {rows / seconds.Min():N0} rows/s ({Timing.Median(seconds) * 1000:F1} / {seconds.Min() * 1000:F1} ms)";

    /// <summary>
    /// What any program that takes its rows from an IDataView pays before a forward pass, and the bare side does not (it
    /// scores tensors built beforehand): the pixel column of every row through a cursor, copied into a batch buffer.
    /// </summary>
    private static float ReadRows(IDataView test, float[] batch)
    {
        var pixels = test.Schema["Pixels"];
        using var cursor = test.GetRowCursor(new[] { pixels });
        var getter = cursor.GetGetter<VBuffer<float>>(pixels);
        var value = default(VBuffer<float>);
        int rowsPerBatch = batch.Length / FashionMnist.PixelCount, row = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            value.GetValues().CopyTo(batch.AsSpan(row * FashionMnist.PixelCount, FashionMnist.PixelCount));
            row = (row + 1) % rowsPerBatch;
        }
        return batch[0];
    }

    /// <summary>Reads the Score column of every transformed row, as an evaluator would.</summary>
    public static float TransformOurs(IDataView test, ITransformer model)
    {
        var scored = model.Transform(test);
        var score = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor(new[] { score });
        var getter = cursor.GetGetter<VBuffer<float>>(score);
        var value = default(VBuffer<float>);
        float checksum = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            checksum += value.GetValues()[0];
        }
        return checksum;
    }

    /// <summary>PredictionEngine output: the class probabilities.</summary>
    public sealed class ScoreOutput
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
