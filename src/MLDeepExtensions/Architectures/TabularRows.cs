using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// The two parts of a tabular row as <see cref="Data.TabularEncoder"/> writes it, for the modules that read them (the MLP,
/// the FT-Transformer): the first <c>numericWidth</c> values, then one key per categorical column, each looked up in its
/// own embedding (row 0: the missing key). In libtorch and in ONNX, so both read the row the same way.
/// </summary>
internal static class TabularRows
{
    /// <summary>The numeric values [batch, numericWidth] of <paramref name="rows"/>.</summary>
    public static Tensor Numeric(Tensor rows, int numericWidth) => rows.narrow(1, 0, numericWidth);

    /// <summary>Each categorical column's embedding of its key, [batch, embedding size], in column order; tensors in the caller's dispose scope.</summary>
    public static List<Tensor> Embed(ModuleList<Embedding> embed, Tensor rows, int numericWidth)
    {
        var embedded = new List<Tensor>(embed.Count);
        using var keys = rows.narrow(1, numericWidth, embed.Count).to(ScalarType.Int64);
        for (int i = 0; i < embed.Count; i++)
            embedded.Add(embed[i].call(keys.select(1, i)));
        return embedded;
    }

    /// <summary><see cref="Numeric"/> in an ONNX graph.</summary>
    public static string ExportNumeric(OnnxGraph graph, string rows, int numericWidth)
        => graph.Gather(rows, 1, [.. Enumerable.Range(0, numericWidth).Select(i => (long)i)]);

    /// <summary><see cref="Embed"/> in an ONNX graph: one [batch, embedding size] variable per column (weights "embed_{i}").</summary>
    public static List<string> ExportEmbeddings(OnnxGraph graph, ModuleList<Embedding> embed, string rows, int numericWidth)
    {
        var embedded = new List<string>(embed.Count);
        for (int i = 0; i < embed.Count; i++)
        {
            string key = graph.Cast(graph.GatherAt(rows, 1, numericWidth + i), OnnxGraph.Types.Int64);
            embedded.Add(graph.Gather(graph.Weights(embed[i].weight!, $"embed_{i}"), key, 0));
        }
        return embedded;
    }
}
