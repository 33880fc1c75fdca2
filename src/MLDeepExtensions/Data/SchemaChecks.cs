using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Data;

/// <summary>
/// The column checks shared by the estimator's GetOutputSchema and Fit and the transformer, worded like ML.NET's own.
/// </summary>
internal static class SchemaChecks
{
    /// <summary>Checks the feature column of a schema shape: present and a known-size vector of Single.</summary>
    public static void CheckFeatureColumn(SchemaShape inputSchema, string name)
    {
        if (!inputSchema.TryFindColumn(name, out var column))
            throw MissingColumn("feature", name);
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            throw Mismatch("feature", name, "known-size vector of Single", column.GetTypeString(),
                "Concatenate numeric columns into one vector (mlContext.Transforms.Concatenate) and convert them to Single.");
    }

    /// <summary>The feature column of a real schema, or an exception naming it.</summary>
    public static DataViewSchema.Column FindFeatureColumn(DataViewSchema schema, string name)
        => schema.GetColumnOrNull(name) ?? throw MissingColumn("feature", name);

    /// <summary>Checks the feature column of a real schema and returns its vector size.</summary>
    public static int CheckFeatureColumn(DataViewSchema schema, string name, int? expectedSize = null)
        => CheckDenseFeatureColumn(FindFeatureColumn(schema, name), expectedSize);

    /// <summary>Checks that a column is a known-size vector of Single (of the expected size) and returns its size.</summary>
    public static int CheckDenseFeatureColumn(DataViewSchema.Column column, int? expectedSize = null)
    {
        string name = column.Name;
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType } vector
            || vector.ItemType != NumberDataViewType.Single || !vector.IsKnownSize)
            throw Mismatch("feature", name, "known-size vector of Single", column.Type.ToString()!,
                "Concatenate numeric columns into one vector (mlContext.Transforms.Concatenate) and convert them to Single.");
        if (expectedSize is int size && vector.Size != size)
            throw Mismatch("feature", name, $"vector of {size} Single values (the size the network was trained on)",
                $"vector of {vector.Size}", "Apply the same feature pipeline that was used for training.");
        return vector.Size;
    }

    /// <summary>The label column of a schema shape, or an exception naming it.</summary>
    public static SchemaShape.Column FindLabelColumn(SchemaShape inputSchema, string name)
        => inputSchema.TryFindColumn(name, out var column) ? column : throw MissingColumn("label", name);

    /// <summary>The label column of a real schema, or an exception naming it.</summary>
    public static DataViewSchema.Column FindLabelColumn(DataViewSchema schema, string name)
        => schema.GetColumnOrNull(name) ?? throw MissingColumn("label", name);

    /// <summary>
    /// Copies a row's vector into <paramref name="destination"/>, whose length is the width the network reads. ML.NET
    /// does not hold a row to its column's declared size (a PredictionEngine input array, LoadFromEnumerable), so a
    /// vector of another length is an error naming the column, the row and both lengths: never a row padded with
    /// another row's values, or cut.
    /// </summary>
    public static void CopyExact(in VBuffer<float> value, Span<float> destination, string role, string column, long row)
    {
        if (value.Length != destination.Length)
            throw WrongLength(role, column, row, destination.Length, value.Length);
        value.CopyTo(destination);
    }

    /// <summary>The error for a row whose vector in <paramref name="column"/> holds <paramref name="actual"/> values where <paramref name="expected"/> are read.</summary>
    public static ArgumentException WrongLength(string role, string column, long row, int expected, int actual)
        => new(FormattableString.Invariant($"The {role} column '{column}' holds {actual} values at row {row}; the network reads {expected} per row (the column's size when it was trained). ") +
               FormattableString.Invariant($"Give every row exactly {expected} values: in a class passed to PredictionEngine or LoadFromEnumerable, the array's length must match its [VectorType({expected})]."));

    public static ArgumentOutOfRangeException MissingColumn(string role, string name)
        => new(null, $"Could not find {role} column '{name}'. Check the column name in the options, or add the column earlier in the pipeline.");

    public static ArgumentOutOfRangeException Mismatch(string role, string name, string expected, string actual, string fix)
        => new(null, $"Schema mismatch for {role} column '{name}': expected {expected}, got {actual}. {fix}");
}
