using System;
using System.Buffers;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>
/// Writes one output column of a scored row as a JSON field: numbers, Booleans and text as themselves, vectors as arrays
/// (sparse ones expanded), keys as their label value where the column has key values (else the raw key; the missing
/// key 0 is null), and non-finite numbers as null.
/// </summary>
internal abstract class OutputColumn
{
    // ML.NET's annotation kind for a key column's values (AnnotationUtils.Kinds.KeyValues, internal in ML.NET 5).
    private const string KeyValues = "KeyValues";

    protected OutputColumn(string name) => Name = JsonEncodedText.Encode(name);

    public JsonEncodedText Name { get; }

    public abstract void Write(Utf8JsonWriter writer);

    /// <summary>Whether <paramref name="type"/> can be written; other columns are left out of the answer.</summary>
    public static bool IsSupported(DataViewType type) => ItemWriter(ItemType(type), labels: null) is not null;

    /// <summary>The writer of <paramref name="column"/> read from <paramref name="row"/>.</summary>
    public static OutputColumn Create(DataViewRow row, DataViewSchema.Column column)
    {
        var itemType = ItemType(column.Type);
        byte[][]? labels = itemType is KeyDataViewType ? EncodeKeyValues(column) : null;
        var write = ItemWriter(itemType, labels) ?? throw new NotSupportedException($"Output column '{column.Name}' has type {column.Type}.");
        return write switch
        {
            Action<Utf8JsonWriter, float> w => Create(row, column, w),
            Action<Utf8JsonWriter, double> w => Create(row, column, w),
            Action<Utf8JsonWriter, bool> w => Create(row, column, w),
            Action<Utf8JsonWriter, ReadOnlyMemory<char>> w => Create(row, column, w),
            Action<Utf8JsonWriter, int> w => Create(row, column, w),
            Action<Utf8JsonWriter, long> w => Create(row, column, w),
            Action<Utf8JsonWriter, uint> w => Create(row, column, w),
            _ => throw new NotSupportedException($"Output column '{column.Name}' has type {column.Type}."),
        };
    }

    private static DataViewType ItemType(DataViewType type) => type is VectorDataViewType v ? v.ItemType : type;

    private static OutputColumn Create<T>(DataViewRow row, DataViewSchema.Column column, Action<Utf8JsonWriter, T> write)
        => column.Type is VectorDataViewType
            ? new VectorColumn<T>(column.Name, row.GetGetter<VBuffer<T>>(column), write)
            : new ScalarColumn<T>(column.Name, row.GetGetter<T>(column), write);

    private static Delegate? ItemWriter(DataViewType type, byte[][]? labels) => type switch
    {
        KeyDataViewType k when k.RawType == typeof(uint) => (Action<Utf8JsonWriter, uint>)((w, key) =>
        {
            if (key == 0)
                w.WriteNullValue();
            else if (labels is not null && key <= labels.Length)
                w.WriteRawValue(labels[key - 1], skipInputValidation: true);
            else
                w.WriteNumberValue(key);
        }),
        KeyDataViewType => null,
        NumberDataViewType t when t.RawType == typeof(float) => (Action<Utf8JsonWriter, float>)((w, v) =>
        {
            if (float.IsFinite(v))
                w.WriteNumberValue(v);
            else
                w.WriteNullValue();
        }),
        NumberDataViewType t when t.RawType == typeof(double) => (Action<Utf8JsonWriter, double>)((w, v) =>
        {
            if (double.IsFinite(v))
                w.WriteNumberValue(v);
            else
                w.WriteNullValue();
        }),
        NumberDataViewType t when t.RawType == typeof(int) => (Action<Utf8JsonWriter, int>)((w, v) => w.WriteNumberValue(v)),
        NumberDataViewType t when t.RawType == typeof(long) => (Action<Utf8JsonWriter, long>)((w, v) => w.WriteNumberValue(v)),
        NumberDataViewType t when t.RawType == typeof(uint) => (Action<Utf8JsonWriter, uint>)((w, v) => w.WriteNumberValue(v)),
        BooleanDataViewType => (Action<Utf8JsonWriter, bool>)((w, v) => w.WriteBooleanValue(v)),
        TextDataViewType => (Action<Utf8JsonWriter, ReadOnlyMemory<char>>)((w, v) => w.WriteStringValue(v.Span)),
        _ => null,
    };

    /// <summary>The column's key values, each already written as a JSON value; null when it has none we can write.</summary>
    private static byte[][]? EncodeKeyValues(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(KeyValues);
        if (annotation?.Type is not VectorDataViewType { ItemType: var itemType } || itemType is KeyDataViewType)
            return null;
        return ItemWriter(itemType, labels: null) switch
        {
            Action<Utf8JsonWriter, ReadOnlyMemory<char>> w => Encode(column.Annotations, w),
            Action<Utf8JsonWriter, float> w => Encode(column.Annotations, w),
            Action<Utf8JsonWriter, double> w => Encode(column.Annotations, w),
            Action<Utf8JsonWriter, bool> w => Encode(column.Annotations, w),
            Action<Utf8JsonWriter, int> w => Encode(column.Annotations, w),
            Action<Utf8JsonWriter, long> w => Encode(column.Annotations, w),
            Action<Utf8JsonWriter, uint> w => Encode(column.Annotations, w),
            _ => null,
        };
    }

    private static byte[][] Encode<T>(DataViewSchema.Annotations annotations, Action<Utf8JsonWriter, T> write)
    {
        VBuffer<T> values = default;
        annotations.GetValue(KeyValues, ref values);
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        var encoded = new byte[values.Length][];
        int i = 0;
        foreach (var value in values.DenseValues())
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            write(writer, value);
            writer.Flush();
            encoded[i++] = buffer.WrittenSpan.ToArray();
        }
        return encoded;
    }

    private sealed class ScalarColumn<T>(string name, ValueGetter<T> getter, Action<Utf8JsonWriter, T> write) : OutputColumn(name)
    {
        private T _value = default!;

        public override void Write(Utf8JsonWriter writer)
        {
            getter(ref _value);
            writer.WritePropertyName(Name);
            write(writer, _value);
        }
    }

    private sealed class VectorColumn<T>(string name, ValueGetter<VBuffer<T>> getter, Action<Utf8JsonWriter, T> write) : OutputColumn(name)
    {
        private VBuffer<T> _value;

        public override void Write(Utf8JsonWriter writer)
        {
            getter(ref _value);
            writer.WritePropertyName(Name);
            writer.WriteStartArray();
            var values = _value.GetValues();
            if (_value.IsDense)
            {
                foreach (var value in values)
                    write(writer, value);
            }
            else
            {
                var indices = _value.GetIndices();
                for (int i = 0, next = 0; i < _value.Length; i++)
                    write(writer, next < indices.Length && indices[next] == i ? values[next++] : default!);
            }
            writer.WriteEndArray();
        }
    }
}
