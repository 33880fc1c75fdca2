using System;
using System.Collections.Generic;
using Spectre.Console;

namespace MLDeepExtensions.Samples;

/// <summary>
/// A live Spectre.Console table with one row per optimizer, updated after every epoch. When the output is not an
/// interactive terminal (redirected to a file or a test), it prints one line per finished optimizer and the final table.
/// </summary>
public sealed class RaceDisplay
{
    private const int EpochColumn = 2, LossColumn = 3, AccuracyColumn = 4, TimeColumn = 5;
    private readonly Table _table = new();
    private readonly int _epochs;
    private readonly List<string> _names = new();
    private LiveDisplayContext? _context;

    /// <summary>Creates the table with a waiting row for each contender.</summary>
    public RaceDisplay(IReadOnlyList<Contender> contenders, int epochs)
    {
        _epochs = epochs;
        _table.Title("Training the MLP 784-128-10 with each optimizer");
        _table.AddColumns("Optimizer", "Learning rate", "Epoch", "Training loss", "Test accuracy", "Time");
        foreach (var column in new[] { 1, 2, 3, 4, 5 })
            _table.Columns[column].RightAligned();
        foreach (var contender in contenders)
        {
            _names.Add(contender.Name);
            _table.AddRow(contender.Name, $"{contender.Optimizer.LearningRate:G3}", "[grey]waiting[/]", "", "", "");
        }
    }

    /// <summary>Shows the table while <paramref name="work"/> runs on this thread.</summary>
    public void Run(Action work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            work();
            AnsiConsole.Write(_table);
            return;
        }
        AnsiConsole.Live(_table).Start(context =>
        {
            _context = context;
            work();
            _context = null;
        });
    }

    /// <summary>A progress receiver for one row; reports arrive synchronously on the training thread.</summary>
    public IProgress<EpochMetrics> ProgressFor(int row) => new RowProgress(this, row);

    /// <summary>Fills in the test accuracy once the row's optimizer has finished.</summary>
    public void Finish(int row, double accuracy)
    {
        _table.UpdateCell(row, AccuracyColumn, $"[green]{accuracy * 100:F2}%[/]");
        if (_context is null)
            Console.WriteLine($"  {_names[row]} finished: test accuracy {accuracy * 100:F2}%");
        _context?.Refresh();
    }

    private void Update(int row, EpochMetrics epoch)
    {
        _table.UpdateCell(row, EpochColumn, $"{epoch.Epoch}/{_epochs}");
        _table.UpdateCell(row, LossColumn, $"{epoch.TrainingLoss:F4}");
        _table.UpdateCell(row, TimeColumn, $"{epoch.Elapsed.TotalSeconds:F1} s");
        _context?.Refresh();
    }

    // System.Progress<T> would post each report to the thread pool, after the fit has moved on; this one is synchronous.
    private sealed class RowProgress(RaceDisplay display, int row) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value) => display.Update(row, value);
    }
}
