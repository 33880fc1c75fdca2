using System;
using MLDeepExtensions.Optimizers;

namespace MLDeepExtensions;

/// <summary>
/// The factories of <see cref="OptimizerSettings"/> under their 0.2.0 name, kept for one release so that code such as
/// <c>Optimizer = OptimizerOptions.Adam(1e-3)</c> still compiles (with a warning). The type was renamed because
/// TorchSharp has <c>TorchSharp.Modules.OptimizerOptions</c>: a file that uses both namespaces could not name ours.
/// Only the factories are kept: write <c>new OptimizerSettings { … }</c> and <c>OptimizerSettings</c> as a type.
/// </summary>
[Obsolete("Renamed to OptimizerSettings (TorchSharp.Modules.OptimizerOptions has the same name); this alias goes in the next release.")]
public static class OptimizerOptions
{
    /// <summary>See <see cref="OptimizerSettings.Sgd"/>.</summary>
    /// <param name="learningRate">λ. Default: 0.01.</param>
    public static OptimizerSettings Sgd(double learningRate = OptimizerDefaults.SgdLearningRate) => OptimizerSettings.Sgd(learningRate);

    /// <summary>See <see cref="OptimizerSettings.SgdMomentum"/>.</summary>
    /// <param name="learningRate">λ. Default: 0.01.</param>
    /// <param name="momentum">μ. Default: 0.9.</param>
    public static OptimizerSettings SgdMomentum(double learningRate = OptimizerDefaults.SgdLearningRate, double momentum = OptimizerDefaults.Momentum)
        => OptimizerSettings.SgdMomentum(learningRate, momentum);

    /// <summary>See <see cref="OptimizerSettings.Nesterov"/>.</summary>
    /// <param name="learningRate">λ. Default: 0.01.</param>
    /// <param name="momentum">μ. Default: 0.9.</param>
    public static OptimizerSettings Nesterov(double learningRate = OptimizerDefaults.SgdLearningRate, double momentum = OptimizerDefaults.Momentum)
        => OptimizerSettings.Nesterov(learningRate, momentum);

    /// <summary>See <see cref="OptimizerSettings.Adadelta"/>.</summary>
    /// <param name="learningRate">λ. Default: 1.</param>
    /// <param name="rho">ρ. Default: 0.9.</param>
    public static OptimizerSettings Adadelta(double learningRate = OptimizerDefaults.AdadeltaLearningRate, double rho = OptimizerDefaults.Rho)
        => OptimizerSettings.Adadelta(learningRate, rho);

    /// <summary>See <see cref="OptimizerSettings.RmsProp"/>.</summary>
    /// <param name="learningRate">λ. Default: 0.001.</param>
    /// <param name="rho">ρ. Default: 0.9.</param>
    public static OptimizerSettings RmsProp(double learningRate = OptimizerDefaults.AdaptiveLearningRate, double rho = OptimizerDefaults.Rho)
        => OptimizerSettings.RmsProp(learningRate, rho);

    /// <summary>See <see cref="OptimizerSettings.Adam"/>.</summary>
    /// <param name="learningRate">λ. Default: 0.001.</param>
    public static OptimizerSettings Adam(double learningRate = OptimizerDefaults.AdaptiveLearningRate) => OptimizerSettings.Adam(learningRate);

    /// <summary>See <see cref="OptimizerSettings.AdamW"/>.</summary>
    /// <param name="learningRate">λ. Default: 0.001.</param>
    /// <param name="weightDecay">The decoupled decay. Default: 0.01.</param>
    public static OptimizerSettings AdamW(double learningRate = OptimizerDefaults.AdaptiveLearningRate, double weightDecay = OptimizerDefaults.AdamWWeightDecay)
        => OptimizerSettings.AdamW(learningRate, weightDecay);
}
