using System;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// Holds one input column's values for a batch of rows read ahead from a cursor, and serves them again one row at
/// a time. Vector values are copied out, so a consumer can never write into the buffer.
/// </summary>
internal abstract class ColumnBuffer
{
    /// <summary>Reads the cursor's current value into <paramref name="slot"/>.</summary>
    public abstract void Store(int slot);

    /// <summary>A getter returning the value stored in the slot <paramref name="currentSlot"/> names.</summary>
    public abstract Delegate CreateGetter(Func<int> currentSlot);

    public static ColumnBuffer Create(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
    {
        var (definition, argument) = column.Type is VectorDataViewType vector
            ? (typeof(VectorBuffer<>), vector.ItemType.RawType)
            : (typeof(ScalarBuffer<>), column.Type.RawType);
        var type = definition.MakeGenericType(argument);
        return (ColumnBuffer)Activator.CreateInstance(type, BindingFlags.Instance | BindingFlags.Public, null, new object[] { cursor, column, capacity }, null)!;
    }

    private sealed class ScalarBuffer<T> : ColumnBuffer
    {
        private readonly ValueGetter<T> _getter;
        private readonly T[] _values;

        public ScalarBuffer(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
        {
            _getter = cursor.GetGetter<T>(column);
            _values = new T[capacity];
        }

        public override void Store(int slot) => _getter(ref _values[slot]);

        public override Delegate CreateGetter(Func<int> currentSlot)
            => (ValueGetter<T>)((ref T dst) => dst = _values[currentSlot()]);
    }

    private sealed class VectorBuffer<T> : ColumnBuffer
    {
        private readonly ValueGetter<VBuffer<T>> _getter;
        private readonly VBuffer<T>[] _values;

        public VectorBuffer(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
        {
            _getter = cursor.GetGetter<VBuffer<T>>(column);
            _values = new VBuffer<T>[capacity];
        }

        public override void Store(int slot) => _getter(ref _values[slot]);

        public override Delegate CreateGetter(Func<int> currentSlot)
            => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> dst) => _values[currentSlot()].CopyTo(ref dst));
    }
}
