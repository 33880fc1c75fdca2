using System;
using MLDeepExtensions.Optimizers;

namespace MLDeepExtensions;

/// <summary>
/// Which optimizer trains the network and its settings. Settings left null take the documented per-kind default
/// (see <see cref="OptimizerKind"/>); a setting the chosen kind does not use must stay null. A record: the factories
/// give the usual starting points, and <c>with</c> adds the rest.
/// </summary>
/// <example><code>OptimizerSettings.SgdMomentum(learningRate: 0.05) with { Schedule = LearningRateSchedule.Cosine(), GradientClipNorm = 1.0 }</code></example>
public sealed record OptimizerSettings
{
    /// <summary>The update rule. Default: <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Adam;

    /// <summary>Step size λ, &gt; 0. Default: per kind (Adam 0.001, SGD 0.01, Adadelta 1).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Momentum μ for <see cref="OptimizerKind.SgdMomentum"/>, <see cref="OptimizerKind.Nesterov"/> and
    /// <see cref="OptimizerKind.RmsProp"/>, in [0, 1). Default: 0.9 (RMSProp: 0).</summary>
    public double? Momentum { get; init; }

    /// <summary>Decay rate ρ of the running averages of <see cref="OptimizerKind.Adadelta"/> and
    /// <see cref="OptimizerKind.RmsProp"/> (PyTorch's alpha), in [0, 1). Default: 0.9.</summary>
    public double? Rho { get; init; }

    /// <summary>Adam's first-moment decay β₁, in [0, 1). Default: 0.9.</summary>
    public double? Beta1 { get; init; }

    /// <summary>Adam's second-moment decay β₂, in [0, 1). Default: 0.999.</summary>
    public double? Beta2 { get; init; }

    /// <summary>Numerical-stability constant ε, &gt; 0. Default: 1e-6 for Adadelta, 1e-8 otherwise.</summary>
    public double? Epsilon { get; init; }

    /// <summary>L2 penalty (decoupled for AdamW), ≥ 0. Default: 0.01 for AdamW, 0 otherwise.</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Rescales the gradients so their global L2 norm is at most this, &gt; 0. Default: null (off).</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>How the learning rate changes from epoch to epoch. Default: null (constant).</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Plain SGD, w ← w − λg.</summary>
    /// <param name="learningRate">λ. Default: 0.01.</param>
    public static OptimizerSettings Sgd(double learningRate = OptimizerDefaults.SgdLearningRate) => new() { Kind = OptimizerKind.Sgd, LearningRate = learningRate };

    /// <summary>Classical momentum, Δw ← μΔw − λg, w ← w + Δw.</summary>
    /// <param name="learningRate">λ. Default: 0.01.</param>
    /// <param name="momentum">μ. Default: 0.9.</param>
    public static OptimizerSettings SgdMomentum(double learningRate = OptimizerDefaults.SgdLearningRate, double momentum = OptimizerDefaults.Momentum)
        => new() { Kind = OptimizerKind.SgdMomentum, LearningRate = learningRate, Momentum = momentum };

    /// <summary>Nesterov momentum.</summary>
    /// <param name="learningRate">λ. Default: 0.01.</param>
    /// <param name="momentum">μ. Default: 0.9.</param>
    public static OptimizerSettings Nesterov(double learningRate = OptimizerDefaults.SgdLearningRate, double momentum = OptimizerDefaults.Momentum)
        => new() { Kind = OptimizerKind.Nesterov, LearningRate = learningRate, Momentum = momentum };

    /// <summary>ADADELTA.</summary>
    /// <param name="learningRate">λ. Default: 1.</param>
    /// <param name="rho">ρ. Default: 0.9.</param>
    public static OptimizerSettings Adadelta(double learningRate = OptimizerDefaults.AdadeltaLearningRate, double rho = OptimizerDefaults.Rho)
        => new() { Kind = OptimizerKind.Adadelta, LearningRate = learningRate, Rho = rho };

    /// <summary>RMSProp.</summary>
    /// <param name="learningRate">λ. Default: 0.001.</param>
    /// <param name="rho">ρ (PyTorch's alpha). Default: 0.9.</param>
    public static OptimizerSettings RmsProp(double learningRate = OptimizerDefaults.AdaptiveLearningRate, double rho = OptimizerDefaults.Rho)
        => new() { Kind = OptimizerKind.RmsProp, LearningRate = learningRate, Rho = rho };

    /// <summary>Adam.</summary>
    /// <param name="learningRate">λ. Default: 0.001.</param>
    public static OptimizerSettings Adam(double learningRate = OptimizerDefaults.AdaptiveLearningRate) => new() { Kind = OptimizerKind.Adam, LearningRate = learningRate };

    /// <summary>AdamW (decoupled weight decay).</summary>
    /// <param name="learningRate">λ. Default: 0.001.</param>
    /// <param name="weightDecay">The decoupled decay. Default: 0.01.</param>
    public static OptimizerSettings AdamW(double learningRate = OptimizerDefaults.AdaptiveLearningRate, double weightDecay = OptimizerDefaults.AdamWWeightDecay)
        => new() { Kind = OptimizerKind.AdamW, LearningRate = learningRate, WeightDecay = weightDecay };

    internal double EffectiveLearningRate => LearningRate ?? Kind switch
    {
        OptimizerKind.Sgd or OptimizerKind.SgdMomentum or OptimizerKind.Nesterov => OptimizerDefaults.SgdLearningRate,
        OptimizerKind.Adadelta => OptimizerDefaults.AdadeltaLearningRate,
        _ => OptimizerDefaults.AdaptiveLearningRate,
    };

    internal double EffectiveMomentum => Momentum ?? (Kind == OptimizerKind.RmsProp ? OptimizerDefaults.RmsPropMomentum : OptimizerDefaults.Momentum);

    internal double EffectiveRho => Rho ?? OptimizerDefaults.Rho;

    internal double EffectiveBeta1 => Beta1 ?? OptimizerDefaults.Beta1;

    internal double EffectiveBeta2 => Beta2 ?? OptimizerDefaults.Beta2;

    internal double EffectiveEpsilon => Epsilon ?? (Kind == OptimizerKind.Adadelta ? OptimizerDefaults.AdadeltaEpsilon : OptimizerDefaults.Epsilon);

    internal double EffectiveWeightDecay => WeightDecay ?? (Kind == OptimizerKind.AdamW ? OptimizerDefaults.AdamWWeightDecay : 0.0);

    /// <summary>Adds one message per invalid or unused setting.</summary>
    internal void Validate(ValidationErrors errors)
    {
        const string prefix = nameof(OptimizerSettings) + ".";
        if (!Enum.IsDefined(Kind))
        {
            errors.Add($"{prefix}{nameof(Kind)} is {(int)Kind}, which is not a member of {nameof(OptimizerKind)}.");
            return;
        }
        if (LearningRate is double lr && !(lr > 0 && double.IsFinite(lr)))
            errors.Add($"{prefix}{nameof(LearningRate)} is {lr}; it must be a finite number > 0 (typical: 0.001 for Adam, 0.01 for SGD).");
        CheckUnitInterval(errors, nameof(Momentum), Momentum);
        CheckUnitInterval(errors, nameof(Rho), Rho);
        CheckUnitInterval(errors, nameof(Beta1), Beta1);
        CheckUnitInterval(errors, nameof(Beta2), Beta2);
        if (Epsilon is double eps && !(eps > 0 && double.IsFinite(eps)))
            errors.Add($"{prefix}{nameof(Epsilon)} is {eps}; it must be a small finite number > 0 such as 1e-8.");
        if (WeightDecay is double wd && !(wd >= 0 && double.IsFinite(wd)))
            errors.Add($"{prefix}{nameof(WeightDecay)} is {wd}; it must be ≥ 0 (0 turns it off).");
        if (GradientClipNorm is double clip && !(clip > 0 && double.IsFinite(clip)))
            errors.Add($"{prefix}{nameof(GradientClipNorm)} is {clip}; it must be > 0, or null to turn clipping off.");

        bool usesMomentum = Kind is OptimizerKind.SgdMomentum or OptimizerKind.Nesterov or OptimizerKind.RmsProp;
        bool usesRho = Kind is OptimizerKind.Adadelta or OptimizerKind.RmsProp;
        bool usesBetas = Kind is OptimizerKind.Adam or OptimizerKind.AdamW;
        CheckUnused(errors, nameof(Momentum), Momentum, usesMomentum);
        CheckUnused(errors, nameof(Rho), Rho, usesRho);
        CheckUnused(errors, nameof(Beta1), Beta1, usesBetas);
        CheckUnused(errors, nameof(Beta2), Beta2, usesBetas);
        CheckUnused(errors, nameof(Epsilon), Epsilon, usesRho || usesBetas);
        Schedule?.Validate(errors);
    }

    private static void CheckUnitInterval(ValidationErrors errors, string name, double? value)
    {
        if (value is double v && !(v >= 0 && v < 1))
            errors.Add($"{nameof(OptimizerSettings)}.{name} is {v}; it must be in [0, 1) (e.g. 0.9).");
    }

    private void CheckUnused(ValidationErrors errors, string name, double? value, bool used)
    {
        if (value is not null && !used)
            errors.Add($"{nameof(OptimizerSettings)}.{name} is set to {value} but {Kind} does not use it; leave it null or choose a kind that does.");
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"{Kind} (learning rate {EffectiveLearningRate})");
}
