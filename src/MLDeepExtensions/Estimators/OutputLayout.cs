using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Estimators;

/// <summary>Returns the network output of the row a cursor or row currently stands on.</summary>
internal delegate ReadOnlySpan<float> CurrentOutput();

/// <summary>
/// The columns a network adds to the data and the getters that turn one row of network output (a span of floats,
/// laid out as the network's scorer writes it) into their values.
/// </summary>
internal abstract class OutputLayout
{
    public abstract DataViewSchema.DetachedColumn[] Columns { get; }

    /// <summary>A getter for output column <paramref name="index"/> reading the current row's output.</summary>
    public abstract Delegate CreateGetter(int index, CurrentOutput current);

    /// <summary>The schema a scorer presents: every input column, then the output columns (which hide inputs of the same name).</summary>
    public DataViewSchema AppendTo(DataViewSchema inputSchema)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var column in Columns)
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    /// <summary>The score-column-set id for new scorer columns: one more than any in the input, as ML.NET's scorers do.</summary>
    protected static uint NextScoreSetId(DataViewSchema inputSchema)
        => checked(inputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);

    protected static void CopyVector(ReadOnlySpan<float> values, ref VBuffer<float> dst)
    {
        var editor = VBufferEditor.Create(ref dst, values.Length);
        values.CopyTo(editor.Values);
        dst = editor.Commit();
    }

    /// <summary>The annotations ML.NET's evaluators look for on scorer output columns.</summary>
    protected static DataViewSchema.Annotations.Builder ScorerAnnotations(string columnKind, string valueKind, uint setId)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = columnKind.AsMemory()));
        builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ValueGetter<uint>)((ref uint dst) => dst = setId));
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = valueKind.AsMemory()));
        return builder;
    }
}
