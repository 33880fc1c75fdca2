using System;
using System.Security.Cryptography;
using System.Threading;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>Runs on one batch: features [rows, inputSize] and labels, both on the fit's device, alive until it returns.</summary>
internal delegate void BatchAction(Tensor features, Tensor labels);

/// <summary>
/// Where the training loop takes its batches from: rows held in memory (<see cref="InMemoryBatchSource"/>) or streamed
/// from a cursor per pass (<see cref="StreamingBatchSource"/>). Every batch runs in its own dispose scope.
/// </summary>
internal abstract class BatchSource : IDisposable
{
    /// <summary>Rows, when known: always in memory; after the first whole pass when streamed.</summary>
    public abstract long? Count { get; }

    /// <summary>Where batches are made.</summary>
    public abstract Device Device { get; }

    /// <summary>Makes later batches on <paramref name="device"/>.</summary>
    public abstract void MoveTo(Device device);

    /// <summary>
    /// One epoch of training batches of <paramref name="batchSize"/> rows, shuffled with <paramref name="seed"/> when
    /// <paramref name="shuffle"/>; a last batch of one row is left out (it breaks batch normalization), unless it is the only row.
    /// </summary>
    public abstract void ForEachTrainingBatch(int epoch, int batchSize, bool shuffle, int seed, BatchAction body, CancellationToken cancellation);

    /// <summary>Every row in stored order, batch by batch (validation, thresholds, fingerprints).</summary>
    public abstract void ForEachInOrder(int batchSize, BatchAction body, CancellationToken cancellation);

    /// <summary>A short hash of every row's features and labels, in stored order (for checkpoint fingerprints).</summary>
    public string ContentHash(CancellationToken cancellation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ForEachInOrder(4096, (features, labels) =>
        {
            foreach (var tensor in new[] { features, labels })
            {
                using var cpu = tensor.cpu().contiguous();
                hash.AppendData(cpu.bytes);
            }
        }, cancellation);
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    public abstract void Dispose();
}
