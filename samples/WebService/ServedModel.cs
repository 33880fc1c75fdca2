using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>
/// One loaded model file and its pool of scorers. Counted references: the host holds one while the model is current,
/// each request one while it scores; the last release disposes the model, so a replaced model finishes its requests.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly ConcurrentBag<RowScorer> _idle = new();
    private readonly SemaphoreSlim _slots;
    private int _references = 1;

    private ServedModel(string path, long generation, ITransformer model, DataViewSchema inputSchema, int scorers)
    {
        Path = path;
        Generation = generation;
        _model = model;
        _inputSchema = inputSchema;
        Shape = ModelShape.Of(model, inputSchema);
        _slots = new SemaphoreSlim(scorers, scorers);
    }

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>1 for the model loaded at start, one more for each reload.</summary>
    public long Generation { get; }

    /// <summary>When the load finished.</summary>
    public DateTimeOffset LoadedAt { get; private set; }

    /// <summary>How long the load took, warm-up included.</summary>
    public TimeSpan LoadTime { get; private set; }

    /// <summary>What a request gives and an answer holds.</summary>
    public ModelShape Shape { get; }

    /// <summary>Loads the file fully: checks the zip, builds every scorer and scores one row of default values with each.</summary>
    public static ServedModel Load(string path, long generation, int scorers)
    {
        var clock = Stopwatch.StartNew();
        var ml = new MLContext();
        var model = ml.Model.LoadChecked(path, out var inputSchema);
        ServedModel? served = null;
        try
        {
            served = new ServedModel(path, generation, model, inputSchema, scorers);
            // Every scorer is built before the model serves, so none is built while another scores.
            for (int i = 0; i < scorers; i++)
            {
                var scorer = new RowScorer(model, inputSchema, served.Shape);
                served._idle.Add(scorer);
                scorer.WarmUp();
            }
            served.LoadTime = clock.Elapsed;
            served.LoadedAt = DateTimeOffset.UtcNow;
            return served;
        }
        catch
        {
            if (served is not null)
                served.Dispose();
            else
                (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Takes a reference for one request; false once the model has been disposed (the caller takes the current one again).</summary>
    public bool TryAddReference()
    {
        int count = Volatile.Read(ref _references);
        while (count > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, count + 1, count);
            if (seen == count)
                return true;
            count = seen;
        }
        return false;
    }

    /// <summary>Drops a reference; the last one disposes the model and its scorers.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
            Dispose();
    }

    /// <summary>Lends a scorer, waiting while all of them are busy.</summary>
    public ValueTask<RowScorer> RentAsync(CancellationToken cancellation)
        => _slots.Wait(0) ? new ValueTask<RowScorer>(Take()) : WaitAndTake(cancellation);

    /// <summary>Takes a scorer back.</summary>
    public void Return(RowScorer scorer)
    {
        _idle.Add(scorer);
        _slots.Release();
    }

    private async ValueTask<RowScorer> WaitAndTake(CancellationToken cancellation)
    {
        await _slots.WaitAsync(cancellation).ConfigureAwait(false);
        return Take();
    }

    private RowScorer Take()
    {
        if (_idle.TryTake(out var scorer))
            return scorer;
        try
        {
            return new RowScorer(_model, _inputSchema, Shape);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var scorer))
            scorer.Dispose();
        (_model as IDisposable)?.Dispose();
        _slots.Dispose();
    }
}
