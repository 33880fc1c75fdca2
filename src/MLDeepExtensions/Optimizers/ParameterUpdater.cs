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
    public static ParameterUpdater Create(OptimizerSettings options, IReadOnlyList<Parameter> parameters)
    {
        double lr = options.EffectiveLearningRate;
        return options.Kind switch
        {
            OptimizerKind.Sgd => new TorchUpdater(optim.SGD(parameters, lr, weight_decay: options.EffectiveWeightDecay)),
            OptimizerKind.SgdMomentum => new MomentumUpdater(parameters, lr, options.EffectiveMomentum, options.EffectiveWeightDecay, nesterov: false),
            OptimizerKind.Nesterov => new MomentumUpdater(parameters, lr, options.EffectiveMomentum, options.EffectiveWeightDecay, nesterov: true),
            OptimizerKind.Adadelta => new TorchUpdater(optim.Adadelta(parameters, lr, options.EffectiveRho, options.EffectiveEpsilon, options.EffectiveWeightDecay)),
            OptimizerKind.RmsProp => new TorchUpdater(optim.RMSProp(parameters, lr, options.EffectiveRho, options.EffectiveEpsilon, options.EffectiveWeightDecay, options.EffectiveMomentum)),
            OptimizerKind.Adam or OptimizerKind.AdamW => new FusedAdamUpdater(parameters, lr, options.EffectiveBeta1, options.EffectiveBeta2, options.EffectiveEpsilon,
                options.EffectiveWeightDecay, decoupled: options.Kind == OptimizerKind.AdamW),
            _ => throw new NotSupportedException($"Optimizer kind {options.Kind} is not supported."),
        };
    }

    /// <summary>
    /// Wraps one of TorchSharp's optimizers, whose update rules match the published ones; its state (moments, step
    /// counts, options) is what a checkpoint saves. <see cref="FusedAdamUpdater"/> replaces only its step.
    /// </summary>
    internal class TorchUpdater(optim.Optimizer optimizer) : ParameterUpdater
    {
        /// <summary>The wrapped optimizer.</summary>
        protected optim.Optimizer Optimizer => optimizer;

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

        /// <summary>The optimizer as TorchSharp's base of optimizers written in C#, which exposes their state.</summary>
        protected OptimizerHelper Helper => optimizer as OptimizerHelper
            ?? throw new NotSupportedException($"The state of optimizer {optimizer.GetType().Name} cannot be saved (a bug in MLDeepExtensions).");
    }
}
