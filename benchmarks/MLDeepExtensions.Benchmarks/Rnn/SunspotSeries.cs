using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// Yearly sunspot numbers 1700–2008 (NOAA's National Geophysical Data Center, public domain; the copy in
/// data/sunspots, from statsmodels' datasets — see its README).
/// </summary>
internal static class SunspotSeries
{
    public const string FileName = "sunspots.csv";

    /// <summary>The years and their sunspot numbers, oldest first.</summary>
    public static (int[] Years, float[] Values) Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "sunspots", FileName);
        var rows = File.ReadLines(path).Skip(1).Where(line => line.Length > 0).Select(line => line.Split(',')).ToArray();
        return (rows.Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)).ToArray(),
                rows.Select(r => float.Parse(r[1], CultureInfo.InvariantCulture)).ToArray());
    }
}
