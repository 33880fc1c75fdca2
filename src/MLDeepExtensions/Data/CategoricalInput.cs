using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Data;

/// <summary>
/// A categorical column as a trained network reads it: its name, the number of keys of its type when the network was
/// trained, and the size of its embedding. Saved with the MLP's settings.
/// </summary>
internal sealed record CategoricalInput(string Name, int KeyCount, int EmbeddingSize)
{
    /// <summary>The most keys a categorical column may have: key values travel as exact floats in the encoded row.</summary>
    public const int MaxKeyCount = (1 << 24) - 1;

    /// <summary>The largest embedding a model file may declare.</summary>
    public const int MaxEmbeddingSize = 100_000;

    /// <summary>The input for <paramref name="column"/> of a real schema, or an exception saying what is wrong with it.</summary>
    public static CategoricalInput Resolve(DataViewSchema schema, CategoricalColumn column)
    {
        var found = schema.GetColumnOrNull(column.Name) ?? throw SchemaChecks.MissingColumn("categorical", column.Name);
        int keys = KeyCountOf(found);
        return new CategoricalInput(column.Name, keys, column.ResolveSize(keys));
    }

    /// <summary>Checks a categorical column of a schema shape (GetOutputSchema): present and a single key.</summary>
    public static void Check(SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw SchemaChecks.MissingColumn("categorical", name);
        if (!column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw SchemaChecks.Mismatch("categorical", name, "a single Key value per row", column.GetTypeString(), Fix);
    }

    /// <summary>Checks that <paramref name="schema"/> holds this column with the key type the network was trained on.</summary>
    public DataViewSchema.Column Find(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(Name) ?? throw SchemaChecks.MissingColumn("categorical", Name);
        int keys = KeyCountOf(column);
        if (keys != KeyCount)
            throw SchemaChecks.Mismatch("categorical", Name, FormattableString.Invariant($"Key<UInt32, 0-{KeyCount - 1}> ({KeyCount} keys, as in training)"),
                column.Type.ToString()!, "Apply the MapValueToKey fitted on the training data (the same fitted pipeline), so that keys mean the same categories.");
        return column;
    }

    private static int KeyCountOf(DataViewSchema.Column column)
    {
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw SchemaChecks.Mismatch("categorical", column.Name, "a single Key<UInt32> value per row", column.Type.ToString()!, Fix);
        if (key.Count > MaxKeyCount)
            throw SchemaChecks.Mismatch("categorical", column.Name, FormattableString.Invariant($"at most {MaxKeyCount} keys"),
                FormattableString.Invariant($"{key.Count}"), "Map rare categories to one key (or hash them) before the network.");
        return (int)key.Count;
    }

    private const string Fix = "Turn the column into keys with mlContext.Transforms.Conversion.MapValueToKey (one category per row).";
}
