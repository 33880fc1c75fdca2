using System;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>One year of the series as the CSV file holds it.</summary>
public sealed class SunspotYear
{
    /// <summary>The calendar year.</summary>
    [LoadColumn(0)]
    public float Year { get; set; }

    /// <summary>The yearly mean sunspot number.</summary>
    [LoadColumn(1)]
    public float Sunspots { get; set; }
}

/// <summary>What the model reads: the scaled sunspot numbers of the last <see cref="ForecastModel.Lookback"/> years, oldest first.</summary>
public sealed class ModelInput
{
    /// <summary>Scaled values (see <see cref="SeriesScaling"/>), one per year.</summary>
    [VectorType(ForecastModel.Lookback)]
    public float[] Features { get; set; } = Array.Empty<float>();
}
