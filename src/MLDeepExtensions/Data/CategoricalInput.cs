using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;

namespace MLDeepExtensions;

/// <summary>
/// A categorical column as a network reads it, resolved from a <see cref="CategoricalColumn"/> and the training data:
/// its name, the number of keys of its type, and the size of its embedding. Saved with the architecture's settings.
/// A custom module (<see cref="CustomModuleContext.Categorical"/>) receives each one's key after the numeric values of a
/// row, as a float: 0 for the missing key (and categories unseen in training), 1 to <see cref="KeyCount"/> for the others.
/// </summary>
/// <param name="Name">The key column.</param>
/// <param name="KeyCount">The keys of its type in training; an embedding needs KeyCount + 1 rows (row 0 for the missing key).</param>
/// <param name="EmbeddingSize">The embedding size asked for (<see cref="CategoricalColumn.EmbeddingSize"/>) or given by the default rule.</param>
public sealed record CategoricalInput(string Name, int KeyCount, int EmbeddingSize)
{
    /// <summary>The most keys a categorical column may have: key values travel as exact floats in the encoded row.</summary>
    internal const int MaxKeyCount = (1 << 24) - 1;

    /// <summary>The largest embedding a model file may declare.</summary>
    internal const int MaxEmbeddingSize = 100_000;

    /// <summary>The input for <paramref name="column"/> of a real schema, or an exception saying what is wrong with it.</summary>
    /// <param name="schema">The training data's schema.</param>
    /// <param name="column">The column as the options name it.</param>
    /// <param name="embeddingSize">The size the architecture gives every embedding (<see cref="NetworkArchitecture.CategoricalEmbeddingSize"/>), or null for the column's own.</param>
    internal static CategoricalInput Resolve(DataViewSchema schema, CategoricalColumn column, int? embeddingSize = null)
    {
        var found = schema.GetColumnOrNull(column.Name) ?? throw SchemaChecks.MissingColumn("categorical", column.Name);
        int keys = KeyCountOf(found);
        return new CategoricalInput(column.Name, keys, embeddingSize ?? column.ResolveSize(keys));
    }

    /// <summary>Checks a categorical column of a schema shape (GetOutputSchema): present and a single key.</summary>
    internal static void Check(SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw SchemaChecks.MissingColumn("categorical", name);
        if (!column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw SchemaChecks.Mismatch("categorical", name, "a single Key value per row", column.GetTypeString(), Fix);
    }

    /// <summary>Checks that <paramref name="schema"/> holds this column with the key type the network was trained on.</summary>
    internal DataViewSchema.Column Find(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(Name) ?? throw SchemaChecks.MissingColumn("categorical", Name);
        int keys = KeyCountOf(column);
        if (keys != KeyCount)
            throw SchemaChecks.Mismatch("categorical", Name, FormattableString.Invariant($"Key<UInt32, 0-{KeyCount - 1}> ({KeyCount} keys, as in training)"),
                column.Type.ToString()!, "Apply the MapValueToKey fitted on the training data (the same fitted pipeline), so that keys mean the same categories.");
        return column;
    }

    /// <summary>Writes the inputs into an architecture's settings (count, then each one's name, key count and embedding size).</summary>
    internal static void WriteAll(BinaryWriter writer, IReadOnlyList<CategoricalInput> inputs)
        => writer.WriteList(inputs, (w, input) =>
        {
            w.Write(input.Name);
            w.Write(input.KeyCount);
            w.Write(input.EmbeddingSize);
        });

    /// <summary>Reads what <see cref="WriteAll"/> wrote; <paramref name="problem"/> describes the first impossible one, if any.</summary>
    internal static CategoricalInput[] ReadAll(BinaryReader reader, string owner, out string? problem)
    {
        var inputs = reader.ReadList(owner, "categorical inputs", r => new CategoricalInput(r.ReadString(), r.ReadInt32(), r.ReadInt32()));
        var bad = inputs.FirstOrDefault(c => c.Name.Length == 0 || c.KeyCount is < 1 or > MaxKeyCount || c.EmbeddingSize is < 1 or > MaxEmbeddingSize);
        problem = bad is null ? null : FormattableString.Invariant($"Categorical input '{bad.Name}' has {bad.KeyCount} keys and embedding size {bad.EmbeddingSize}.");
        return inputs;
    }

    /// <summary>", embeddings a 3→3, b 26→10" for an architecture's description; empty without inputs.</summary>
    internal static string Describe(IReadOnlyList<CategoricalInput> inputs)
        => inputs.Count == 0 ? "" : ", embeddings " + string.Join(", ", inputs.Select(c => FormattableString.Invariant($"{c.Name} {c.KeyCount}→{c.EmbeddingSize}")));

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
