using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MLDeepExtensions;

/// <summary>
/// Writes the <see cref="TrainingHistory"/> to a CSV file as training goes: a header, then one row per epoch with the
/// columns Epoch, TrainingLoss, ValidationLoss, ValidationMetric, LearningRate, ElapsedSeconds and one column per entry
/// of <see cref="EpochMetrics.ValidationMetrics"/> ("Validation" + its name, e.g. ValidationAccuracy). The columns are
/// fixed at the first epoch written: a metric that appears only later is left out, one that goes missing leaves its
/// cell empty, as do the validation values of a fit without validation data. Numbers use the invariant culture and
/// round-trip exactly. Each fit rewrites the file (a resumed fit writes the epochs of its checkpoint first), and every row
/// is flushed when written. Add it to <see cref="NetworkTrainingOptions.Callbacks"/>, or set <see cref="NetworkTrainingOptions.Logging"/>.
/// </summary>
public sealed class CsvLogCallback : TrainingCallback, IDisposable
{
    private static readonly string[] FixedColumns = { "Epoch", "TrainingLoss", "ValidationLoss", "ValidationMetric", "LearningRate", "ElapsedSeconds" };

    private StreamWriter? _writer;
    private string[]? _metricNames;
    private int _written;

    /// <param name="path">The CSV file to write; its folder is created when missing and an existing file is replaced.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, not a valid file path, or an existing folder.</exception>
    public CsvLogCallback(string path)
    {
        var errors = new ValidationErrors();
        TrainingLogOptions.CheckPath(errors, nameof(path), path, isFile: true);
        if (errors.Count > 0)
            throw new ArgumentException(errors.Messages[0], nameof(path));
        Path = path;
    }

    /// <summary>The CSV file.</summary>
    public string Path { get; }

    /// <summary>Creates (or empties) the file; the header is written with the first epoch.</summary>
    public override void OnTrainingBegin(TrainingContext context)
    {
        Dispose();
        if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) is { } folder)
            Directory.CreateDirectory(folder);
        _writer = new StreamWriter(new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        _metricNames = null;
        _written = 0;
    }

    /// <summary>Writes the rows of the epochs in the history not yet written (all of a resumed fit's on its first epoch).</summary>
    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        if (_writer is null)
            return;
        var history = context.History;
        if (_metricNames is null)
        {
            _metricNames = (history.Count > 0 ? history[0] : metrics).ValidationMetrics.Keys.ToArray();
            _writer.WriteLine(string.Join(",", FixedColumns.Concat(_metricNames.Select(n => "Validation" + n)).Select(Quote)));
        }
        for (; _written < history.Count; _written++)
            _writer.WriteLine(Row(history[_written], _metricNames));
        _writer.Flush();
    }

    /// <summary>Closes the file.</summary>
    public override void OnTrainingEnd(TrainingContext context) => Dispose();

    /// <summary>Closes the file if it is open (the training loop disposes its callbacks when a fit ends or fails).</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }

    private static string Row(EpochMetrics m, IEnumerable<string> metricNames)
    {
        var cells = new List<string>
        {
            m.Epoch.ToString(CultureInfo.InvariantCulture), Number(m.TrainingLoss), Number(m.ValidationLoss), Number(m.ValidationMetric),
            Number(m.LearningRate), Number(m.Elapsed.TotalSeconds),
        };
        cells.AddRange(metricNames.Select(n => Number(m.ValidationMetrics.TryGetValue(n, out var value) ? value : null)));
        return string.Join(",", cells);
    }

    private static string Number(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    /// <summary>A header cell, quoted as RFC 4180 asks when it holds a comma, a quote or a line break.</summary>
    private static string Quote(string cell) => cell.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
