using System;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>
/// What <see cref="Model.NetworkFit.Prepare"/> made for a fit, before training: the data, the device, the seed and the module
/// with its starting weights. Owns them all; disposing frees them, except a module handed on with <see cref="TakeModule"/>.
/// </summary>
internal sealed class FitStart : IDisposable
{
    private nn.Module<Tensor, Tensor>? _module;
    private readonly IDisposable _threads;

    /// <param name="options">The options with the defaults that depend on the device filled in (scoring batch size).</param>
    /// <param name="train">The training rows, still where they were read.</param>
    /// <param name="validation">The validation rows, or null.</param>
    /// <param name="device">Where the fit trains.</param>
    /// <param name="seed">The fit's seed: libtorch was seeded with it before the module was made.</param>
    /// <param name="module">The module with its starting weights, on the CPU.</param>
    /// <param name="initialWeights">Where the starting weights came from, for checkpoint fingerprints.</param>
    /// <param name="head">The head to train with (see <see cref="NetworkHead.BeginTraining"/>).</param>
    /// <param name="threads">Puts back libtorch's thread count when the fit is over (see <c>ThreadDefaults</c>).</param>
    public FitStart(NetworkTrainingOptions options, BatchSource train, BatchSource? validation, Device device, int seed, nn.Module<Tensor, Tensor> module, string initialWeights,
        NetworkHead head, IDisposable threads)
    {
        _threads = threads;
        Head = head;
        Options = options;
        Train = train;
        Validation = validation;
        Device = device;
        Seed = seed;
        _module = module;
        InitialWeights = initialWeights;
    }

    /// <summary>The options with the defaults that depend on the device filled in.</summary>
    public NetworkTrainingOptions Options { get; }

    /// <summary>The training rows.</summary>
    public BatchSource Train { get; }

    /// <summary>The validation rows, or null.</summary>
    public BatchSource? Validation { get; }

    /// <summary>The head to train with: the fit's, or what its <see cref="NetworkHead.BeginTraining"/> made of it (e.g. a regression that learns a standardized label).</summary>
    public NetworkHead Head { get; }

    /// <summary>Where the fit trains.</summary>
    public Device Device { get; }

    /// <summary>The fit's seed.</summary>
    public int Seed { get; }

    /// <summary>Where the starting weights came from: "random", a fitted model's or an imported file's (with a hash).</summary>
    public string InitialWeights { get; }

    /// <summary>The module; still owned by this object.</summary>
    public nn.Module<Tensor, Tensor> Module => _module ?? throw new InvalidOperationException("The module was handed on.");

    /// <summary>Hands the module on: disposing this object no longer frees it.</summary>
    public nn.Module<Tensor, Tensor> TakeModule()
    {
        var module = Module;
        _module = null;
        return module;
    }

    /// <summary>Frees the data and, unless handed on, the module; puts back libtorch's thread count.</summary>
    public void Dispose()
    {
        _module?.Dispose();
        _module = null;
        Train.Dispose();
        Validation?.Dispose();
        _threads.Dispose();
    }
}
