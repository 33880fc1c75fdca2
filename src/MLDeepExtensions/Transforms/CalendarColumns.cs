using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;

namespace MLDeepExtensions.Transforms;

/// <summary>
/// The column checks and output column of the calendar-features transform, shared by the estimator's GetOutputSchema
/// and Fit and the transformer's mapper, worded like ML.NET's own.
/// </summary>
internal static class CalendarColumns
{
    private const string Role = "date";
    private const string Expected = "DateTime or DateTimeOffset";
    private const string Fix = "Load the column as DateTime (a DateTime property, or DataKind.DateTime in a text loader), or parse it into one before this transform.";

    /// <summary>Checks the date column of a schema shape: present and a scalar DateTime or DateTimeOffset.</summary>
    public static void CheckInput(SchemaShape inputSchema, string name)
    {
        if (!inputSchema.TryFindColumn(name, out var column))
            throw SchemaChecks.MissingColumn(Role, name);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not (DateTimeDataViewType or DateTimeOffsetDataViewType))
            throw SchemaChecks.Mismatch(Role, name, Expected, column.GetTypeString(), Fix);
    }

    /// <summary>Checks the date column of a real schema: present and a DateTime or DateTimeOffset.</summary>
    public static void CheckInput(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name) ?? throw SchemaChecks.MissingColumn(Role, name);
        if (column.Type is not (DateTimeDataViewType or DateTimeOffsetDataViewType))
            throw SchemaChecks.Mismatch(Role, name, Expected, column.Type.ToString()!, Fix);
    }

    /// <summary>The output column's shape: a known-size Single vector with slot names.</summary>
    public static SchemaShape.Column OutputShape(string name)
    {
        var slotNames = new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false);
        return new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, new SchemaShape([slotNames]));
    }

    /// <summary>The output column: a vector of the layout's size, with its slot names.</summary>
    public static DataViewSchema.DetachedColumn Output(string name, CalendarFeatureLayout layout)
    {
        var names = layout.SlotNames.Select(n => n.AsMemory()).ToArray();
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.AddSlotNames(layout.Size, (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone()));
        return new DataViewSchema.DetachedColumn(name, new VectorDataViewType(NumberDataViewType.Single, layout.Size), annotations.ToAnnotations());
    }
}
