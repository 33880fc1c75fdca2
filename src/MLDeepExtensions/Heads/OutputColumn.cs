using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Heads;

/// <summary>The value type of an output column.</summary>
internal enum OutputKind
{
    /// <summary>One Single.</summary>
    Single,

    /// <summary>A known-size vector of Single (<see cref="OutputColumn.Size"/> values).</summary>
    Vector,

    /// <summary>A UInt32 key of <see cref="OutputColumn.Size"/> values, written by the scorer as its number (0 for missing).</summary>
    Key,

    /// <summary>A Boolean, written by the scorer as 0 or 1.</summary>
    Boolean,

    /// <summary>A known-size vector of Boolean (<see cref="OutputColumn.Size"/> values), written by the scorer as 0s and 1s.</summary>
    BooleanVector,
}

/// <summary>Which of the label's class names an output column carries.</summary>
internal enum ClassNames
{
    None,

    /// <summary>As the column's KeyValues (a predicted-label key).</summary>
    KeyValues,

    /// <summary>As TrainingLabelValues, and SlotNames when they are text (a multiclass score vector).</summary>
    TrainingLabelValues,

    /// <summary>As SlotNames, the vector label's own (a multi-label score, probability or prediction vector).</summary>
    SlotNames,
}

/// <summary>
/// One column a head adds, described once: the estimator's schema shape, the transformer's schema (type and the
/// annotations ML.NET's evaluators look for) and the getter reading it from the scorer's row of floats all come from it.
/// </summary>
/// <param name="Name">The column name.</param>
/// <param name="Kind">The value type.</param>
/// <param name="Size">Values of a vector, or the key count of a key; 0 while unknown (schema shapes only).</param>
/// <param name="ScoreColumnKind">ML.NET's score-column kind (e.g. "BinaryClassification"), or null for a plain column.</param>
/// <param name="ScoreValueKind">ML.NET's score-value kind ("Score", "Probability", "PredictedLabel"), with <paramref name="ScoreColumnKind"/>.</param>
/// <param name="ClassNames">Which class names the column carries.</param>
internal sealed record OutputColumn(string Name, OutputKind Kind, int Size = 0, string? ScoreColumnKind = null, string? ScoreValueKind = null,
    ClassNames ClassNames = ClassNames.None)
{
    /// <summary>Floats this column takes in the scorer's row.</summary>
    public int Width => Kind is OutputKind.Vector or OutputKind.BooleanVector ? Size : 1;

    private bool IsProbability => ScoreValueKind == AnnotationUtils.Const.ScoreValueKind.Probability;

    /// <summary>The column as a schema shape; <paramref name="label"/> supplies the class names' shape.</summary>
    public SchemaShape.Column ToShape(SchemaShape.Column? label)
    {
        var annotations = new List<SchemaShape.Column>();
        if (ClassNames == ClassNames.TrainingLabelValues && label is { } scoreLabel)
            annotations.AddRange(AnnotationUtils.AnnotationsForMulticlassScoreColumn(scoreLabel));
        else if (ScoreColumnKind is not null)
            annotations.AddRange(AnnotationUtils.GetTrainerOutputAnnotation(IsProbability));
        if (ClassNames == ClassNames.SlotNames && label is { } vectorLabel && vectorLabel.Annotations.TryFindColumn(AnnotationUtils.Kinds.SlotNames, out var slotNames))
            annotations.Insert(0, slotNames);
        if (ClassNames == ClassNames.KeyValues && label is { } keyLabel && keyLabel.Annotations.TryFindColumn(AnnotationUtils.Kinds.KeyValues, out var keyValues))
            annotations.Insert(0, keyValues);
        var (vectorKind, itemType) = Kind switch
        {
            OutputKind.Vector => (SchemaShape.Column.VectorKind.Vector, (DataViewType)NumberDataViewType.Single),
            OutputKind.BooleanVector => (SchemaShape.Column.VectorKind.Vector, BooleanDataViewType.Instance),
            OutputKind.Key => (SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32),
            OutputKind.Boolean => (SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance),
            _ => (SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single),
        };
        return new SchemaShape.Column(Name, vectorKind, itemType, Kind == OutputKind.Key, new SchemaShape(annotations));
    }

    /// <summary>The column of the transformer's schema, its scorer annotations in score-column set <paramref name="setId"/>.</summary>
    public DataViewSchema.DetachedColumn ToColumn(uint setId, DataViewSchema.Annotations? keyValues)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (ScoreColumnKind is not null)
        {
            AddText(builder, AnnotationUtils.Kinds.ScoreColumnKind, ScoreColumnKind);
            builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ValueGetter<uint>)((ref uint dst) => dst = setId));
            AddText(builder, AnnotationUtils.Kinds.ScoreValueKind, ScoreValueKind!);
        }
        if (IsProbability)
            builder.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ValueGetter<bool>)((ref bool dst) => dst = true));
        if (keyValues is not null && ClassNames is ClassNames.KeyValues or ClassNames.SlotNames)
            builder.Add(keyValues, _ => true);
        if (keyValues is not null && ClassNames == ClassNames.TrainingLabelValues)
        {
            var names = keyValues.Schema[AnnotationUtils.Kinds.KeyValues];
            builder.Add(AnnotationUtils.Kinds.TrainingLabelValues, names.Type, KeyValuesGetter(keyValues, names));
            if (names.Type is VectorDataViewType { ItemType: TextDataViewType })
                builder.Add(AnnotationUtils.Kinds.SlotNames, names.Type, KeyValuesGetter(keyValues, names));
        }
        DataViewType type = Kind switch
        {
            OutputKind.Vector => new VectorDataViewType(NumberDataViewType.Single, Size),
            OutputKind.BooleanVector => new VectorDataViewType(BooleanDataViewType.Instance, Size),
            OutputKind.Key => new KeyDataViewType(typeof(uint), Size),
            OutputKind.Boolean => BooleanDataViewType.Instance,
            _ => NumberDataViewType.Single,
        };
        return new DataViewSchema.DetachedColumn(Name, type, builder.ToAnnotations());
    }

    /// <summary>A getter of this column's value from the current row's output, where the column starts at <paramref name="offset"/>.</summary>
    public Delegate CreateGetter(int offset, CurrentOutput current) => Kind switch
    {
        OutputKind.Vector => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, Size);
            current().Slice(offset, Size).CopyTo(editor.Values);
            dst = editor.Commit();
        }),
        OutputKind.BooleanVector => (ValueGetter<VBuffer<bool>>)((ref VBuffer<bool> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, Size);
            var values = current().Slice(offset, Size);
            for (int i = 0; i < Size; i++)
                editor.Values[i] = values[i] != 0;
            dst = editor.Commit();
        }),
        OutputKind.Key => (ValueGetter<uint>)((ref uint dst) => dst = (uint)current()[offset]),
        OutputKind.Boolean => (ValueGetter<bool>)((ref bool dst) => dst = current()[offset] != 0),
        _ => (ValueGetter<float>)((ref float dst) => dst = current()[offset]),
    };

    /// <summary>The schema <paramref name="columns"/> add to <paramref name="inputSchema"/> (they hide input columns of the same name).</summary>
    public static DataViewSchema Append(DataViewSchema inputSchema, IEnumerable<DataViewSchema.DetachedColumn> columns)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var column in columns)
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    /// <summary>The score-column-set id for new scorer columns: one more than any in the input, as ML.NET's scorers do.</summary>
    public static uint NextScoreSetId(DataViewSchema inputSchema)
        => checked(inputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);

    /// <summary>Schema-shape columns for <paramref name="columns"/>, replacing input columns of the same name.</summary>
    public static SchemaShape AppendShapes(SchemaShape inputSchema, IEnumerable<SchemaShape.Column> columns)
    {
        var all = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in columns)
            all[column.Name] = column;
        return new SchemaShape(all.Values);
    }

    private static void AddText(DataViewSchema.Annotations.Builder builder, string kind, string value)
        => builder.Add(kind, TextDataViewType.Instance, (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = value.AsMemory()));

    private static Delegate KeyValuesGetter(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
    {
        var itemType = ((VectorDataViewType)column.Type).ItemType.RawType;
        var method = typeof(OutputColumn).GetMethod(nameof(VectorGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return (Delegate)method.MakeGenericMethod(itemType).Invoke(null, new object[] { annotations, column })!;
    }

    private static ValueGetter<VBuffer<T>> VectorGetter<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
        => annotations.GetGetter<VBuffer<T>>(column);
}

/// <summary>Returns the network output of the row a cursor or row currently stands on.</summary>
internal delegate ReadOnlySpan<float> CurrentOutput();
