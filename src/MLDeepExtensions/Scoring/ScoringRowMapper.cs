using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions.Scoring;

/// <summary>
/// Scores one row at a time, for PredictionEngine and composed row-to-row mappers. The row's output is computed once
/// per input position, however many output columns are read.
/// </summary>
internal sealed class ScoringRowMapper : IRowToRowMapper
{
    private readonly BoundScorer _scorer;

    public ScoringRowMapper(BoundScorer scorer)
    {
        _scorer = scorer;
    }

    public DataViewSchema InputSchema => _scorer.InputSchema;

    public DataViewSchema OutputSchema => _scorer.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        => _scorer.InputDependencies(dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Schema != InputSchema)
            throw new ArgumentException("The row's schema is not the schema this mapper was created for.", nameof(input));
        return new ScoredRow(_scorer, input, activeColumns.Select(c => c.Index).ToHashSet());
    }

    private sealed class ScoredRow : DataViewRow
    {
        private readonly BoundScorer _scorer;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly InputBatch? _batch;
        private readonly float[] _outputs;
        private readonly RowEncoder? _featureReader;
        private long _scoredPosition = -1;

        public ScoredRow(BoundScorer scorer, DataViewRow input, HashSet<int> active)
        {
            _scorer = scorer;
            _input = input;
            _active = active;
            _outputs = new float[scorer.Scorer.OutputWidth];
            if (active.Any(scorer.IsOutput))
            {
                _featureReader = scorer.Encoder.CreateReader(input, scorer.FeatureColumn);
                _batch = scorer.Scorer.CreateBatch(1);
            }
        }

        public override DataViewSchema Schema => _scorer.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column)
            => _scorer.IsOutput(column.Index) ? _active.Contains(column.Index) : _input.IsColumnActive(_scorer.InputSchema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_scorer.IsOutput(column.Index))
                return _input.GetGetter<TValue>(_scorer.InputSchema[column.Index]);
            if (!_active.Contains(column.Index))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the row was created.");
            var getter = _scorer.CreateOutputGetter(column.Index, CurrentOutput);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _batch?.Dispose();
            base.Dispose(disposing);
        }

        private ReadOnlySpan<float> CurrentOutput()
        {
            if (_scoredPosition != _input.Position || _input.Position < 0)
            {
                _featureReader!(_batch!.Rows);
                _batch.Score(1, _outputs);
                _scoredPosition = _input.Position;
            }
            return _outputs;
        }
    }
}
