using System;
using static TorchSharp.torch;

namespace MLDeepExtensions.Data;

/// <summary>
/// Training (or validation) rows as two contiguous tensors: features [rows, inputSize] (Float32) and labels —
/// 0-based class indices (Int64) for multiclass, 0/1 (Float32) for binary, targets [rows] or [rows, size] (Float32)
/// for regression. Owns its tensors.
/// </summary>
internal sealed class TrainingSet : IDisposable
{
    public TrainingSet(Tensor features, Tensor labels)
    {
        Features = features;
        Labels = labels;
    }

    public Tensor Features { get; private set; }

    public Tensor Labels { get; private set; }

    /// <summary>Moves both tensors to <paramref name="device"/> (no copy when they are there already).</summary>
    public void MoveTo(Device device)
    {
        if (Features.device_type == device.type && Features.device_index == device.index)
            return;
        var features = Features.to(device).DetachFromDisposeScope();
        var labels = Labels.to(device).DetachFromDisposeScope();
        Dispose();
        (Features, Labels) = (features, labels);
    }

    public int Count => (int)Features.shape[0];

    /// <summary>Splits off a random <paramref name="fraction"/> of the rows (at least one, leaving at least one).</summary>
    public (TrainingSet Train, TrainingSet Validation) Split(double fraction, int seed)
    {
        int validationCount = Math.Clamp((int)Math.Round(Count * fraction), 1, Count - 1);
        using var scope = NewDisposeScope();
        var order = tensor(Permutation(Count, seed), device: Features.device);
        var validationRows = order.narrow(0, 0, validationCount);
        var trainRows = order.narrow(0, validationCount, Count - validationCount);
        var train = new TrainingSet(Features.index_select(0, trainRows).MoveToOuterDisposeScope(), Labels.index_select(0, trainRows).MoveToOuterDisposeScope());
        var validation = new TrainingSet(Features.index_select(0, validationRows).MoveToOuterDisposeScope(), Labels.index_select(0, validationRows).MoveToOuterDisposeScope());
        return (train, validation);
    }

    /// <summary>A seeded random permutation of 0..count-1 (Fisher–Yates), the same on every platform.</summary>
    public static long[] Permutation(int count, int seed)
    {
        var random = new Random(seed);
        var order = new long[count];
        for (int i = 0; i < count; i++)
            order[i] = i;
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
