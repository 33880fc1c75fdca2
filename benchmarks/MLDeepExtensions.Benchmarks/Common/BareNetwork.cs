using System;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The reference side of every comparison: a network written directly in TorchSharp (see <see cref="BareModels"/>),
/// trained and scored the way a hand-written program would, with nothing in between. Owns its module.
/// </summary>
internal sealed class BareNetwork : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly int _classes;

    private BareNetwork(nn.Module<Tensor, Tensor> model, int classes)
    {
        _model = model;
        _classes = classes;
    }

    /// <summary>Seeds libtorch's generator, then builds the module, as our estimator does.</summary>
    public static BareNetwork Create(Func<nn.Module<Tensor, Tensor>> build, int seed, int classes = 10)
    {
        random.manual_seed(seed);
        return new BareNetwork(build(), classes);
    }

    public nn.Module<Tensor, Tensor> Module => _model;

    /// <summary>One epoch of Adam over shuffled batches of the given tensors, cross-entropy loss.</summary>
    public void TrainOneEpoch(Tensor features, Tensor labels, int batchSize, int seed, double learningRate = 1e-3)
    {
        _model.train();
        using var optimizer = optim.Adam(_model.parameters(), learningRate);
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

    /// <summary>Class probabilities of every row, in batches, into <paramref name="probabilities"/> (rows × classes).</summary>
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
            output.data<float>().CopyTo(probabilities, (int)(start * _classes));
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
