using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>One month of the series as the CSV file holds it.</summary>
public sealed class Co2Month
{
    /// <summary>The month, e.g. "1958-03".</summary>
    [LoadColumn(0)]
    public string Period { get; set; } = "";

    /// <summary>The monthly mean CO₂ concentration at Mauna Loa, in ppmv.</summary>
    [LoadColumn(1)]
    public float Co2 { get; set; }
}
