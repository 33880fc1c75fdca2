using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Onnx;
using Microsoft.ML.Model.OnnxConverter;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// The lazy result of <c>DeepNetworkTransformer.Transform</c>: its cursors read a batch of rows ahead from the
/// input, score the batch in one forward pass, then serve the rows one by one. It is also the step ML.NET's ONNX
/// converter finds when it walks a transformed pipeline back from its end (through <see cref="Source"/>), and writes
/// the network into the graph there.
/// </summary>
internal sealed class ScoringDataView : IDataView, ITransformCanSaveOnnx
{
    private readonly IDataView _source;
    private readonly BoundScorer _scorer;
    private readonly int _batchSize;

    public ScoringDataView(IDataView source, BoundScorer scorer, int batchSize)
    {
        _source = source;
        _scorer = scorer;
        _batchSize = batchSize;
    }

    public DataViewSchema Schema => _scorer.OutputSchema;

    /// <summary>The data this view scores.</summary>
    public IDataView Source => _source;

    /// <summary>Always true, so that an export that cannot be written fails with the reason instead of ML.NET quietly stopping its walk here.</summary>
    bool ICanSaveOnnx.CanSaveOnnx(OnnxContext ctx) => true;

    void ISaveAsOnnx.SaveAsOnnx(OnnxContext ctx)
    {
        var graph = new OnnxGraph(ctx, _scorer.Scorer.OwnerName);
        string rows = _scorer.Encoder.ExportOnnx(graph, graph.Column(_scorer.FeatureColumn.Name));
        var values = _scorer.Scorer.ExportOnnx(graph, rows);
        for (int i = 0; i < values.Length; i++)
        {
            var column = Schema[_scorer.InputSchema.Count + i];
            graph.SetColumn(column.Name, column.Type, values[i]);
        }
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
        => throw new NotSupportedException($"The data view of a {_scorer.Scorer.OwnerName} is not saved on its own: save the transformer with mlContext.Model.Save.");

    public bool CanShuffle => _source.CanShuffle;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var sourceCursor = _source.GetRowCursor(_scorer.InputDependencies(needed), rand);
        return new Cursor(this, sourceCursor, needed.Select(c => c.Index).ToHashSet());
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ScoringDataView _parent;
        private readonly DataViewRowCursor _source;
        private readonly HashSet<int> _active;
        private readonly bool _scoring;
        private readonly ColumnBuffer?[] _inputs;
        private readonly DataViewRowId[] _ids;
        private readonly ValueGetter<DataViewRowId> _sourceIds;
        private readonly RowEncoder? _features;
        private readonly InputBatch? _featureBatch;
        private readonly float[] _outputBatch;
        private int _slot = -1;
        private int _filled;
        private long _position = -1;
        private bool _done;
        private bool _disposed;

        public Cursor(ScoringDataView parent, DataViewRowCursor source, HashSet<int> active)
        {
            _parent = parent;
            _source = source;
            _active = active;
            var bound = parent._scorer;
            _scoring = active.Any(bound.IsOutput);
            int capacity = _scoring ? parent._batchSize : 1;
            _inputs = new ColumnBuffer?[bound.InputSchema.Count];
            foreach (int index in active.Where(i => !bound.IsOutput(i)))
                _inputs[index] = ColumnBuffer.Create(source, bound.InputSchema[index], capacity);
            _ids = new DataViewRowId[capacity];
            _sourceIds = source.GetIdGetter();
            if (_scoring)
                _features = bound.Encoder.CreateReader(source, bound.FeatureColumn);
            _featureBatch = _scoring ? bound.Scorer.CreateBatch(capacity) : null;
            _outputBatch = new float[_scoring ? capacity * bound.Scorer.OutputWidth : 0];
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId dst) => dst = _ids[CurrentSlot()];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            var bound = _parent._scorer;
            Delegate getter = bound.IsOutput(column.Index)
                ? bound.CreateOutputGetter(column.Index, CurrentOutput)
                : _inputs[column.Index]!.CreateGetter(CurrentSlot);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        /// <summary>
        /// The next row, from the scored batch or a new one. As ML.NET's cursors: after the last row, and once disposed,
        /// it returns false and stays off any row (Position −1, getters throw).
        /// </summary>
        public override bool MoveNext()
        {
            if (_done)
                return false;
            if (_slot + 1 < _filled)
            {
                _slot++;
                _position++;
                return true;
            }
            if (!Fill())
            {
                Finish();
                return false;
            }
            _slot = 0;
            _position++;
            return true;
        }

        private void Finish()
        {
            _done = true;
            _slot = -1;
            _filled = 0;
            _position = -1;
        }

        private bool Fill()
        {
            int capacity = _ids.Length;
            var bound = _parent._scorer;
            int inputSize = bound.Scorer.InputSize;
            _filled = 0;
            // Rows are written straight into the memory the engine reads: no per-batch array, no copy.
            var batch = _featureBatch is null ? Span<float>.Empty : _featureBatch.Rows;
            while (_filled < capacity && _source.MoveNext())
            {
                _sourceIds(ref _ids[_filled]);
                foreach (var buffer in _inputs)
                    buffer?.Store(_filled);
                _features?.Invoke(batch.Slice(_filled * inputSize, inputSize));
                _filled++;
            }
            if (_filled == 0)
                return false;
            if (_featureBatch is not null)
                _featureBatch.Score(_filled, _outputBatch);
            return true;
        }

        private int CurrentSlot()
        {
            if (_slot < 0 || _slot >= _filled)
                throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
            return _slot;
        }

        private ReadOnlySpan<float> CurrentOutput()
        {
            int size = _parent._scorer.Scorer.OutputWidth;
            return _outputBatch.AsSpan(CurrentSlot() * size, size);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                Finish();
                _source.Dispose();
                _featureBatch?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
