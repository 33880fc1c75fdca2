using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Transforms;

namespace MLDeepExtensions;

/// <summary>
/// Computes calendar features from a date column (<c>mlContext.Transforms.CalendarFeatures(...)</c>): the known-future
/// covariates of a forecast (month, day of week, holidays, …) as one Single vector, every value in [−1, 1].
/// </summary>
/// <remarks>
/// | Characteristic | Value |
/// |---|---|
/// | Input column | <see cref="DateTime"/> or <see cref="DateTimeOffset"/> (read by its own clock time) |
/// | Output column | known-size vector of Single, with slot names ("Month=Jan", "DayOfWeek=Mon", "Holiday", …) |
/// | Trains? | No: Fit checks the schema and returns the transformer |
/// | Needs GPU? | No |
/// | Exportable to ONNX? | No |
/// </remarks>
public sealed class CalendarFeaturesEstimator : IEstimator<CalendarFeaturesTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly CalendarFeatureLayout _layout;

    internal CalendarFeaturesEstimator(IHostEnvironment env, CalendarFeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        _layout = CalendarFeatureLayout.Create(options);
        _env = env;
        _outputColumnName = options.OutputColumnName;
        _inputColumnName = options.InputColumnName;
    }

    /// <summary>Checks that the date column is there and of a date type, and returns the transformer.</summary>
    /// <param name="input">The data; only its schema is read.</param>
    public CalendarFeaturesTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CalendarColumns.CheckInput(input.Schema, _inputColumnName);
        return new(_env, _outputColumnName, _inputColumnName, _layout);
    }

    /// <summary>The input columns plus the output vector column; the same checks as <see cref="Fit"/>.</summary>
    /// <param name="inputSchema">The shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CalendarColumns.CheckInput(inputSchema, _inputColumnName);
        var columns = inputSchema.ToDictionary(column => column.Name);
        columns[_outputColumnName] = CalendarColumns.OutputShape(_outputColumnName);
        return new SchemaShape(columns.Values);
    }
}
