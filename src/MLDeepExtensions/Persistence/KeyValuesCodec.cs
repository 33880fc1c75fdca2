using System;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;

namespace MLDeepExtensions.Persistence;

/// <summary>
/// Saves and loads a label's KeyValues annotation (the class names behind the keys) with ML.NET's own binary
/// type-and-value encoding, whatever the item type of the values.
/// </summary>
internal static class KeyValuesCodec
{
    public static void Write(ModelSaveContext ctx, DataViewSchema.Annotations keyValues)
    {
        var column = keyValues.Schema[AnnotationUtils.Kinds.KeyValues];
        var type = (VectorDataViewType)column.Type;
        Invoke(nameof(WriteTyped), type.ItemType.RawType, ctx, keyValues, column, type);
    }

    public static DataViewSchema.Annotations Read(IHostEnvironment env, ModelLoadContext ctx)
    {
        var saver = new BinarySaver(env, new BinarySaver.Arguments());
        if (!saver.TryLoadTypeAndValue(ctx.Reader.BaseStream, out var type, out var value) || type is not VectorDataViewType vector || value is null)
            throw ModelFileErrors.Corrupt("the label's class names could not be read.");
        var getter = (Delegate)Invoke(nameof(MakeGetter), vector.ItemType.RawType, value)!;
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(AnnotationUtils.Kinds.KeyValues, vector, getter);
        return builder.ToAnnotations();
    }

    /// <summary>The class names as text, in key order, e.g. "cat, dog" (for messages and checkpoint descriptions).</summary>
    public static string Describe(DataViewSchema.Annotations keyValues) => string.Join(", ", Names(keyValues));

    /// <summary>The class names as text (numbers in invariant culture), in key order: name i is key i + 1.</summary>
    public static string[] Names(DataViewSchema.Annotations keyValues)
    {
        var column = keyValues.Schema[AnnotationUtils.Kinds.KeyValues];
        return (string[])Invoke(nameof(NamesTyped), ((VectorDataViewType)column.Type).ItemType.RawType, keyValues, column)!;
    }

    private static object? NamesTyped<T>(DataViewSchema.Annotations keyValues, DataViewSchema.Column column)
    {
        var values = default(VBuffer<T>);
        keyValues.GetGetter<VBuffer<T>>(column)(ref values);
        return values.DenseValues().Select(v => System.Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray();
    }

    private static object? Invoke(string name, Type itemType, params object[] arguments)
        => typeof(KeyValuesCodec).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(itemType).Invoke(null, arguments);

    private static object? WriteTyped<T>(ModelSaveContext ctx, DataViewSchema.Annotations keyValues, DataViewSchema.Column column, VectorDataViewType type)
    {
        var values = default(VBuffer<T>);
        keyValues.GetGetter<VBuffer<T>>(column)(ref values);
        var saver = new BinarySaver(new MLContext(), new BinarySaver.Arguments());
        if (!saver.TryWriteTypeAndValue(ctx.Writer.BaseStream, type, ref values, out _))
            throw new NotSupportedException($"Cannot save label class names of type {type.ItemType}; map the label from text or numbers instead.");
        return null;
    }

    private static ValueGetter<VBuffer<T>> MakeGetter<T>(object value)
    {
        var values = (VBuffer<T>)value;
        return (ref VBuffer<T> dst) => values.CopyTo(ref dst);
    }
}
