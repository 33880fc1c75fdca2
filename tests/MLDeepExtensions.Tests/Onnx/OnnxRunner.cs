using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Onnx;

/// <summary>
/// Exports a fitted pipeline with ML.NET's converter, runs the graph with ONNX Runtime and with ML.NET's
/// ApplyOnnxModel, and measures how far each output column is from the pipeline's own Transform.
/// </summary>
internal static class OnnxRunner
{
    /// <summary>
    /// <paramref name="model"/> with every network in it scoring on libtorch: the export tests compare the exported graph
    /// with the trained module, not with our ONNX Runtime engine (which runs the same kind of graph; ScoringEngineTests
    /// compare the engines).
    /// </summary>
    public static T OnLibtorch<T>(this T model)
        where T : ITransformer
    {
        if (model is NetworkTransformerBase network)
            network.ScoringEngine = ScoringEngine.Torch;
        else if (model is System.Collections.Generic.IEnumerable<ITransformer> chain)
            foreach (var step in chain)
                step.OnLibtorch();
        return model;
    }

    public static byte[] Export(MLContext ml, ITransformer model, IDataView data, int? opset = null)
    {
        using var stream = new MemoryStream();
        if (opset is { } version)
            ml.Model.ConvertToOnnx(model, data, version, stream);
        else
            ml.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>Every column's values per row as floats (keys as their number, Booleans as 0/1, text not).</summary>
    public static float[][] Read(IDataView data, string column)
    {
        var type = data.Schema[column].Type;
        var itemType = type is VectorDataViewType v ? v.ItemType : type;
        bool vector = type is VectorDataViewType;
        return itemType.RawType switch
        {
            var t when t == typeof(float) => vector ? data.GetColumn<float[]>(column).ToArray() : data.GetColumn<float>(column).Select(x => new[] { x }).ToArray(),
            var t when t == typeof(uint) => vector ? data.GetColumn<uint[]>(column).Select(r => r.Select(x => (float)x).ToArray()).ToArray() : data.GetColumn<uint>(column).Select(x => new[] { (float)x }).ToArray(),
            var t when t == typeof(bool) => vector ? data.GetColumn<bool[]>(column).Select(r => r.Select(x => x ? 1f : 0f).ToArray()).ToArray() : data.GetColumn<bool>(column).Select(x => new[] { x ? 1f : 0f }).ToArray(),
            _ => throw new ArgumentException($"Column {column} of type {type} is not compared."),
        };
    }

    /// <summary>The inputs of <paramref name="session"/> filled from <paramref name="rows"/> of <paramref name="data"/>, one batch.</summary>
    public static List<NamedOnnxValue> Inputs(InferenceSession session, IDataView data, IReadOnlyList<int> rows)
    {
        var inputs = new List<NamedOnnxValue>();
        foreach (var (name, meta) in session.InputMetadata)
        {
            var column = data.Schema[name];
            var type = column.Type;
            int n = rows.Count;
            if (type is VectorDataViewType { ItemType: var item } vector && item.RawType == typeof(float))
            {
                var all = data.GetColumn<float[]>(column).ToArray();
                int width = all[rows[0]].Length;
                var dims = vector.IsKnownSize ? new[] { n }.Concat(vector.Dimensions.ToArray()).ToArray() : [n, width];
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(rows.SelectMany(r => all[r]).ToArray(), dims)));
            }
            else if (type is VectorDataViewType { ItemType: var key } && key.RawType == typeof(uint))
            {
                var all = data.GetColumn<uint[]>(column).ToArray();
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<uint>(rows.SelectMany(r => all[r]).ToArray(), [n, all[rows[0]].Length])));
            }
            else if (type.RawType == typeof(float))
            {
                var all = data.GetColumn<float>(column).ToArray();
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(rows.Select(r => all[r]).ToArray(), [n, 1])));
            }
            else if (type.RawType == typeof(bool))
            {
                var all = data.GetColumn<bool>(column).ToArray();
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(rows.Select(r => all[r]).ToArray(), [n, 1])));
            }
            else if (type is TextDataViewType)
            {
                var all = data.GetColumn<string>(column).ToArray();
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(rows.Select(r => all[r]).ToArray(), [n, 1])));
            }
            else
            {
                throw new ArgumentException($"Input {name} of type {type} is not fed by this test helper.");
            }
        }
        return inputs;
    }

    /// <summary>Output <paramref name="name"/> of one run as rows of floats.</summary>
    public static float[][] Output(IReadOnlyCollection<DisposableNamedOnnxValue> results, string name)
    {
        var value = results.Single(r => r.Name == name);
        float[] flat;
        int[] dims;
        switch (value.Value)
        {
            case DenseTensor<float> f: flat = f.ToArray(); dims = f.Dimensions.ToArray(); break;
            case DenseTensor<uint> u: flat = u.ToArray().Select(x => (float)x).ToArray(); dims = u.Dimensions.ToArray(); break;
            case DenseTensor<bool> b: flat = b.ToArray().Select(x => x ? 1f : 0f).ToArray(); dims = b.Dimensions.ToArray(); break;
            default: throw new ArgumentException($"Output {name} is a {value.Value.GetType().Name}.");
        }
        int width = flat.Length / dims[0];
        return Enumerable.Range(0, dims[0]).Select(i => flat.AsSpan(i * width, width).ToArray()).ToArray();
    }

    /// <summary>
    /// Runs the graph on <paramref name="data"/> with ONNX Runtime (one batch, or row by row) and returns the largest
    /// difference from <paramref name="expected"/> per column; the caller asserts.
    /// </summary>
    public static Dictionary<string, double> CompareOnnxRuntime(byte[] onnx, IDataView data, IDataView expected, string[] columns, bool rowByRow)
    {
        using var session = new InferenceSession(onnx);
        int count = 0;
        using (var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>()))
            while (cursor.MoveNext())
                count++;
        var batches = rowByRow ? Enumerable.Range(0, count).Select(i => new[] { i }).ToArray() : [Enumerable.Range(0, count).ToArray()];
        var got = columns.ToDictionary(c => c, _ => new List<float[]>());
        foreach (var batch in batches)
        {
            using var results = session.Run(Inputs(session, data, batch));
            foreach (var column in columns)
                got[column].AddRange(Output(results, column + ".output"));
        }
        return columns.ToDictionary(c => c, c => MaxDifference(Read(expected, c), got[c].ToArray()));
    }

    /// <summary>Scores <paramref name="data"/> with ML.NET's ApplyOnnxModel and returns the largest difference per column.</summary>
    public static Dictionary<string, double> CompareApplyOnnxModel(MLContext ml, byte[] onnx, IDataView data, IDataView expected, string[] columns)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlde-onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, onnx);
        try
        {
            string[] inputs;
            using (var session = new InferenceSession(onnx))
                inputs = session.InputMetadata.Keys.ToArray();
            var outputs = columns.Select(c => c + ".output").ToArray();
            using var transformer = ml.Transforms.ApplyOnnxModel(outputs, inputs, path).Fit(data);
            var scored = transformer.Transform(data);
            // ApplyOnnxModel names each output column after the pipeline's column (without ".output"), as a [1, n] vector.
            return columns.ToDictionary(c => c, c => MaxDifference(Read(expected, c), Read(scored, c)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The largest |a − b| over all values, relative for values above 1 in size; infinity when shapes differ.</summary>
    public static double MaxDifference(float[][] expected, float[][] actual)
    {
        if (expected.Length != actual.Length)
            return double.PositiveInfinity;
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i].Length != actual[i].Length)
                return double.PositiveInfinity;
            for (int j = 0; j < expected[i].Length; j++)
                max = Math.Max(max, Math.Abs(expected[i][j] - actual[i][j]) / Math.Max(1, Math.Abs(expected[i][j])));
        }
        return max;
    }

    /// <summary>Asserts every column within <paramref name="tolerance"/> and logs the differences.</summary>
    public static void AssertClose(Dictionary<string, double> differences, string what, double tolerance = 1e-5)
    {
        Console.WriteLine($"{what}: " + string.Join(", ", differences.Select(d => $"{d.Key} {d.Value:G3}")));
        foreach (var (column, difference) in differences)
            Assert.IsLessThanOrEqualTo(tolerance, difference, $"{what}: column {column} differs by {difference:G3} from our Transform");
    }
}
