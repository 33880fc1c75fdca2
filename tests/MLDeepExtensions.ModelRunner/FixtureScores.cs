using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.ModelRunner;

/// <summary>
/// The fixed inputs of a saved-model fixture and every output column its model produced for them, as written next to
/// the model file (<c>scores.json</c>). Uses ML.NET's API only, so the same file was compiled against the release that
/// wrote the fixtures and against today's library. Floats are written in their shortest round-trip form, so reading
/// them back gives the same bits.
/// </summary>
public sealed class FixtureScores
{
    private static readonly JsonSerializerOptions _json = new()
    {
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The feature column the model reads.</summary>
    public string FeatureColumn { get; set; } = "Features";

    /// <summary>"dense" (known-size Single vector of <see cref="Size"/>), "sequence" (variable-length Single vector) or "tokens" (variable-length vector of keys with <see cref="Size"/> values).</summary>
    public string FeatureKind { get; set; } = "dense";

    /// <summary>The vector size (dense) or the key count (tokens); 0 for sequences.</summary>
    public int Size { get; set; }

    /// <summary>The input rows (dense and sequence features).</summary>
    public float[][]? Rows { get; set; }

    /// <summary>The input rows (tokens: 1-based keys, 0 for a missing key).</summary>
    public uint[][]? Tokens { get; set; }

    /// <summary>Per output column, its type as ML.NET prints it.</summary>
    public Dictionary<string, string> OutputTypes { get; set; } = new();

    /// <summary>Per output column, one array per row (scalars as one value; keys as their number; Booleans as 0 or 1).</summary>
    public Dictionary<string, float[][]> Outputs { get; set; } = new();

    /// <summary>Per key-typed output column with class names, the names.</summary>
    public Dictionary<string, string[]> KeyValues { get; set; } = new();

    public static FixtureScores Read(string path) => JsonSerializer.Deserialize<FixtureScores>(File.ReadAllText(path), _json)
        ?? throw new InvalidDataException($"{path} holds no fixture scores.");

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, _json));

    /// <summary>The input rows as a data view whose feature column has the fixture's type.</summary>
    public IDataView Input(MLContext ml)
    {
        switch (FeatureKind)
        {
            case "tokens":
                var tokenSchema = SchemaDefinition.Create(typeof(TokenRow));
                tokenSchema[nameof(TokenRow.Features)].ColumnName = FeatureColumn;
                tokenSchema[nameof(TokenRow.Features)].ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), Size));
                return ml.Data.LoadFromEnumerable(Tokens!.Select(t => new TokenRow { Features = t }).ToList(), tokenSchema);
            default:
                var schema = SchemaDefinition.Create(typeof(FloatRow));
                schema[nameof(FloatRow.Features)].ColumnName = FeatureColumn;
                schema[nameof(FloatRow.Features)].ColumnType = FeatureKind == "dense"
                    ? new VectorDataViewType(NumberDataViewType.Single, Size)
                    : new VectorDataViewType(NumberDataViewType.Single);
                return ml.Data.LoadFromEnumerable(Rows!.Select(r => new FloatRow { Features = r }).ToList(), schema);
        }
    }

    /// <summary>Scores the inputs with <paramref name="model"/> and records every column it adds.</summary>
    public FixtureScores ScoredBy(MLContext ml, ITransformer model)
    {
        var input = Input(ml);
        var scored = model.Transform(input);
        var result = new FixtureScores { FeatureColumn = FeatureColumn, FeatureKind = FeatureKind, Size = Size, Rows = Rows, Tokens = Tokens };
        foreach (var column in scored.Schema.Where(c => !c.IsHidden && input.Schema.GetColumnOrNull(c.Name) is null))
        {
            result.OutputTypes[column.Name] = column.Type.ToString()!;
            result.Outputs[column.Name] = Read(scored, column);
            if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not null)
            {
                var names = default(VBuffer<ReadOnlyMemory<char>>);
                column.GetKeyValues(ref names);
                result.KeyValues[column.Name] = names.DenseValues().Select(n => n.ToString()).ToArray();
            }
        }
        return result;
    }

    private static float[][] Read(IDataView data, DataViewSchema.Column column)
    {
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor(new[] { column });
        switch (column.Type)
        {
            case VectorDataViewType:
                var vectorGetter = cursor.GetGetter<VBuffer<float>>(column);
                var vector = default(VBuffer<float>);
                while (cursor.MoveNext()) { vectorGetter(ref vector); rows.Add(vector.DenseValues().ToArray()); }
                break;
            case KeyDataViewType:
                var keyGetter = cursor.GetGetter<uint>(column);
                uint key = 0;
                while (cursor.MoveNext()) { keyGetter(ref key); rows.Add(new float[] { key }); }
                break;
            case BooleanDataViewType:
                var boolGetter = cursor.GetGetter<bool>(column);
                bool flag = false;
                while (cursor.MoveNext()) { boolGetter(ref flag); rows.Add(new float[] { flag ? 1 : 0 }); }
                break;
            default:
                var getter = cursor.GetGetter<float>(column);
                float value = 0;
                while (cursor.MoveNext()) { getter(ref value); rows.Add(new[] { value }); }
                break;
        }
        return rows.ToArray();
    }

    private sealed class FloatRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class TokenRow
    {
        public uint[] Features { get; set; } = Array.Empty<uint>();
    }
}
