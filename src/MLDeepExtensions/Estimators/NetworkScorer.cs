using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Estimators;

/// <summary>
/// Runs a trained module forward on batches of feature rows (eval mode, no gradients) and returns the values the
/// output columns are made from: class probabilities (multiclass), the logit (binary), the prediction (regression).
/// </summary>
internal sealed class NetworkScorer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly bool _softmax;
    private readonly Device _device;

    public NetworkScorer(nn.Module<Tensor, Tensor> module, TaskInfo task, int inputSize, Device device)
    {
        _device = device;
        _module = module;
        _softmax = task.Task == DeepNetworkTask.MulticlassClassification;
        InputSize = inputSize;
        OutputSize = task.OutputSize;
    }

    public int InputSize { get; }

    public bool IsDisposed { get; private set; }

    public int OutputSize { get; }

    /// <summary>Scores <paramref name="rows"/> rows of <paramref name="features"/> into <paramref name="outputs"/> (rows × OutputSize).</summary>
    public void Score(float[] features, int rows, float[] outputs)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, typeof(DeepNetworkTransformer));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(features, stackalloc long[] { rows, InputSize }, device: _device);
        var output = _module.forward(input);
        if (_softmax)
            output = nn.functional.softmax(output, 1);
        output.cpu().contiguous().data<float>().CopyTo(outputs, 0);
    }

    /// <summary>Frees the module; later calls to <see cref="Score"/> throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        _module.Dispose();
    }
}
