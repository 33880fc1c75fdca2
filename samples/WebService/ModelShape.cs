using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>What a model reads and adds: the input columns a request must give, and the output columns an answer holds.</summary>
/// <param name="Required">Input columns the model's outputs depend on.</param>
/// <param name="Outputs">Columns the model adds that are not hidden, in schema order, of types the service can write.</param>
/// <param name="Inputs">Every input column of a type the service reads, with that type (<c>Single[4]</c>).</param>
internal sealed record ModelShape(HashSet<string> Required, string[] Outputs, IReadOnlyList<KeyValuePair<string, string>> Inputs)
{
    /// <summary>Reads the shape from the model's row-to-row mapper over its saved input schema.</summary>
    public static ModelShape Of(ITransformer model, DataViewSchema inputSchema)
    {
        var mapper = model.GetRowToRowMapper(inputSchema);
        var outputs = mapper.OutputSchema
            .Where(c => !c.IsHidden && inputSchema.GetColumnOrNull(c.Name) is null && OutputColumn.IsSupported(c.Type))
            .ToArray();
        var required = mapper.GetDependencies(outputs).Select(c => c.Name).ToHashSet();
        var inputs = inputSchema
            .Select(c => (Column: c, Field: InputField.Create(c, required.Contains(c.Name))))
            .Where(x => x.Field is not null)
            .Select(x => KeyValuePair.Create(x.Column.Name, x.Field!.TypeName))
            .ToArray();
        return new ModelShape(required, outputs.Select(c => c.Name).ToArray(), inputs);
    }
}
