using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Heads;
using static System.FormattableString;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>
/// Rows streamed from an IDataView: every pass opens a new cursor over the feature and label columns only (shuffled
/// with the pass's seed where the data can shuffle, else through ML.NET's shuffle pool), and a background task decodes
/// rows into reusable batch buffers, handed over through a bounded queue while the training thread computes. Rows
/// with NaN or infinite values are an error naming the row and pass, or dropped and counted. With
/// <paramref name="keep"/>, only the rows whose stable row id it accepts (a seeded validation split).
/// </summary>
internal sealed class StreamingBatchSource(IDataView data, string role, string featureColumnName, FeatureEncoder encoder, LabelSource? label,
    bool dropNonFinite, DataLoadingOptions loading, IChannel channel, Func<DataViewRowId, bool>? keep = null) : BatchSource
{
    private readonly int _width = encoder.InputSize;
    private readonly int _labelWidth = label?.RowWidth ?? 0;
    private Device _device = CPU;
    private long? _count;
    private bool _warnedApproximate;

    public override long? Count => _count;

    public override Device Device => _device;

    public override void MoveTo(Device device) => _device = device;

    public override void ForEachTrainingBatch(int epoch, int batchSize, bool shuffle, int seed, BatchAction body, CancellationToken cancellation)
        => Pass(Invariant($"epoch {epoch}"), batchSize, shuffle ? new Random(seed) : null, dropLoneRow: true, body, cancellation);

    public override void ForEachInOrder(int batchSize, BatchAction body, CancellationToken cancellation)
        => Pass("a pass in stored order", batchSize, random: null, dropLoneRow: false, body, cancellation);

    public override void Dispose()
    {
    }

    /// <summary>Rows of one batch, decoded by the reader task.</summary>
    private sealed class Batch(int rows, int width, int labelWidth)
    {
        public float[] Features { get; } = new float[rows * width];
        public float[] Labels { get; } = new float[rows * labelWidth];
        public int Rows { get; set; }
    }

    private void Pass(string pass, int batchSize, Random? random, bool dropLoneRow, BatchAction body, CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var ready = new BlockingCollection<Batch>(loading.PrefetchBatches);
        var free = new ConcurrentBag<Batch>(Enumerable.Range(0, loading.PrefetchBatches + 2).Select(_ => new Batch(batchSize, _width, _labelWidth)));
        var counts = new PassCounts();
        var reader = Task.Factory.StartNew(() => Read(pass, random, ready, free, counts, stop.Token),
            stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        long seen = 0;
        var waited = TimeSpan.Zero;
        long passStart = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var batches = ready.GetConsumingEnumerable(stop.Token).GetEnumerator();
            while (true)
            {
                long waitStart = System.Diagnostics.Stopwatch.GetTimestamp();
                bool more = batches.MoveNext();
                waited += System.Diagnostics.Stopwatch.GetElapsedTime(waitStart);
                if (!more)
                    break;
                var batch = batches.Current;
                seen += batch.Rows;
                // A last batch of one row breaks batch normalization; it is left to another epoch's shuffle.
                bool lone = dropLoneRow && batch.Rows == 1 && batchSize > 1 && seen > 1;
                if (!lone)
                {
                    using var scope = NewDisposeScope();
                    var (features, labels) = ToTensors(batch);
                    free.Add(batch);
                    body(features, labels);
                }
                else
                    free.Add(batch);
            }
            reader.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            try
            {
                reader.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Reported above, or superseded by the exception that ended the pass.
            }
        }

        if (seen == 0)
            throw new ArgumentException($"The {role} data has no usable rows (0 read in {pass}); a network needs at least one row.");
        if (counts.Dropped > 0)
            channel.Warning(Invariant($"{counts.Dropped} of {counts.Rows} {role} rows had NaN, infinite or missing values in {pass} and were dropped ({"DropRowsWithNonFiniteValues"})."));
        if (_count is long before && before != seen)
            throw new InvalidOperationException(Invariant($"The {role} data gave {before} usable rows in an earlier pass and {seen} in {pass}: streamed data must not change during a fit. ") +
                "Fit on data that stays the same while it is read (a file, or a cached view: mlContext.Data.Cache).");
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(passStart);
        channel.Info(Invariant($"Streamed {role} data, {pass}: {seen} rows in {elapsed.TotalSeconds:F1} s; waited {waited.TotalSeconds:F2} s for the reader ({100 * waited / elapsed:F0}%)."));
        if (role == "training" && label is { IsClassification: true } && counts.Classes.Count < 2)
            throw label.OneClassError();
        _count = seen;
    }

    /// <summary>What the reader task counted in one pass.</summary>
    private sealed class PassCounts
    {
        public long Rows;
        public long Dropped;
        public readonly System.Collections.Generic.HashSet<float> Classes = new();
    }

    /// <summary>
    /// The reader task: one cursor, rows decoded into free buffers (through the shuffle pool when the cursor cannot
    /// shuffle), full buffers into the queue; ends the queue when done, whatever happens.
    /// </summary>
    private void Read(string pass, Random? random, BlockingCollection<Batch> ready, ConcurrentBag<Batch> free, PassCounts counts, CancellationToken stop)
    {
        var featureColumn = data.Schema[featureColumnName];
        var inputs = encoder.InputColumns(data.Schema, featureColumn);
        var columns = (label is null ? inputs : inputs.Concat(label.Columns(data.Schema))).ToArray();
        Batch? batch = null;
        void Emit(ReadOnlySpan<float> row)
        {
            if (batch is null)
            {
                if (!free.TryTake(out batch))
                    throw new InvalidOperationException("No free batch buffer (a bug in MLDeepExtensions).");
                batch.Rows = 0;
            }
            row[.._width].CopyTo(batch.Features.AsSpan(batch.Rows * _width));
            row[_width..].CopyTo(batch.Labels.AsSpan(batch.Rows * _labelWidth));
            if (++batch.Rows * _width == batch.Features.Length)
            {
                ready.Add(batch, stop);
                batch = null;
            }
        }
        try
        {
            using var cursor = data.GetRowCursor(columns, random is not null && data.CanShuffle ? random : null);
            var pool = random is not null && !data.CanShuffle ? new ShufflePool(PoolRows(), _width + _labelWidth, random) : null;
            var readFeatures = encoder.CreateReader(cursor, featureColumn);
            LabelReader readLabel = label is null ? _ => true : label.CreateReader(cursor);
            var rowId = keep is null ? null : cursor.GetIdGetter();
            var id = default(DataViewRowId);
            var staging = new float[_width + _labelWidth];
            while (cursor.MoveNext())
            {
                stop.ThrowIfCancellationRequested();
                if (rowId is not null)
                {
                    rowId(ref id);
                    if (!keep!(id))
                        continue;
                }
                counts.Rows++;
                var features = staging.AsSpan(0, _width);
                readFeatures(features);
                bool featuresOk = FeatureEncoder.AllFinite(features);
                bool labelOk = readLabel(staging.AsSpan(_width));
                if (!(featuresOk && labelOk))
                {
                    if (!dropNonFinite)
                        throw new ArgumentException(Invariant($"Row {counts.Rows} of the {role} data as read in {pass} has ") +
                            (featuresOk ? $"a NaN, infinite or missing value in label column '{label!.ColumnName}'" + (label.WeightColumnName is { } weightColumn ? $" or weight column '{weightColumn}'" : "") : $"NaN or infinite values in feature column '{featureColumnName}'") +
                            ". " + TrainingDataReader.NonFiniteAdvice);
                    counts.Dropped++;
                    continue;
                }
                if (counts.Classes.Count < 2 && label is { IsClassification: true })
                    counts.Classes.Add(staging[_width]);
                if (pool is null)
                    Emit(staging);
                else
                    pool.Add(staging, Emit);
            }
            pool?.Drain(Emit);
            if (batch is { Rows: > 0 })
                ready.Add(batch, stop);
        }
        // A bad row (our readers' ArgumentException names the column and row) reaches the caller as it is; anything else
        // (a file that cannot be read) says which pass failed where.
        catch (Exception e) when (e is not (OperationCanceledException or ArgumentException))
        {
            throw new InvalidOperationException(Invariant($"Reading the {role} data failed in {pass} after {counts.Rows} rows: {e.GetBaseException().Message}"), e);
        }
        finally
        {
            ready.CompleteAdding();
        }
    }

    /// <summary>The pool size, said once per fit: the data cannot shuffle, so the shuffle is approximate.</summary>
    private int PoolRows()
    {
        if (!_warnedApproximate)
        {
            _warnedApproximate = true;
            channel.Warning(Invariant($"The {role} data cannot be shuffled by its cursor (it is not a cached view or a binary .idv file), so each epoch shuffles it through a pool of ") +
                Invariant($"{loading.ShufflePoolRows} rows: an approximate shuffle. For an exact one, save it once with mlContext.Data.SaveAsBinary and train on the .idv file, or cache it."));
        }
        return loading.ShufflePoolRows;
    }

    /// <summary>
    /// A shuffle buffer (as tf.data's): each row in replaces a randomly chosen pooled row, which goes out; at the end the
    /// rest go out in random order. A row moves at most about the pool's size from where the cursor gave it.
    /// </summary>
    private sealed class ShufflePool(int capacity, int width, Random random)
    {
        private readonly float[] _rows = new float[(long)capacity * width];
        private int _count;

        public delegate void RowAction(ReadOnlySpan<float> row);

        public void Add(ReadOnlySpan<float> row, RowAction emit)
        {
            if (_count < capacity)
            {
                row.CopyTo(_rows.AsSpan(_count++ * width, width));
                return;
            }
            var slot = _rows.AsSpan(random.Next(capacity) * width, width);
            emit(slot);
            row.CopyTo(slot);
        }

        public void Drain(RowAction emit)
        {
            while (_count > 0)
            {
                int j = random.Next(_count);
                emit(_rows.AsSpan(j * width, width));
                _rows.AsSpan(--_count * width, width).CopyTo(_rows.AsSpan(j * width, width));
            }
        }
    }

    /// <summary>
    /// The batch as tensors in libtorch's own memory on the fit's device (copies, so the buffer can be reused at once;
    /// and aligned as the in-memory path's batches are, which kernels' results can depend on in the last bits).
    /// </summary>
    private (Tensor Features, Tensor Labels) ToTensors(Batch batch)
    {
        int rows = batch.Rows;
        var features = empty([rows, _width], ScalarType.Float32, _device);
        using (var staged = frombuffer(batch.Features, ScalarType.Float32, count: (long)rows * _width).view(rows, _width))
            features.copy_(staged);
        if (label is null)
            return (features, features.alias());
        using var labels = label.ToTensor(batch.Labels.AsSpan(0, rows * _labelWidth).ToArray(), rows);
        return (features, labels.clone().to(_device));
    }
}
