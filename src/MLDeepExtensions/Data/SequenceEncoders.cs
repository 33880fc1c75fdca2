using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Onnx;

namespace MLDeepExtensions.Data;

/// <summary>
/// Variable-length Single vectors holding <c>features</c> values per step: encoded as [steps, values…, zeros] with
/// at most <c>maxSteps</c> steps (a longer sequence keeps its last ones). An empty sequence, or a length that is not a
/// whole number of steps, is an error naming the column and row.
/// </summary>
internal sealed class VariableSequenceEncoder(int features, int maxSteps) : FeatureEncoder
{
    public override int InputSize => 1 + features * maxSteps;

    public override DataViewType ColumnType => new VectorDataViewType(NumberDataViewType.Single);

    public override void CheckColumn(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw SchemaChecks.Mismatch("feature", column.Name, "a vector of Single (a sequence)", column.Type.ToString()!,
                "Apply the same feature pipeline that was used for training.");
    }

    public override RowEncoder CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var value = default(VBuffer<float>);
        var dense = Array.Empty<float>();
        return destination =>
        {
            getter(ref value);
            if (value.Length == 0 || value.Length % features != 0)
                throw SequenceErrors.BadLength(column.Name, row.Position, value.Length, features);
            if (dense.Length < value.Length)
                dense = new float[value.Length];
            value.CopyTo(dense.AsSpan(0, value.Length));
            int steps = Math.Min(value.Length / features, maxSteps);
            var kept = dense.AsSpan(value.Length - steps * features, steps * features);
            destination.Clear();
            destination[0] = steps;
            kept.CopyTo(destination[1..]);
        };
    }

    /// <summary>
    /// In ONNX the column is a batch [rows, values] of one width. A row fed alone is all steps, as in ML.NET; in a batch
    /// of sequences of different lengths, shorter ones are padded at the end with steps of NaN, which are not counted.
    /// The last <c>maxSteps</c> steps are kept, as here.
    /// </summary>
    public override string ExportOnnx(OnnxGraph graph, string column)
    {
        string steps = graph.Reshape(column, 0, -1, features);
        string padding = graph.Op("IsNaN", graph.GatherAt(steps, 2, 0));
        string present = graph.Cast(graph.Op("Not", padding), OnnxGraph.Types.Float);
        string clean = graph.Where(graph.Op("IsNaN", steps), graph.Float(0f), steps);
        return SequenceOnnx.LastSteps(graph, clean, graph.ReduceSum(present, 1, keep: true), maxSteps, features);
    }
}

/// <summary>
/// Variable-length vectors of keys (tokens 1…V of a key type with V values): encoded as [steps, token ids…, zeros]
/// with at most <c>maxSteps</c> tokens (a longer sequence keeps its last ones). A missing key (0, e.g. a word not seen
/// by MapValueToKey) becomes the "unknown" token V + 1. An empty sequence is an error naming the column and row.
/// </summary>
internal sealed class TokenSequenceEncoder(SequenceInput input) : FeatureEncoder
{
    private readonly int vocabulary = input.Vocabulary;
    private readonly int maxSteps = input.Steps;

    public override int InputSize => input.Width;

    public override DataViewType ColumnType => new VectorDataViewType(new KeyDataViewType(typeof(uint), vocabulary));

    public override void CheckColumn(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType { ItemType: KeyDataViewType key } || key.RawType != typeof(uint))
            throw SchemaChecks.Mismatch("feature", column.Name, $"a vector of keys (tokens) with {vocabulary} values", column.Type.ToString()!,
                "Map tokens with the same MapValueToKey that was used for training.");
        if (key.Count != (ulong)vocabulary)
            throw SchemaChecks.Mismatch("feature", column.Name, $"tokens of a key type with {vocabulary} values (the training vocabulary)",
                $"keys with {key.Count} values", "Use the MapValueToKey fitted on the training data, so token keys mean the same words.");
    }

    public override RowEncoder CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<uint>>(column);
        var value = default(VBuffer<uint>);
        var dense = Array.Empty<uint>();
        uint unknown = (uint)input.UnknownToken;
        return destination =>
        {
            getter(ref value);
            if (value.Length == 0)
                throw SequenceErrors.BadLength(column.Name, row.Position, 0, 1);
            if (dense.Length < value.Length)
                dense = new uint[value.Length];
            value.CopyTo(dense.AsSpan(0, value.Length));
            int steps = Math.Min(value.Length, maxSteps);
            destination.Clear();
            destination[0] = steps;
            for (int i = 0; i < steps; i++)
            {
                uint token = dense[value.Length - steps + i];
                if (token > vocabulary)
                    throw new ArgumentOutOfRangeException(null, $"Feature column '{column.Name}' has token key {token} at row {row.Position}, outside the vocabulary of {vocabulary} the network was trained with.");
                destination[1 + i] = token == 0 ? unknown : token;
            }
        };
    }

    /// <summary>
    /// In ONNX the column is a batch [rows, tokens] of one width. A row fed alone is all tokens, as in ML.NET; in a batch
    /// of sequences of different lengths, shorter ones are padded at the end with any key above the vocabulary (e.g.
    /// uint.MaxValue), which is not counted. Missing keys (0) become the unknown token and the last <c>maxSteps</c> are kept, as here.
    /// </summary>
    public override string ExportOnnx(OnnxGraph graph, string column)
    {
        // [rows, tokens]; ML.NET's exported tokenizer gives [rows, 1, tokens].
        string tokens = graph.Cast(graph.Reshape(column, 0, -1), OnnxGraph.Types.Int64);
        string present = graph.Cast(graph.Op("Not", graph.Op("Greater", [tokens, graph.Int64(vocabulary, "vocabulary")])), OnnxGraph.Types.Float);
        tokens = graph.Where(graph.Op("Equal", [tokens, graph.Int64(0, "missing")]), graph.Int64(input.UnknownToken, "unknown"), tokens);
        string steps = graph.Cast(graph.Unsqueeze(tokens, 2), OnnxGraph.Types.Float);
        return SequenceOnnx.LastSteps(graph, steps, graph.ReduceSum(present, 1, keep: true), maxSteps, 1);
    }
}

/// <summary>What the two sequence encoders share in ONNX: keeping each row's last steps, written as [length, values…, zeros].</summary>
internal static class SequenceOnnx
{
    /// <summary>
    /// Rows [batch, 1 + maxSteps·features] from <paramref name="steps"/> [batch, steps, features] (finite) of which the first
    /// <paramref name="lengths"/> [batch, 1] (floats) are the sequence: its last maxSteps steps, then zeros.
    /// </summary>
    public static string LastSteps(OnnxGraph graph, string steps, string lengths, int maxSteps, int features)
    {
        graph.RequireOpset(11, "a recurrent network on variable-length sequences (GatherElements)");
        string limit = graph.Float(maxSteps);
        string kept = graph.Op("Min", [lengths, limit]);
        string first = graph.Op("Max", [graph.Sub(lengths, limit), graph.Float(0f)]);
        string positions = graph.Floats(Enumerable.Range(0, maxSteps).Select(i => (float)i).ToArray(), [1, maxSteps], "positions");
        // maxSteps zero steps appended, so every index is in range without reading the input's shape: ONNX Runtime folds
        // Shape from declared shapes, and ML.NET's exported tokenizer declares [rows, 1] for any number of tokens.
        string zeros = graph.Mul(graph.Gather(steps, 1, new long[maxSteps]), graph.Float(0f));
        string extended = graph.Concat(1, steps, zeros);
        string index = graph.Cast(graph.Add(first, positions), OnnxGraph.Types.Int64);
        index = graph.Op("Expand", [graph.Unsqueeze(index, 2), graph.Int64s([1, 1, features])]);
        string values = graph.Op("GatherElements", [extended, index], ("axis", 1L));
        values = graph.Where(graph.Unsqueeze(graph.Op("Less", [positions, kept]), 2), values, graph.Float(0f));
        return graph.Concat(1, kept, graph.Reshape(values, 0, (long)maxSteps * features));
    }
}

internal static class SequenceErrors
{
    public static ArgumentException BadLength(string column, long position, int length, int features)
        => length == 0
            ? new ArgumentException($"Feature column '{column}' holds an empty sequence at row {position}; a recurrent network needs at least one step. Filter such rows out first.")
            : new ArgumentException($"Feature column '{column}' holds {length} values at row {position}, which is not a whole number of steps of {features} features. Check {nameof(RnnArchitecture)}.{nameof(RnnArchitecture.FeaturesPerStep)}.");
}
