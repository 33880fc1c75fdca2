using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MLDeepExtensions.Benchmarks;

/// <summary>A GitHub-flavoured Markdown table: a header row, the separator, then rows with as many cells.</summary>
internal sealed class MarkdownTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = new();

    public MarkdownTable(params string[] headers) => _headers = headers;

    public MarkdownTable Row(params string[] cells)
    {
        if (cells.Length != _headers.Length)
            throw new ArgumentException($"A row of this table has {_headers.Length} cells, got {cells.Length}.", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    /// <summary>Appends the table and a blank line after it.</summary>
    public void AppendTo(StringBuilder markdown)
    {
        markdown.AppendLine(Line(_headers));
        markdown.AppendLine(Line(_headers.Select(_ => "---")));
        foreach (var row in _rows)
            markdown.AppendLine(Line(row));
        markdown.AppendLine();
    }

    private static string Line(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(Escape)) + " |";

    /// <summary>A cell stays on one line, and a pipe inside it does not end it.</summary>
    private static string Escape(string cell) => cell.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");
}
