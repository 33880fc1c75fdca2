using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Optimizers;

/// <summary>
/// Adam (with L2 weight decay) and AdamW (decoupled) in one pass over each weight tensor on the CPU. TorchSharp's
/// optimizers run each update as eight tensor operations, each a pass over the weights' memory, and for an MLP's
/// weights that memory traffic was a quarter of a training step (measured: benchmarks/README.md). The rule is the
/// same — m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², w ← w − (λ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε) — in
/// Float32, as TorchSharp computes it.
/// </summary>
/// <remarks>
/// The wrapped TorchSharp optimizer (see <see cref="ParameterUpdater.TorchUpdater"/>) keeps the moments, step counts and options: the state a checkpoint saves is its
/// state, in its format, so a checkpoint written on a GPU resumes here and the other way round. A step whose weights
/// are not all contiguous Float32 CPU tensors (a GPU, a Float64 test weight) is TorchSharp's own step on that same
/// state. Every element is updated by the same scalar operations in the vector and the scalar loop (no fused
/// multiply-add), so the result does not depend on the vector width or on where a tensor's tail begins: fits stay
/// bitwise reproducible across machines with different SIMD.
/// </remarks>
internal sealed class FusedAdamUpdater : ParameterUpdater.TorchUpdater
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly OptimizerState[] _states;
    private readonly bool _decoupled;

    /// <param name="parameters">The weights to update.</param>
    /// <param name="learningRate">λ.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, added outside the root.</param>
    /// <param name="weightDecay">L2 coefficient added to the gradient (Adam), or the decoupled decay (AdamW).</param>
    /// <param name="decoupled">True for AdamW: w ← w(1 − λ·decay) before the Adam step, which then sees the bare gradient.</param>
    public FusedAdamUpdater(IReadOnlyList<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled)
        : base(decoupled
            ? optim.AdamW(parameters, learningRate, beta1, beta2, epsilon, weightDecay)
            : optim.Adam(parameters, learningRate, beta1, beta2, epsilon, weightDecay))
    {
        _parameters = parameters;
        _decoupled = decoupled;
        // One state per weight, in the order of the weights (one parameter group).
        _states = Helper.state_dict().State.ToArray();
        if (_states.Length != parameters.Count)
            throw new InvalidOperationException("The Adam optimizer holds another number of states than weights (a bug in MLDeepExtensions).");
    }

    /// <summary>How many steps so far took the one-pass path (the rest were TorchSharp's step); for tests.</summary>
    internal int FusedSteps { get; private set; }

    public override void Step()
    {
        using var scope = NewDisposeScope();
        var updates = new (Tensor Gradient, Tensor First, Tensor Second)?[_parameters.Count];
        for (int i = 0; i < updates.Length; i++)
        {
            if (_parameters[i].grad is not { } gradient)
                continue;
            var (first, second) = Moments(_states[i]);
            if (!CpuWeights.OnePassPossible(_parameters[i], gradient, first, second))
            {
                base.Step();
                return;
            }
            updates[i] = (gradient, first, second);
        }

        var (beta1, beta2, epsilon, weightDecay) = Options();
        double learningRate = LearningRate;
        for (int i = 0; i < updates.Length; i++)
        {
            if (updates[i] is not var (gradient, first, second))
                continue;
            ref long step = ref StepCount(_states[i]);
            step++;
            var rule = new Coefficients(beta1, beta2, epsilon, weightDecay, learningRate, step, _decoupled);
            // Written in place without a tensor operation: no autograd graph holds these weights between steps.
            Update(CpuWeights.Floats(_parameters[i]), CpuWeights.Floats(gradient), CpuWeights.Floats(first), CpuWeights.Floats(second), rule);
        }
        FusedSteps++;
    }

    /// <summary>The options as the optimizer holds them now (a loaded checkpoint brings its own).</summary>
    private (double Beta1, double Beta2, double Epsilon, double WeightDecay) Options() => Optimizer.ParamGroups.First() switch
    {
        TorchSharp.Modules.Adam.ParamGroup { Options: var o } => (o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value),
        TorchSharp.Modules.AdamW.ParamGroup { Options: var o } => (o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value),
        var other => throw new InvalidOperationException($"Unexpected optimizer options {other.GetType().Name} (a bug in MLDeepExtensions)."),
    };

    private static (Tensor First, Tensor Second) Moments(OptimizerState state) => state switch
    {
        TorchSharp.Modules.Adam.State s => (s.exp_avg, s.exp_avg_sq),
        TorchSharp.Modules.AdamW.State s => (s.exp_avg, s.exp_avg_sq),
        _ => throw new InvalidOperationException($"Unexpected optimizer state {state.GetType().Name} (a bug in MLDeepExtensions)."),
    };

    private static ref long StepCount(OptimizerState state)
    {
        if (state is TorchSharp.Modules.Adam.State adam)
            return ref adam.step;
        if (state is TorchSharp.Modules.AdamW.State adamW)
            return ref adamW.step;
        throw new InvalidOperationException($"Unexpected optimizer state {state.GetType().Name} (a bug in MLDeepExtensions).");
    }

    /// <summary>The step's scalars in Float32, converted as TorchSharp's tensor operations convert them.</summary>
    internal readonly struct Coefficients
    {
        public Coefficients(double beta1, double beta2, double epsilon, double weightDecay, double learningRate, long step, bool decoupled)
        {
            Beta1 = (float)beta1;
            OneMinusBeta1 = (float)(1 - beta1);
            Beta2 = (float)beta2;
            OneMinusBeta2 = (float)(1 - beta2);
            Epsilon = (float)epsilon;
            StepSize = (float)(learningRate / (1 - Math.Pow(beta1, step)));
            RootCorrection = (float)Math.Sqrt(1 - Math.Pow(beta2, step));
            L2 = decoupled ? 0f : (float)weightDecay;
            Keep = decoupled ? (float)(1 - learningRate * weightDecay) : 1f;
        }

        public float Beta1 { get; }
        public float OneMinusBeta1 { get; }
        public float Beta2 { get; }
        public float OneMinusBeta2 { get; }
        public float Epsilon { get; }
        public float StepSize { get; }
        public float RootCorrection { get; }

        /// <summary>Adam's L2 term (0 for AdamW).</summary>
        public float L2 { get; }

        /// <summary>AdamW's decay factor 1 − λ·decay (1 for Adam).</summary>
        public float Keep { get; }
    }

    /// <summary>One Adam step over matching spans: weights, gradients, first and second moments.</summary>
    internal static void Update(Span<float> weights, ReadOnlySpan<float> gradients, Span<float> first, Span<float> second, in Coefficients c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = MemoryMarshal.Cast<float, Vector<float>>(weights);
            var g = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var m = MemoryMarshal.Cast<float, Vector<float>>(first);
            var v = MemoryMarshal.Cast<float, Vector<float>>(second);
            Vector<float> beta1 = new(c.Beta1), oneMinusBeta1 = new(c.OneMinusBeta1), beta2 = new(c.Beta2), oneMinusBeta2 = new(c.OneMinusBeta2),
                epsilon = new(c.Epsilon), stepSize = new(c.StepSize), root = new(c.RootCorrection), l2 = new(c.L2), keep = new(c.Keep);
            bool coupled = c.L2 != 0, decoupled = c.Keep != 1f;
            for (int k = 0; k < w.Length; k++)
            {
                var weight = w[k];
                var gradient = g[k];
                if (coupled)
                    gradient += weight * l2;
                if (decoupled)
                    weight *= keep;
                var mk = m[k] * beta1 + gradient * oneMinusBeta1;
                var vk = v[k] * beta2 + gradient * gradient * oneMinusBeta2;
                m[k] = mk;
                v[k] = vk;
                w[k] = weight - stepSize * (mk / (Vector.SquareRoot(vk) / root + epsilon));
            }
            i = w.Length * Vector<float>.Count;
        }
        for (; i < weights.Length; i++)
        {
            float weight = weights[i];
            float gradient = gradients[i];
            if (c.L2 != 0)
                gradient += weight * c.L2;
            if (c.Keep != 1f)
                weight *= c.Keep;
            float mk = first[i] * c.Beta1 + gradient * c.OneMinusBeta1;
            float vk = second[i] * c.Beta2 + gradient * gradient * c.OneMinusBeta2;
            first[i] = mk;
            second[i] = vk;
            weights[i] = weight - c.StepSize * (mk / (MathF.Sqrt(vk) / c.RootCorrection + c.Epsilon));
        }
    }
}
