using System;
using System.IO;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>
/// Serves the current model and replaces it when its file changes: a file watcher, a quiet time (debounce) after the last
/// change, a full load of the new file, then one atomic swap. Requests that started on the old model finish on it; it is
/// disposed when the last of them ends. A file that does not load is logged and the old model keeps serving.
/// </summary>
internal sealed class ModelHost : IDisposable
{
    private readonly ServiceSettings _settings;
    private readonly ILogger _log;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _debounce;
    private readonly Lock _reloading = new();
    private ServedModel _current;
    private ReloadFailure? _lastFailure;
    private bool _disposed;

    public ModelHost(ServiceSettings settings, ILogger log)
    {
        _settings = settings;
        _log = log;
        _current = ServedModel.Load(settings.ModelPath, generation: 1, settings.Scorers);
        _log.LogInformation("Loaded {Path} in {Seconds:F2} s: inputs {Inputs}; outputs {Outputs}", settings.ModelPath,
            _current.LoadTime.TotalSeconds, string.Join(", ", _current.Shape.Inputs), string.Join(", ", _current.Shape.Outputs));
        _debounce = new Timer(_ => Reload());
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(settings.ModelPath)!, Path.GetFileName(settings.ModelPath))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnFileEvent;
        _watcher.Created += OnFileEvent;
        _watcher.Renamed += OnFileEvent;
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>The last reload that failed since the last one that worked, or null.</summary>
    public ReloadFailure? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>The current model with a reference taken for the caller, who must <see cref="ServedModel.Release"/> it.</summary>
    public ServedModel Acquire()
    {
        while (true)
        {
            var model = Volatile.Read(ref _current);
            // Fails only when this model was replaced and released after it was read: the next read sees its successor.
            if (model.TryAddReference())
                return model;
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        // A rename away from the model's name (FileName filters match either name) leaves nothing new to load.
        if (string.Equals(e.FullPath, _settings.ModelPath, StringComparison.Ordinal))
            _debounce.Change(_settings.ReloadDebounce, Timeout.InfiniteTimeSpan);
    }

    private void Reload()
    {
        lock (_reloading)
        {
            if (_disposed)
                return;
            long generation = _current.Generation + 1;
            ServedModel next;
            try
            {
                next = ServedModel.Load(_settings.ModelPath, generation, _settings.Scorers);
            }
            catch (Exception e)
            {
                Volatile.Write(ref _lastFailure, new ReloadFailure(DateTimeOffset.UtcNow, $"{e.GetType().Name}: {e.Message}"));
                _log.LogError(e, "Reloading {Path} failed; generation {Generation} keeps serving", _settings.ModelPath, _current.Generation);
                return;
            }
            var old = Interlocked.Exchange(ref _current, next);
            Volatile.Write(ref _lastFailure, null);
            old.Release();
            _log.LogInformation("Reloaded {Path} in {Seconds:F2} s: generation {Generation}", _settings.ModelPath, next.LoadTime.TotalSeconds, generation);
        }
    }

    public void Dispose()
    {
        _watcher.Dispose();
        lock (_reloading)
        {
            _disposed = true;
            _debounce.Dispose();
            _current.Release();
        }
    }
}
