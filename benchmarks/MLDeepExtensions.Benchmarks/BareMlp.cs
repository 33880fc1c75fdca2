using System;
using MLDeepExtensions.Samples;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The reference: the same MLP 784-256-128-10 written directly in TorchSharp, trained and scored the way a
/// hand-written program would, with nothing in between.
/// </summary>
internal sealed class BareMlp : IDisposable
{
    private const int ClassCount = 10;
    private readonly Sequential _model;

    public BareMlp(int seed)
    {
        random.manual_seed(seed);
        _model = nn.Sequential(
            nn.Linear(FashionMnist.PixelCount, 256), nn.ReLU(),
            nn.Linear(256, 128), nn.ReLU(),
            nn.Linear(128, ClassCount));
    }

    /// <summary>One epoch of Adam (learning rate 0.001) over shuffled batches of the given tensors.</summary>
    public void TrainOneEpoch(Tensor features, Tensor labels, int batchSize, int seed)
    {
        _model.train();
        using var optimizer = optim.Adam(_model.parameters(), 1e-3);
        long count = features.shape[0];
        random.manual_seed(seed);
        using var order = randperm(count);
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long size = Math.Min(batchSize, count - start);
            var rows = order.narrow(0, start, size);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(_model.forward(features.index_select(0, rows)), labels.index_select(0, rows));
            loss.backward();
            optimizer.step();
        }
        _model.eval();
    }

    /// <summary>Class probabilities of every row, in batches, into <paramref name="probabilities"/> (rows × 10).</summary>
    public void ScoreAll(Tensor features, int batchSize, float[] probabilities)
    {
        _model.eval();
        using var noGrad = no_grad();
        long count = features.shape[0];
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long size = Math.Min(batchSize, count - start);
            var output = nn.functional.softmax(_model.forward(features.narrow(0, start, size)), 1);
            output.data<float>().CopyTo(probabilities, (int)(start * ClassCount));
        }
    }

    /// <summary>Class probabilities of one row given as an array.</summary>
    public void ScoreOne(float[] pixels, float[] probabilities)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var output = nn.functional.softmax(_model.forward(tensor(pixels, new long[] { 1, pixels.Length })), 1);
        output.data<float>().CopyTo(probabilities, 0);
    }

    public void Dispose() => _model.Dispose();
}
