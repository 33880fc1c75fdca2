using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Data;

/// <summary>
/// Streamed training (<see cref="DataLoadingMode.Streaming"/>): a cursor per epoch read by a background task. In stored
/// order it trains exactly what the in-memory path trains, for every architecture; shuffled it is reproducible; bad
/// data mid-epoch fails with the row and the epoch, and leaves no reader behind.
/// </summary>
[TestClass]
public sealed class StreamingTests
{
    private static readonly DataLoadingOptions Streaming = new() { Mode = DataLoadingMode.Streaming };
    private static readonly DataLoadingOptions InMemory = new() { Mode = DataLoadingMode.InMemory };

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    [DataRow("lstm")]
    [DataRow("gru")]
    [DataRow("transformer")]
    [DataRow("autoencoder")]
    [DataRow("conv-autoencoder")]
    [DataRow("resnet")]
    public void StreamedInStoredOrder_TrainsBitwiseWhatMemoryTrains(string kind)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestNetworks.Rows(300, seed: 4));
        using var inMemory = (IDisposable)TestNetworks.Estimator(ml, kind, epochs: 2, loading: InMemory, shuffle: false).Fit(data);
        using var streamed = (IDisposable)TestNetworks.Estimator(ml, kind, epochs: 2, loading: Streaming, shuffle: false).Fit(data);
        CollectionAssert.AreEqual(TestData.SavedNetwork(ml, (ITransformer)inMemory, data.Schema), TestData.SavedNetwork(ml, (ITransformer)streamed, data.Schema), kind);
        CollectionAssert.AreEqual(TestNetworks.Scores((ITransformer)inMemory, data), TestNetworks.Scores((ITransformer)streamed, data), kind);
    }

    [TestMethod]
    public void StreamedAnomalyDetector_SetsItsThresholdInAStreamedPass_LikeInMemory()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestNetworks.Rows(300, seed: 4));
        AutoencoderOptions Options(DataLoadingOptions loading) => new()
        {
            FeatureColumnName = nameof(SixteenRow.Features), Architecture = new AutoencoderArchitecture(4, 8), Epochs = 2, BatchSize = 32, Seed = 1,
            Shuffle = false, DataLoading = loading, ThresholdQuantile = 0.9,
        };
        using var inMemory = ml.AnomalyDetection.Trainers.Autoencoder(Options(InMemory)).Fit(data);
        using var streamed = ml.AnomalyDetection.Trainers.Autoencoder(Options(Streaming)).Fit(data);
        CollectionAssert.AreEqual(TestData.SavedNetwork(ml, inMemory, data.Schema), TestData.SavedNetwork(ml, streamed, data.Schema));
        var flagged = streamed.Transform(data).GetColumn<bool>("PredictedLabel").ToArray();
        CollectionAssert.AreEqual(inMemory.Transform(data).GetColumn<bool>("PredictedLabel").ToArray(), flagged);
        Assert.AreEqual(30, flagged.Count(f => f), "10% of the training rows lie above the 0.9 quantile");
    }

    [TestMethod]
    public void StreamedAndShuffled_IsReproducible_AndShufflesByTheSeed()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestNetworks.Rows(300, seed: 4);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        foreach (var data in new[] { ml.Data.LoadFromEnumerable(rows), ml.Data.Cache(ml.Data.LoadFromEnumerable(rows)) })
        {
            using var first = (DeepNetworkTransformer)TestNetworks.Estimator(ml, "mlp", epochs: 3, loading: Streaming).Fit(data);
            using var again = (DeepNetworkTransformer)TestNetworks.Estimator(ml, "mlp", epochs: 3, loading: Streaming).Fit(data);
            using var unshuffled = (DeepNetworkTransformer)TestNetworks.Estimator(ml, "mlp", epochs: 3, loading: Streaming, shuffle: false).Fit(data);
            CollectionAssert.AreEqual(TestData.SavedNetwork(ml, first, data.Schema), TestData.SavedNetwork(ml, again, data.Schema), $"same seed, CanShuffle {data.CanShuffle}");
            CollectionAssert.AreNotEqual(TestData.SavedNetwork(ml, first, data.Schema), TestData.SavedNetwork(ml, unshuffled, data.Schema), "the shuffle changes the batches");
            Assert.IsLessThan(first.History[0].TrainingLoss, first.History[^1].TrainingLoss, "it learns");
        }
        lock (log)
        {
            Assert.IsTrue(log.Any(m => m.Contains("an approximate shuffle")), "LoadFromEnumerable cannot shuffle: the pool is said to be approximate");
            Assert.AreEqual(2, log.Count(m => m.Contains("an approximate shuffle")), "said once per shuffled fit, for the view that cannot shuffle only");
        }
    }

    [TestMethod]
    public void Streamed_WithValidationFraction_HoldsOutAboutThatShare_AndAutoStreamsOverTheBudget()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var data = ml.Data.LoadFromEnumerable(TestNetworks.Rows(1000, seed: 4));
        var tinyBudget = new DataLoadingOptions { MemoryBudgetBytes = 1000 };
        using var model = (DeepNetworkTransformer)TestNetworks.Estimator(ml, "mlp", epochs: 2, loading: tinyBudget, validationFraction: 0.2f).Fit(data);
        Assert.IsTrue(model.History.All(m => m.ValidationLoss is double loss && double.IsFinite(loss)));
        lock (log)
        {
            Assert.IsTrue(log.Any(m => m.Contains("over the memory budget") && m.Contains("streamed from a cursor per epoch")), string.Join("\n", log));
            var line = log.First(m => m.Contains("Streamed") && m.Contains("validation rows"));
            int validation = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"(\d+) validation rows").Groups[1].Value);
            Assert.IsTrue(validation is > 150 and < 250, line);
            Assert.IsTrue(log.Any(m => m.Contains("within the memory budget")) == false);
        }
        using var small = (DeepNetworkTransformer)TestNetworks.Estimator(ml, "mlp", epochs: 1).Fit(data);
        lock (log)
            Assert.IsTrue(log.Any(m => m.Contains("within the memory budget") && m.Contains("read into memory")));
    }

    [TestMethod]
    public void CursorThatThrowsMidEpoch_FailsTheFitNamingRowAndEpoch_AndStopsTheReader()
    {
        var ml = new MLContext(seed: 1);
        // Pass 1 measures the MLP's input statistics; pass 3 is epoch 2.
        var data = new TroubledView(ml.Data.LoadFromEnumerable(TestNetworks.Rows(300, seed: 4)), pass: 3, row: 123, TroubledView.Trouble.Throw);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => TestNetworks.Estimator(ml, "mlp", epochs: 3, loading: Streaming, shuffle: false).Fit(data));
        StringAssert.Contains(error.Message, "Reading the training data failed in epoch 2 after 122 rows: disk went away");
        StringAssert.Contains(error.InnerException!.Message, "disk went away");
        Assert.IsTrue(SpinWait.SpinUntil(() => data.OpenCursors == 0, 5000), "the reader's cursor was disposed");
    }

    [TestMethod]
    public void RowCountThatChangesBetweenEpochs_OrNaNMetInALaterEpoch_IsAnError()
    {
        var ml = new MLContext(seed: 1);
        // Pass 1 measures the MLP's input statistics; pass n + 1 is epoch n.
        var shorter = new TroubledView(ml.Data.LoadFromEnumerable(TestNetworks.Rows(300, seed: 4)), pass: 3, row: 250, TroubledView.Trouble.End);
        var changed = Assert.ThrowsExactly<InvalidOperationException>(() => TestNetworks.Estimator(ml, "mlp", epochs: 3, loading: Streaming).Fit(shorter));
        StringAssert.Contains(changed.Message, "gave 300 usable rows in an earlier pass and 249 in epoch 2");

        var nan = new TroubledView(ml.Data.LoadFromEnumerable(TestNetworks.Rows(300, seed: 4)), pass: 4, row: 17, TroubledView.Trouble.NaN);
        var error = Assert.ThrowsExactly<ArgumentException>(() => TestNetworks.Estimator(ml, "mlp", epochs: 3, loading: Streaming, shuffle: false).Fit(nan));
        StringAssert.Contains(error.Message, "Row 17 of the training data as read in epoch 3 has NaN or infinite values in feature column 'Features'");
        Assert.IsTrue(SpinWait.SpinUntil(() => shorter.OpenCursors == 0, 5000));
        Assert.IsTrue(SpinWait.SpinUntil(() => nan.OpenCursors == 0, 5000));
    }

    [TestMethod]
    public void StreamedFit_CancelledMidEpoch_StopsPromptly()
    {
        var ml = new MLContext(seed: 1);
        var data = new TroubledView(ml.Data.LoadFromEnumerable(TestNetworks.Rows(2000, seed: 4)), pass: 0, row: 0, TroubledView.Trouble.None);
        using var cancel = new CancellationTokenSource();
        var options = new DeepNetworkOptions
        {
            LabelColumnName = nameof(SixteenRow.Target), FeatureColumnName = nameof(SixteenRow.Features), Architecture = new MlpArchitecture(16),
            Epochs = 50, BatchSize = 16, DataLoading = Streaming, CancellationToken = cancel.Token,
        };
        options.Callbacks.Add(new CancelAt(cancel, epoch: 2, batch: 5));
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Regression.Trainers.DeepNetwork(options).Fit(data));
        Assert.IsTrue(SpinWait.SpinUntil(() => data.OpenCursors == 0, 5000));
    }

    [TestMethod]
    public void StreamedFit_StoppedAndResumedFromACheckpoint_EqualsTheUninterruptedFit()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestNetworks.Rows(400, seed: 4));
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlde-streamed-checkpoints-{Guid.NewGuid():N}");
        DeepNetworkOptions Options(CheckpointOptions? checkpoints) => new()
        {
            LabelColumnName = nameof(SixteenRow.Target), FeatureColumnName = nameof(SixteenRow.Features),
            Architecture = new MlpArchitecture(16) { Dropout = 0.1f }, Epochs = 4, BatchSize = 32, Seed = 3,
            ValidationFraction = 0.2f, DataLoading = Streaming with { ShufflePoolRows = 64 }, Checkpoints = checkpoints,
        };
        try
        {
            using var uninterrupted = ml.Regression.Trainers.DeepNetwork(Options(null)).Fit(data);
            using (var cancel = new CancellationTokenSource())
            {
                var first = Options(new CheckpointOptions(folder)) with { CancellationToken = cancel.Token };
                first.Callbacks.Add(new CancelAt(cancel, epoch: 3, batch: 2));
                Assert.ThrowsExactly<OperationCanceledException>(() => ml.Regression.Trainers.DeepNetwork(first).Fit(data));
            }
            using var resumed = ml.Regression.Trainers.DeepNetwork(Options(new CheckpointOptions(folder) { Resume = true })).Fit(data);
            CollectionAssert.AreEqual(TestData.SavedNetwork(ml, uninterrupted, data.Schema), TestData.SavedNetwork(ml, resumed, data.Schema));
            CollectionAssert.AreEqual(uninterrupted.History.Select(m => m.ValidationLoss).ToArray(), resumed.History.Select(m => m.ValidationLoss).ToArray());
        }
        finally
        {
            if (System.IO.Directory.Exists(folder))
                System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void InvalidDataLoadingOptions_AreListed()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(new DeepNetworkOptions
        {
            DataLoading = new DataLoadingOptions { Mode = (DataLoadingMode)7, ShufflePoolRows = 0, PrefetchBatches = 40, MemoryBudgetBytes = -1 },
        }));
        foreach (string part in new[] { "DataLoading.Mode is 7", "DataLoading.ShufflePoolRows is 0", "DataLoading.PrefetchBatches is 40", "DataLoading.MemoryBudgetBytes is -1" })
            StringAssert.Contains(error.Message, part);
    }

    private sealed class CancelAt(CancellationTokenSource cancel, int epoch, int batch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, int e, int b)
        {
            if (e == epoch && b == batch)
                cancel.Cancel();
        }
    }

    /// <summary>A view whose cursors misbehave in one pass (counting passes that read the features): throw, end early or return NaN at a row.</summary>
    private sealed class TroubledView(IDataView inner, int pass, long row, TroubledView.Trouble trouble) : IDataView
    {
        public enum Trouble { None, Throw, End, NaN }

        private int _passes;
        private int _open;

        public int OpenCursors => Volatile.Read(ref _open);

        public bool CanShuffle => false;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => null;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var columns = columnsNeeded.ToArray();
            bool reads = columns.Any(c => c.Name == nameof(SixteenRow.Features));
            int thisPass = reads ? Interlocked.Increment(ref _passes) : 0;
            Interlocked.Increment(ref _open);
            return new Cursor(this, inner.GetRowCursor(columns, rand), thisPass == pass ? trouble : Trouble.None, row);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

        private sealed class Cursor(TroubledView owner, DataViewRowCursor inner, Trouble trouble, long at) : DataViewRowCursor
        {
            private long _row;
            private bool _disposed;

            public override DataViewSchema Schema => inner.Schema;
            public override long Position => inner.Position;
            public override long Batch => inner.Batch;
            public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();
            public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                var getter = inner.GetGetter<TValue>(column);
                if (trouble != Trouble.NaN || column.Name != nameof(SixteenRow.Features))
                    return getter;
                return (ref TValue value) =>
                {
                    getter(ref value);
                    if (_row == at && value is VBuffer<float> buffer)
                    {
                        var values = buffer.DenseValues().ToArray();
                        values[0] = float.NaN;
                        value = (TValue)(object)new VBuffer<float>(values.Length, values);
                    }
                };
            }

            public override bool MoveNext()
            {
                _row++;
                if (_row == at && trouble == Trouble.Throw)
                    throw new System.IO.IOException("disk went away");
                if (_row == at && trouble == Trouble.End)
                    return false;
                return inner.MoveNext();
            }

            protected override void Dispose(bool disposing)
            {
                if (!_disposed)
                {
                    _disposed = true;
                    inner.Dispose();
                    Interlocked.Decrement(ref owner._open);
                }
                base.Dispose(disposing);
            }
        }
    }
}
