using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MLDeepExtensions.Training;

/// <summary>
/// The library's only console output (<see cref="NetworkTrainingOptions.ShowProgress"/>): per epoch, a bar redrawn in
/// place with a carriage return (batches done of the total when known, rows per second, time left in the epoch) that
/// ends as a line with the epoch's loss and throughput; or, when not drawing a bar, just that line.
/// </summary>
internal sealed class ConsoleProgressBar
{
    /// <summary>Where the progress goes and whether it may be redrawn in place; tests pass their own writer.</summary>
    /// <param name="Writer">The console's standard error, or a test's writer.</param>
    /// <param name="Interactive">True when a person watches a terminal: a bar can be redrawn in place.</param>
    internal sealed record Output(TextWriter Writer, bool Interactive)
    {
        /// <summary>Standard error, interactive when neither standard output nor standard error is redirected and no test host runs the process.</summary>
        public static Output StandardError() => new(Console.Error, !Console.IsOutputRedirected && !Console.IsErrorRedirected && !UnderTestHost());

        private static bool UnderTestHost() => AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "").Any(name =>
            name.StartsWith("Microsoft.VisualStudio.TestPlatform", StringComparison.Ordinal) || name.StartsWith("Microsoft.Testing.Platform", StringComparison.Ordinal)
            || name.Equals("testhost", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Characters of the bar itself.</summary>
    private const int Width = 30;

    /// <summary>The bar is redrawn at most this often: a batch can take microseconds, a console write much longer.</summary>
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _writer;
    private readonly bool _bar;
    private readonly int _batchSize;
    private readonly Func<long?> _batchesPerEpoch;
    private long _epochStart;
    private long _lastDraw;
    private int _lastBatch;
    private int _drawnLength;

    /// <param name="writer">Where to write.</param>
    /// <param name="bar">True: a bar redrawn in place; false: one line per epoch.</param>
    /// <param name="batchSize">Rows per training batch: the throughput shown while an epoch runs.</param>
    /// <param name="batchesPerEpoch">Training batches per epoch, null while the row count is unknown (a stream's first pass).</param>
    public ConsoleProgressBar(TextWriter writer, bool bar, int batchSize, Func<long?> batchesPerEpoch)
    {
        _writer = writer;
        _bar = bar;
        _batchSize = batchSize;
        _batchesPerEpoch = batchesPerEpoch;
    }

    /// <summary>Starts timing the first epoch.</summary>
    public void Begin() => _epochStart = Stopwatch.GetTimestamp();

    /// <summary>Batch <paramref name="batch"/> of epoch <paramref name="epoch"/> is done: redraws the bar when it is time to.</summary>
    public void Batch(int epoch, int maxEpochs, int batch)
    {
        _lastBatch = batch;
        if (!_bar || (batch > 1 && Stopwatch.GetElapsedTime(_lastDraw) < RedrawInterval))
            return;
        _lastDraw = Stopwatch.GetTimestamp();
        double seconds = Stopwatch.GetElapsedTime(_epochStart).TotalSeconds;
        long? total = _batchesPerEpoch();
        string text = Head(epoch, maxEpochs, batch, total);
        if (seconds > 0)
            text += FormattableString.Invariant($", {(double)batch * _batchSize / seconds:N0} rows/s");
        if (total is long all && all > batch && seconds > 0)
            text += FormattableString.Invariant($", ETA {Duration((all - batch) * seconds / batch)}");
        Draw(text, endLine: false);
    }

    /// <summary>The epoch ended: the bar's last state (or the epoch's line) with its loss, validation results and throughput.</summary>
    public void EpochEnd(EpochMetrics metrics, int maxEpochs)
    {
        Draw($"{Head(metrics.Epoch, maxEpochs, _lastBatch, _lastBatch)}, {metrics.Measurements()}", endLine: true);
        _lastBatch = 0;
        _epochStart = Stopwatch.GetTimestamp();
    }

    /// <summary>"Epoch 3/10 [=====>....] 12/24" (a bar) or "Epoch 3/10: 24 batches" (a line).</summary>
    private string Head(int epoch, int maxEpochs, int batch, long? total)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch}/{maxEpochs}");
        if (!_bar)
            return string.Create(CultureInfo.InvariantCulture, $"{head}: {batch} batches");
        double done = total is long all && all > 0 ? Math.Min(1.0, batch / (double)all) : 0;
        int filled = (int)(done * Width);
        string bar = total is null
            ? new string('.', Width)
            : new string('=', filled) + (filled < Width ? ">" + new string('.', Width - filled - 1) : "");
        return string.Create(CultureInfo.InvariantCulture, $"{head} [{bar}] {batch}/{(total is long t ? t.ToString(CultureInfo.InvariantCulture) : "?")}");
    }

    /// <summary>Writes <paramref name="text"/>: over the previous bar (padded to erase what was longer) when drawing a bar.</summary>
    private void Draw(string text, bool endLine)
    {
        if (_bar)
        {
            _writer.Write('\r' + text.PadRight(_drawnLength));
            _drawnLength = endLine ? 0 : text.Length;
        }
        else
            _writer.Write(text);
        if (endLine)
            _writer.WriteLine();
        _writer.Flush();
    }

    /// <summary>"0:42" or "1:02:03".</summary>
    private static string Duration(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Round(seconds));
        return time.TotalHours >= 1 ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }
}
