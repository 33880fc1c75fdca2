using System;
using System.Collections.Generic;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>The result lines, printed as they come and again as one aligned table at the end.</summary>
internal sealed class Report
{
    private readonly List<(string Label, string Value)> _rows = new();
    private MachineLoad? _sectionStart;
    private string _sectionTitle = "";
    private string _sectionOwner = "";

    /// <summary>The structured results of the run, for the results file.</summary>
    public Results Results { get; } = new();

    /// <summary>Starts a section; a timed one ends with how busy other processes kept the machine meanwhile.</summary>
    public void Section(string title, bool timed = true)
    {
        EndSection();
        _sectionStart = timed ? MachineLoad.Now() : null;
        _sectionTitle = title;
        _sectionOwner = Results.SectionsRun.LastOrDefault() ?? "";
        Console.WriteLine();
        Console.WriteLine($"== {title}");
        _rows.Add(("", ""));
    }

    public void Add(string label, string value)
    {
        Console.WriteLine($"   {label}: {value}");
        _rows.Add((label, value));
    }

    /// <summary>Adds how busy other processes kept the machine during the timed section that is ending.</summary>
    private void EndSection()
    {
        if (_sectionStart is not MachineLoad start)
            return;
        double? others = start.OthersPercentSince();
        if (others is not null)
            Add("other processes' CPU use meanwhile", $"{others:F0}% (timings are comparable only near 0%)");
        Results.Add(new SectionLoad(_sectionOwner, _sectionTitle, others));
        _sectionStart = null;
    }

    public void Print(string header)
    {
        EndSection();
        int width = _rows.Max(r => r.Label.Length) + 1;
        Console.WriteLine();
        Console.WriteLine(header);
        foreach (var (label, value) in _rows.SkipWhile(r => r.Label.Length == 0))
            Console.WriteLine(label.Length == 0 ? "" : $"{(label + ":").PadRight(width + 1)}{value}");
    }
}
