using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Estimators;

namespace MLDeepExtensions.Data;

/// <summary>
/// A network scorer bound to one input schema: the output schema it presents and where its features come from.
/// Shared by the one-row mapper (PredictionEngine) and the batched data view (Transform).
/// </summary>
internal sealed class BoundScorer
{
    public BoundScorer(NetworkScorer scorer, FeatureEncoder encoder, OutputLayout layout, DataViewSchema inputSchema, string featureColumnName)
    {
        encoder.CheckColumn(SchemaChecks.FindFeatureColumn(inputSchema, featureColumnName));
        Scorer = scorer;
        Encoder = encoder;
        Layout = layout;
        InputSchema = inputSchema;
        FeatureColumn = inputSchema[featureColumnName];
        OutputSchema = layout.AppendTo(inputSchema);
    }

    public NetworkScorer Scorer { get; }

    public FeatureEncoder Encoder { get; }

    public OutputLayout Layout { get; }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public DataViewSchema.Column FeatureColumn { get; }

    /// <summary>True when <paramref name="index"/> (in <see cref="OutputSchema"/>) is an output column.</summary>
    public bool IsOutput(int index) => index >= InputSchema.Count;

    /// <summary>The input columns needed to produce the given output-schema columns.</summary>
    public IEnumerable<DataViewSchema.Column> InputDependencies(IEnumerable<DataViewSchema.Column> columns)
    {
        var needed = new HashSet<int>();
        foreach (var column in columns)
            needed.Add(IsOutput(column.Index) ? FeatureColumn.Index : column.Index);
        return needed.OrderBy(i => i).Select(i => InputSchema[i]);
    }
}
