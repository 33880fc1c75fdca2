using System;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>
/// One input column of the model's saved schema: reads its JSON value into a buffer that is reused from row to row, and
/// hands it to the model through a getter. Types: Single, Double, Boolean, Text, and vectors of Single (known or any size).
/// </summary>
internal abstract class InputField
{
    protected InputField(DataViewSchema.Column column, bool required)
    {
        Name = column.Name;
        Utf8Name = Encoding.UTF8.GetBytes(column.Name);
        Required = required;
        TypeName = Describe(column.Type);
    }

    /// <summary>The column's name, which is the JSON field's name.</summary>
    public string Name { get; }

    /// <summary>The name in UTF-8, compared with the JSON property names without decoding them.</summary>
    public byte[] Utf8Name { get; }

    /// <summary>Whether the model reads this column (a saved schema may also hold, say, the label).</summary>
    public bool Required { get; }

    /// <summary>The type as a request must give it: <c>Single</c>, <c>Single[4]</c>, <c>Single[]</c>, <c>Boolean</c>, <c>Text</c>.</summary>
    public string TypeName { get; }

    /// <summary>The getter the model reads the value through (a <c>ValueGetter</c> of the column's type).</summary>
    public abstract Delegate Getter { get; }

    /// <summary>Reads the value at the reader's current token; throws <see cref="RequestException"/> naming the field.</summary>
    public abstract void Read(ref Utf8JsonReader reader, int? row);

    /// <summary>The field for <paramref name="column"/>, or null for a type this service does not read and the model does not need.</summary>
    /// <exception cref="NotSupportedException">The model needs a column of a type this service does not read.</exception>
    public static InputField? Create(DataViewSchema.Column column, bool required) => column.Type switch
    {
        NumberDataViewType t when t.RawType == typeof(float) => new SingleField(column, required),
        NumberDataViewType t when t.RawType == typeof(double) => new DoubleField(column, required),
        BooleanDataViewType => new BooleanField(column, required),
        TextDataViewType => new TextField(column, required),
        VectorDataViewType { ItemType: NumberDataViewType item } v when item.RawType == typeof(float) => new SingleVectorField(column, required, v.Size),
        _ when !required => (InputField?)null,
        _ => throw new NotSupportedException($"The model reads input column '{column.Name}' of type {column.Type}; this service reads " +
            "Single, Double, Boolean, Text and vectors of Single."),
    };

    protected static string Describe(DataViewType type) => type switch
    {
        TextDataViewType => "Text",
        VectorDataViewType { Size: 0 } v => $"{v.ItemType}[]",
        VectorDataViewType v => $"{v.ItemType}[{v.Size}]",
        _ => $"{type}",
    };

    protected RequestException WrongType(ref Utf8JsonReader reader, int? row, string expected, string? field = null)
    {
        string got = reader.TokenType switch
        {
            JsonTokenType.String when IsNonFiniteName(ref reader) =>
                $"\"{reader.GetString()}\": NaN and infinities are not accepted, send finite numbers",
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a Boolean",
            JsonTokenType.Null => "null",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.StartObject => "an object",
            _ => reader.TokenType.ToString(),
        };
        return new RequestException(field ?? Name, row, $"'{field ?? Name}' must be {expected} ({TypeName}); got {got}.");
    }

    /// <summary>Reads a finite number, refusing what does not fit the type (1e999 as Single) and NaN or infinities given as strings.</summary>
    protected float ReadSingle(ref Utf8JsonReader reader, int? row, string? field = null)
    {
        if (reader.TokenType != JsonTokenType.Number)
            throw WrongType(ref reader, row, "a number", field);
        if (!reader.TryGetSingle(out float value) || !float.IsFinite(value))
            throw new RequestException(field ?? Name, row, $"'{field ?? Name}' must be a finite Single; " +
                $"{Encoding.UTF8.GetString(reader.ValueSpan)} is out of its range.");
        return value;
    }

    private static bool IsNonFiniteName(ref Utf8JsonReader reader)
        => reader.ValueTextEquals("NaN"u8) || reader.ValueTextEquals("Infinity"u8) || reader.ValueTextEquals("-Infinity"u8)
            || reader.ValueTextEquals("inf"u8) || reader.ValueTextEquals("-inf"u8);

    private sealed class SingleField(DataViewSchema.Column column, bool required) : InputField(column, required)
    {
        private float _value;

        public override Delegate Getter => (ValueGetter<float>)((ref float value) => value = _value);

        public override void Read(ref Utf8JsonReader reader, int? row) => _value = ReadSingle(ref reader, row);
    }

    private sealed class DoubleField(DataViewSchema.Column column, bool required) : InputField(column, required)
    {
        private double _value;

        public override Delegate Getter => (ValueGetter<double>)((ref double value) => value = _value);

        public override void Read(ref Utf8JsonReader reader, int? row)
        {
            if (reader.TokenType != JsonTokenType.Number)
                throw WrongType(ref reader, row, "a number");
            if (!reader.TryGetDouble(out _value) || !double.IsFinite(_value))
                throw new RequestException(Name, row, $"'{Name}' must be a finite Double; {Encoding.UTF8.GetString(reader.ValueSpan)} is out of its range.");
        }
    }

    private sealed class BooleanField(DataViewSchema.Column column, bool required) : InputField(column, required)
    {
        private bool _value;

        public override Delegate Getter => (ValueGetter<bool>)((ref bool value) => value = _value);

        public override void Read(ref Utf8JsonReader reader, int? row)
            => _value = reader.TokenType switch
            {
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                _ => throw WrongType(ref reader, row, "true or false"),
            };
    }

    private sealed class TextField(DataViewSchema.Column column, bool required) : InputField(column, required)
    {
        private char[] _chars = new char[64];
        private int _length;

        public override Delegate Getter
            => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _chars.AsMemory(0, _length));

        public override void Read(ref Utf8JsonReader reader, int? row)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw WrongType(ref reader, row, "a string");
            // UTF-8 takes at least one byte per UTF-16 char, escapes more: the raw length bounds the decoded one.
            int bound = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
            if (_chars.Length < bound)
                _chars = new char[Math.Max(bound, _chars.Length * 2)];
            _length = reader.CopyString(_chars);
        }
    }

    private sealed class SingleVectorField : InputField
    {
        private readonly int _size;
        private float[] _values;
        private int _count;

        public SingleVectorField(DataViewSchema.Column column, bool required, int size)
            : base(column, required)
        {
            _size = size;
            _values = new float[size > 0 ? size : 16];
            _count = size;
        }

        public override Delegate Getter => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, _count);
            _values.AsSpan(0, _count).CopyTo(editor.Values);
            value = editor.Commit();
        });

        public override void Read(ref Utf8JsonReader reader, int? row)
        {
            string expected = _size > 0 ? $"an array of {_size} numbers" : "an array of numbers";
            if (reader.TokenType != JsonTokenType.StartArray)
                throw WrongType(ref reader, row, expected);
            int count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (_size == 0 && count == _values.Length)
                    Array.Resize(ref _values, _values.Length * 2);
                // A known-size vector keeps counting past its size, to say how long the array was.
                if (count < _values.Length)
                    _values[count] = ReadSingle(ref reader, row, $"{Name}[{count}]");
                else if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    reader.Skip();
                count++;
            }
            if (_size > 0 && count != _size)
                throw new RequestException(Name, row, $"'{Name}' must be {expected} ({TypeName}); got {count}.");
            _count = count;
        }
    }
}
