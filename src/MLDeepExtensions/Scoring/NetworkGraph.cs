using MLDeepExtensions.Onnx;
using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MLDeepExtensions.Scoring;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// The network alone as an ONNX model, for the ONNX Runtime scoring engine: input <see cref="InputName"/>, encoded rows
/// [rows, InputSize] (what the feature encoder writes, so the engine needs no encoder of its own); output
/// <see cref="OutputName"/>, [rows, OutputWidth] floats laid out as <see cref="NetworkScorer"/> writes them (each output
/// column's values in turn; keys and Booleans as numbers). Written by ML.NET's own converter, through the same head
/// export as a pipeline's <c>ConvertToOnnx</c>.
/// </summary>
internal static class NetworkGraph
{
    public const string InputName = "rows";
    public const string OutputName = "scores";

    /// <summary>The ONNX model's bytes; <see cref="NotSupportedException"/> when the network cannot be exported (your own module).</summary>
    public static byte[] Export(NetworkScorer scorer, IReadOnlyList<int> columnWidths)
    {
        var ml = new MLContext(seed: 0);
        var definition = SchemaDefinition.Create(typeof(EncodedRow));
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, scorer.InputSize);
        var rows = ml.Data.LoadFromEnumerable(Array.Empty<EncodedRow>(), definition);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(new Exporter(scorer, columnWidths), rows, stream);
        return stream.ToArray();
    }

    private sealed class EncodedRow
    {
        // The column's name is the graph's input name.
        [ColumnName(InputName)]
        public float[] Rows { get; set; } = [];
    }

    /// <summary>What ML.NET's converter walks: a transformer whose output view writes the network into the graph.</summary>
    private sealed class Exporter(NetworkScorer scorer, IReadOnlyList<int> widths) : ITransformer
    {
        bool ITransformer.IsRowToRowMapper => false;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => View.OutputSchema(inputSchema, scorer.OutputWidth);

        IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

        public IDataView Transform(IDataView input) => new View(input, scorer, widths);

        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();
    }

    private sealed class View(IDataView source, NetworkScorer scorer, IReadOnlyList<int> widths) : ITransformCanSaveOnnx
    {
        public static DataViewSchema OutputSchema(DataViewSchema input, int outputSize)
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(input);
            builder.AddColumn(OutputName, new VectorDataViewType(NumberDataViewType.Single, outputSize));
            return builder.ToSchema();
        }

        public DataViewSchema Schema { get; } = OutputSchema(source.Schema, scorer.OutputWidth);

        public IDataView Source => source;

        public bool CanShuffle => false;

        bool ICanSaveOnnx.CanSaveOnnx(OnnxContext ctx) => true;

        void ISaveAsOnnx.SaveAsOnnx(OnnxContext ctx)
        {
            var graph = new OnnxGraph(ctx, scorer.OwnerName);
            var values = scorer.ExportOnnx(graph, graph.Column(InputName));
            var parts = new string[values.Length];
            for (int i = 0; i < values.Length; i++)
                parts[i] = graph.Reshape(graph.Cast(values[i], OnnxGraph.Types.Float), -1, widths[i]);
            graph.SetColumn(OutputName, Schema[OutputName].Type, parts.Length == 1 ? parts[0] : graph.Concat(1, parts));
        }

        void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();

        public long? GetRowCount() => 0;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            => throw new NotSupportedException("This view only carries the network into an ONNX graph.");

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => throw new NotSupportedException("This view only carries the network into an ONNX graph.");
    }
}
