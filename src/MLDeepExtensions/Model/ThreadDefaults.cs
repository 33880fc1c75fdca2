using System;
using System.Linq;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Model;

/// <summary>
/// The libtorch thread count of a fit whose options leave <see cref="NetworkTrainingOptions.NumberOfThreads"/> unset.
/// libtorch's own default, one thread per logical processor, collapses when another process competes for the cores
/// (its threads wait for each other at every operation): measured on 2 cores beside one busy process, 2 threads made
/// six benchmark networks 1.7–4.4× slower than 1 (benchmarks/RESULTS-threads.md). So a fit uses one thread when a
/// training batch takes fewer than <see cref="SmallBatchMultiplyAdds"/> forward multiply-adds, and one per logical
/// processor otherwise; with <see cref="Interop.OpenMpWaitPolicy"/> the waiting threads of a large network sleep rather
/// than spin, so a competing process no longer makes them slower than one thread (the default CNN beside a busy process:
/// 7.6 s on 2 threads, 7.9 s on 1; idle: 4.4 s against 7.8 s). The choice depends only on the processor count, the
/// network and the batch size, never on the machine's load, so the same seed still gives the same model on the same
/// machine. It is logged, holds for the fit only (libtorch's setting is put back afterwards), and NumberOfThreads
/// overrides it.
/// </summary>
internal static class ThreadDefaults
{
    /// <summary>
    /// Forward multiply-adds per training batch below which one thread is used: with the passive wait policy the
    /// benchmark's small networks (an MLP 128-64 at batch 128, 14 M; a GRU 32, 21 M; the tabular recipe at batch 1,024,
    /// 45 M; an LSTM 64, 75 M; a forecaster, 1 M) trained 1.3–2.9× faster on one thread than on two, the default CNN
    /// (550 M) 1.6× slower.
    /// </summary>
    public const double SmallBatchMultiplyAdds = 200e6;

    /// <summary>The thread count for a fit, and why, in words.</summary>
    public static (int Threads, string Reason) Choose(NetworkArchitecture architecture, int inputSize, int outputSize, int batchSize, int processors)
    {
        if (processors <= 1)
            return (1, "one logical processor");
        double work;
        try
        {
            work = MultiplyAddsPerRow(architecture, inputSize, outputSize) * batchSize;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A module of your own may not take the placeholder row; its work is then unknown, as libtorch's default assumes.
            return (processors, $"the work of a batch could not be measured ({e.GetType().Name}): one thread per logical processor");
        }
        return work < SmallBatchMultiplyAdds
            ? (1, FormattableString.Invariant($"a batch is about {work / 1e6:N0} M multiply-adds, too little to share between threads"))
            : (processors, FormattableString.Invariant($"a batch is about {work / 1e6:N0} M multiply-adds: one thread per logical processor"));
    }

    /// <summary>
    /// The forward multiply-adds of one row, estimated from each layer's weights and output shape (measured on a fresh
    /// module; the random stream is left as it was): a convolution's weights once per output position, any other layer's
    /// once per output row (per step of a sequence).
    /// </summary>
    internal static double MultiplyAddsPerRow(NetworkArchitecture architecture, int inputSize, int outputSize)
        => LayerShapes.MeasureFresh(architecture, inputSize, outputSize, (module, shapes, _) =>
        {
            double total = 0;
            foreach (var (name, layer) in module.named_modules())
            {
                long weights = layer.named_parameters(recurse: false).Sum(p => p.parameter.numel());
                if (weights == 0)
                    continue;
                double repeats = 1;
                if (shapes.TryGetValue(name, out var shape) && shape.Length > 1)
                    repeats = layer is Conv1d or Conv2d or Conv3d ? shape.Skip(1).Aggregate(1.0, (a, d) => a * d) : shape.SkipLast(1).Aggregate(1.0, (a, d) => a * d);
                total += weights * repeats;
            }
            return total;
        });

    /// <summary>Sets libtorch's threads for a fit; disposing puts back the count it had.</summary>
    public static IDisposable Apply(int? requested, Func<(int Threads, string Reason)> choose, IChannel channel)
    {
        if (requested is int threads)
        {
            torch.set_num_threads(threads);
            return new Restore(null);
        }
        int before = torch.get_num_threads();
        var (chosen, reason) = choose();
        channel.Info($"Threads: {chosen} ({reason}); set NumberOfThreads to choose.");
        torch.set_num_threads(chosen);
        return new Restore(before);
    }

    private sealed class Restore(int? threads) : IDisposable
    {
        public void Dispose()
        {
            if (threads is int count)
                torch.set_num_threads(count);
        }
    }
}
