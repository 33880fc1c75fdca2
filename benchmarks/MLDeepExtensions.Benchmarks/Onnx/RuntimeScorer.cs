using System;
using Microsoft.ML.OnnxRuntime;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// What a service does with an exported model: ONNX Runtime's OrtValue API, inputs wrapped around the caller's floats
/// (no copy for batches), one output read back into the caller's array.
/// </summary>
internal sealed class RuntimeScorer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _oneRow;
    private readonly OrtValue _oneRowValue;

    public RuntimeScorer(InferenceSession session, string input, string output)
    {
        _session = session;
        _inputNames = [input];
        _outputNames = [output];
        long width = session.InputMetadata[input].Dimensions[^1];
        _oneRow = new float[width];
        _oneRowValue = OrtValue.CreateTensorValueFromMemory(_oneRow, [1, width]);
    }

    /// <summary>Scores <paramref name="rows"/> rows of <paramref name="features"/> in batches, every output value into <paramref name="output"/>.</summary>
    public void ScoreAll(float[] features, int rows, int batchSize, float[] output)
    {
        int width = _oneRow.Length;
        int written = 0;
        for (int start = 0; start < rows; start += batchSize)
        {
            int count = Math.Min(batchSize, rows - start);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, features.AsMemory(start * width, count * width), [count, width]);
            using var results = _session.Run(_runOptions, _inputNames, [input], _outputNames);
            var values = results[0].GetTensorDataAsSpan<float>();
            values.CopyTo(output.AsSpan(written));
            written += values.Length;
        }
    }

    /// <summary>Scores one row: copies it into the input buffer, runs, reads the first output values.</summary>
    public void ScoreOne(float[] features, float[] output)
    {
        features.CopyTo(_oneRow, 0);
        using var results = _session.Run(_runOptions, _inputNames, [_oneRowValue], _outputNames);
        results[0].GetTensorDataAsSpan<float>()[..output.Length].CopyTo(output);
    }

    public void Dispose()
    {
        _oneRowValue.Dispose();
        _runOptions.Dispose();
    }
}
