using System;

namespace MLDeepExtensions.Samples;

/// <summary>One month of one series, in long format: which series, which month, how many.</summary>
public sealed class Casualties
{
    /// <summary>The series: "DriversKilled", "front" or "rear".</summary>
    public string Series { get; set; } = "";

    /// <summary>The first day of the month.</summary>
    public DateTime Month { get; set; }

    /// <summary>Car drivers killed, or front- or rear-seat passengers killed or seriously injured, in the month.</summary>
    public float Count { get; set; }
}
