using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>
/// The input row a scorer fills from JSON and the model reads: the model's saved input schema, one reusable buffer per
/// column. Each new row moves <see cref="Position"/> on, which is how ML.NET's getters know that the values changed.
/// </summary>
internal sealed class RequestRow : DataViewRow
{
    private readonly InputField?[] _fields;
    private readonly Delegate?[] _getters;
    private long _position = -1;

    public RequestRow(DataViewSchema schema, InputField?[] fields)
    {
        Schema = schema;
        _fields = fields;
        _getters = Array.ConvertAll(fields, f => f?.Getter);
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _position;

    public override long Batch => 0;

    /// <summary>Starts the next row: getters of the model read afresh.</summary>
    public void Advance() => _position++;

    public override ValueGetter<DataViewRowId> GetIdGetter()
        => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

    public override bool IsColumnActive(DataViewSchema.Column column) => _fields[column.Index] is not null;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        => _getters[column.Index] as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Input column '{column.Name}' ({column.Type}) cannot be read as {typeof(TValue).Name}.");
}
