using System;
using System.Collections.Generic;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>The result lines, printed as they come and again as one aligned table at the end.</summary>
internal sealed class Report
{
    private readonly List<(string Label, string Value)> _rows = new();

    public void Section(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"== {title}");
        _rows.Add(("", ""));
    }

    public void Add(string label, string value)
    {
        Console.WriteLine($"   {label}: {value}");
        _rows.Add((label, value));
    }

    public void Print(string header)
    {
        int width = _rows.Max(r => r.Label.Length) + 1;
        Console.WriteLine();
        Console.WriteLine(header);
        foreach (var (label, value) in _rows.SkipWhile(r => r.Label.Length == 0))
            Console.WriteLine(label.Length == 0 ? "" : $"{(label + ":").PadRight(width + 1)}{value}");
    }
}
