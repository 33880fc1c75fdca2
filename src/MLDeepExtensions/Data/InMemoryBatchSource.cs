using System;
using System.Threading;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>Batches of a <see cref="TrainingSet"/> held in memory: index_select along a seeded permutation, as always.</summary>
internal sealed class InMemoryBatchSource(TrainingSet rows) : BatchSource
{
    public override long? Count => rows.Count;

    public override Device Device => rows.Features.device;

    public override void MoveTo(Device device) => rows.MoveTo(device);

    public override void ForEachTrainingBatch(int epoch, int batchSize, bool shuffle, int seed, BatchAction body, CancellationToken cancellation)
    {
        int count = rows.Count;
        batchSize = Math.Min(batchSize, count);
        using var order = shuffle
            ? tensor(TrainingSet.Permutation(count, seed), device: Device)
            : arange(count, ScalarType.Int64, device: Device);
        for (int start = 0; start < count; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int size = Math.Min(batchSize, count - start);
            if (size == 1 && count > 1)
                break;
            using var scope = NewDisposeScope();
            var selected = order.narrow(0, start, size);
            body(rows.Features.index_select(0, selected), rows.Labels.index_select(0, selected));
        }
    }

    public override void ForEachInOrder(int batchSize, BatchAction body, CancellationToken cancellation)
    {
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int size = Math.Min(batchSize, rows.Count - start);
            using var scope = NewDisposeScope();
            body(rows.Features.narrow(0, start, size), rows.Labels.narrow(0, start, size));
        }
    }

    public override void Dispose() => rows.Dispose();
}
