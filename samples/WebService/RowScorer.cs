using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>
/// One worker's scorer: the model's row-to-row mapper over a <see cref="RequestRow"/> that is filled from JSON, and the
/// writers of the output columns. What ML.NET's PredictionEngine is, with the request type taken from the saved schema at
/// run time. Not thread-safe: a <see cref="ServedModel"/> lends each one to a single request at a time.
/// </summary>
internal sealed class RowScorer : IDisposable
{
    private readonly InputField[] _fields;
    private readonly bool[] _seen;
    private readonly RequestRow _input;
    private readonly DataViewRow _output;
    private readonly OutputColumn[] _columns;
    private readonly Utf8JsonWriter _writer = new(new ArrayBufferWriter<byte>(1));

    public RowScorer(ITransformer model, DataViewSchema inputSchema, ModelShape shape)
    {
        var fields = inputSchema.Select(c => InputField.Create(c, shape.Required.Contains(c.Name))).ToArray();
        _fields = fields.OfType<InputField>().ToArray();
        _seen = new bool[_fields.Length];
        _input = new RequestRow(inputSchema, fields);
        var mapper = model.GetRowToRowMapper(inputSchema);
        var outputs = shape.Outputs.Select(name => mapper.OutputSchema[name]).ToArray();
        _output = mapper.GetRow(_input, outputs);
        _columns = outputs.Select(c => OutputColumn.Create(_output, c)).ToArray();
    }

    /// <summary>Scores the body (one object, or an array of at most <paramref name="maxRows"/> objects) into <paramref name="output"/>.</summary>
    /// <exception cref="RequestException">The body is not valid JSON or a row cannot be read; nothing useful is in the output then.</exception>
    public void Score(ReadOnlySequence<byte> body, IBufferWriter<byte> output, int maxRows)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        _writer.Reset(output);
        try
        {
            if (!reader.Read())
                throw new RequestException(null, null, "The body is empty: send one JSON object, or an array of objects.");
            if (reader.TokenType == JsonTokenType.StartObject)
                ScoreRow(ref reader, row: null);
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                _writer.WriteStartArray();
                int row = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (row == maxRows)
                        throw new RequestException(null, row, $"Too many rows: at most {maxRows} per request (--max-rows).");
                    if (reader.TokenType != JsonTokenType.StartObject)
                        throw new RequestException(null, row, $"Row {row} must be a JSON object; got {reader.TokenType}.");
                    ScoreRow(ref reader, row++);
                }
                _writer.WriteEndArray();
            }
            else
                throw new RequestException(null, null, $"The body must be one JSON object or an array of objects; got {reader.TokenType}.");
            // Anything after the first value makes Read throw; the end of the body returns false.
            reader.Read();
        }
        catch (JsonException e)
        {
            throw new RequestException(null, null, $"The body is not valid JSON: {e.Message}");
        }
        finally
        {
            _writer.Flush();
        }
    }

    /// <summary>Scores one row of default values (zeros, false, empty text), so that a model that cannot score fails at load.</summary>
    public void WarmUp()
    {
        _writer.Reset(new ArrayBufferWriter<byte>());
        WriteScoredRow();
        _writer.Flush();
    }

    private void ScoreRow(ref Utf8JsonReader reader, int? row)
    {
        Array.Clear(_seen);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = Find(ref reader);
            if (field < 0)
                throw new RequestException(reader.GetString(), row, $"Unknown field '{reader.GetString()}'. The model reads: {Expected()}.");
            if (_seen[field])
                throw new RequestException(_fields[field].Name, row, $"Field '{_fields[field].Name}' is given twice.");
            _seen[field] = true;
            reader.Read();
            _fields[field].Read(ref reader, row);
        }
        for (int i = 0; i < _fields.Length; i++)
        {
            if (_fields[i].Required && !_seen[i])
                throw new RequestException(_fields[i].Name, row, $"Missing field '{_fields[i].Name}' ({_fields[i].TypeName}). The model reads: {Expected()}.");
        }
        WriteScoredRow();
    }

    private void WriteScoredRow()
    {
        _input.Advance();
        _writer.WriteStartObject();
        foreach (var column in _columns)
            column.Write(_writer);
        _writer.WriteEndObject();
    }

    private int Find(ref Utf8JsonReader reader)
    {
        for (int i = 0; i < _fields.Length; i++)
        {
            if (reader.ValueTextEquals(_fields[i].Utf8Name))
                return i;
        }
        return -1;
    }

    private string Expected() => string.Join(", ", _fields.Where(f => f.Required).Select(f => $"{f.Name} ({f.TypeName})"));

    public void Dispose()
    {
        _output.Dispose();
        _writer.Dispose();
    }
}
