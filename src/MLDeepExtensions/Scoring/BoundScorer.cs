using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// A network scorer bound to one input schema: the output schema it presents and where its features come from.
/// Shared by the one-row mapper (PredictionEngine) and the batched data view (Transform).
/// </summary>
internal sealed class BoundScorer
{
    private readonly IReadOnlyList<OutputColumn> _columns;
    private readonly int[] _offsets;

    public BoundScorer(NetworkScorer scorer, FeatureEncoder encoder, NetworkHead head, DataViewSchema inputSchema, string featureColumnName)
    {
        encoder.CheckColumn(SchemaChecks.FindFeatureColumn(inputSchema, featureColumnName));
        encoder.CheckOtherInputColumns(inputSchema);
        Scorer = scorer;
        Encoder = encoder;
        InputSchema = inputSchema;
        FeatureColumn = inputSchema[featureColumnName];
        OutputSchema = OutputColumn.Append(inputSchema, head.CreateColumns(inputSchema));
        _columns = head.Columns;
        _offsets = new int[_columns.Count];
        for (int i = 1; i < _offsets.Length; i++)
            _offsets[i] = _offsets[i - 1] + _columns[i - 1].Width;
    }

    public NetworkScorer Scorer { get; }

    public FeatureEncoder Encoder { get; }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public DataViewSchema.Column FeatureColumn { get; }

    /// <summary>True when <paramref name="index"/> (in <see cref="OutputSchema"/>) is an output column.</summary>
    public bool IsOutput(int index) => index >= InputSchema.Count;

    /// <summary>A getter of output-schema column <paramref name="index"/> (an output column) reading the current row's output.</summary>
    public Delegate CreateOutputGetter(int index, CurrentOutput current)
    {
        int column = index - InputSchema.Count;
        return _columns[column].CreateGetter(_offsets[column], current);
    }

    /// <summary>The input columns needed to produce the given output-schema columns.</summary>
    public IEnumerable<DataViewSchema.Column> InputDependencies(IEnumerable<DataViewSchema.Column> columns)
    {
        var needed = new HashSet<int>();
        foreach (var column in columns)
        {
            if (!IsOutput(column.Index))
                needed.Add(column.Index);
            else
                needed.UnionWith(Encoder.InputColumns(InputSchema, FeatureColumn).Select(input => input.Index));
        }
        return needed.OrderBy(i => i).Select(i => InputSchema[i]);
    }
}
