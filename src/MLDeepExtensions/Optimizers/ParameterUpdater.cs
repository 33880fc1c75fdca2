using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Optimizers;

/// <summary>
/// One optimizer instance bound to a module's parameters: the training loop's only view of an optimizer.
/// </summary>
internal abstract class ParameterUpdater : IDisposable
{
    /// <summary>The learning rate the next <see cref="Step"/> uses.</summary>
    public abstract double LearningRate { get; set; }

    /// <summary>Applies one update from the gradients currently stored on the parameters.</summary>
    public abstract void Step();

    /// <summary>Clears the stored gradients.</summary>
    public abstract void ZeroGrad();

    /// <inheritdoc/>
    public abstract void Dispose();

    /// <summary>Writes the optimizer's state (moments, step counts, learning rate) for a checkpoint.</summary>
    public abstract void SaveState(BinaryWriter writer);

    /// <summary>Reads what <see cref="SaveState"/> wrote into this updater, made for the same parameters.</summary>
    public abstract void LoadState(BinaryReader reader);

    /// <summary>Creates the updater <paramref name="options"/> describe for <paramref name="parameters"/>.</summary>
    public static ParameterUpdater Create(OptimizerOptions options, IReadOnlyList<Parameter> parameters)
    {
        double lr = options.EffectiveLearningRate;
        return options.Kind switch
        {
            OptimizerKind.Sgd => new TorchUpdater(optim.SGD(parameters, lr, weight_decay: options.EffectiveWeightDecay)),
            OptimizerKind.SgdMomentum => new MomentumUpdater(parameters, lr, options.EffectiveMomentum, options.EffectiveWeightDecay, nesterov: false),
            OptimizerKind.Nesterov => new MomentumUpdater(parameters, lr, options.EffectiveMomentum, options.EffectiveWeightDecay, nesterov: true),
            OptimizerKind.Adadelta => new TorchUpdater(optim.Adadelta(parameters, lr, options.EffectiveRho, options.EffectiveEpsilon, options.EffectiveWeightDecay)),
            OptimizerKind.RmsProp => new TorchUpdater(optim.RMSProp(parameters, lr, options.EffectiveRho, options.EffectiveEpsilon, options.EffectiveWeightDecay, options.EffectiveMomentum)),
            OptimizerKind.Adam => new TorchUpdater(optim.Adam(parameters, lr, options.EffectiveBeta1, options.EffectiveBeta2, options.EffectiveEpsilon, options.EffectiveWeightDecay)),
            OptimizerKind.AdamW => new TorchUpdater(optim.AdamW(parameters, lr, options.EffectiveBeta1, options.EffectiveBeta2, options.EffectiveEpsilon, options.EffectiveWeightDecay)),
            _ => throw new NotSupportedException($"Optimizer kind {options.Kind} is not supported."),
        };
    }

    /// <summary>Wraps one of TorchSharp's optimizers, whose update rules match the published ones.</summary>
    private sealed class TorchUpdater(optim.Optimizer optimizer) : ParameterUpdater
    {
        public override double LearningRate
        {
            get => optimizer.ParamGroups.First().LearningRate;
            set
            {
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = value;
            }
        }

        public override void Step() => optimizer.step();

        public override void ZeroGrad() => optimizer.zero_grad();

        public override void Dispose() => optimizer.Dispose();

        public override void SaveState(BinaryWriter writer) => Helper.save_state_dict(writer);

        public override void LoadState(BinaryReader reader) => Helper.load_state_dict(reader);

        private OptimizerHelper Helper => optimizer as OptimizerHelper
            ?? throw new NotSupportedException($"The state of optimizer {optimizer.GetType().Name} cannot be saved (a bug in MLDeepExtensions).");
    }
}

/// <summary>
/// Classical and Nesterov momentum in the velocity form Δw ← μΔw − λg (w ← w + Δw, or w ← w + μΔw − λg for
/// Nesterov). PyTorch's SGD keeps v = −Δw/λ instead, which differs once the learning rate changes; a
/// schedule must scale new gradients only, as the textbook rule does, so this one is ours.
/// </summary>
internal sealed class MomentumUpdater : ParameterUpdater
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly Tensor?[] _velocity;
    private readonly double _momentum;
    private readonly double _weightDecay;
    private readonly bool _nesterov;

    public MomentumUpdater(IReadOnlyList<Parameter> parameters, double learningRate, double momentum, double weightDecay, bool nesterov)
    {
        _parameters = parameters;
        _velocity = new Tensor?[parameters.Count];
        LearningRate = learningRate;
        _momentum = momentum;
        _weightDecay = weightDecay;
        _nesterov = nesterov;
    }

    public override double LearningRate { get; set; }

    public override void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var w = _parameters[i];
            var g = w.grad;
            if (g is null)
                continue;
            if (_weightDecay != 0)
                g = g.add(w, alpha: _weightDecay);

            var dw = _velocity[i];
            if (dw is null)
            {
                dw = zeros_like(w).DetachFromDisposeScope();
                _velocity[i] = dw;
            }
            dw.mul_(_momentum).add_(g, alpha: -LearningRate);
            if (_nesterov)
                w.add_(dw, alpha: _momentum).add_(g, alpha: -LearningRate);
            else
                w.add_(dw);
        }
    }

    public override void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var w in _parameters)
        {
            var g = w.grad;
            if (g is not null)
                g.zero_();
        }
    }

    public override void SaveState(BinaryWriter writer)
    {
        writer.Write(_velocity.Length);
        foreach (var dw in _velocity)
        {
            writer.Write(dw is not null);
            dw?.Save(writer);
        }
    }

    public override void LoadState(BinaryReader reader)
    {
        if (reader.ReadInt32() != _velocity.Length)
            throw new InvalidDataException("The checkpoint's momentum state is for another number of weight tensors.");
        for (int i = 0; i < _velocity.Length; i++)
        {
            _velocity[i]?.Dispose();
            _velocity[i] = null;
            if (!reader.ReadBoolean())
                continue;
            var dw = zeros_like(_parameters[i]).DetachFromDisposeScope();
            _velocity[i] = dw;
            dw.Load(reader);
        }
    }

    public override void Dispose()
    {
        for (int i = 0; i < _velocity.Length; i++)
        {
            _velocity[i]?.Dispose();
            _velocity[i] = null;
        }
    }
}
