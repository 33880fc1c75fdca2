using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Optimizers;

/// <summary>
/// Classical and Nesterov momentum in the velocity form Δw ← μΔw − λg (w ← w + Δw, or w ← w + μΔw − λg for
/// Nesterov). PyTorch's SGD keeps v = −Δw/λ instead, which differs once the learning rate changes; a
/// schedule must scale new gradients only, as the textbook rule does, so this one is ours.
/// </summary>
/// <remarks>
/// On contiguous Float32 CPU weights a step is one pass over each weight, its gradient and its velocity (as
/// <see cref="FusedAdamUpdater"/>); elsewhere (a GPU) it is the same rule as tensor operations. Each element gets the
/// same scalar operations in the vector and the scalar loop, so results do not depend on the machine's vector width.
/// </remarks>
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

    /// <summary>How many weight updates so far took the one-pass path; for tests.</summary>
    internal int OnePassUpdates { get; private set; }

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
            var dw = _velocity[i];
            if (dw is null)
            {
                dw = zeros_like(w).DetachFromDisposeScope();
                _velocity[i] = dw;
            }
            if (CpuWeights.OnePassPossible(w, g, dw))
            {
                Update(CpuWeights.Floats(w), CpuWeights.Floats(g), CpuWeights.Floats(dw), (float)_momentum, (float)-LearningRate, (float)_weightDecay, _nesterov);
                OnePassUpdates++;
                continue;
            }

            if (_weightDecay != 0)
                g = g.add(w, alpha: _weightDecay);
            dw.mul_(_momentum).add_(g, alpha: -LearningRate);
            if (_nesterov)
                w.add_(dw, alpha: _momentum).add_(g, alpha: -LearningRate);
            else
                w.add_(dw);
        }
    }

    /// <summary>One momentum step over matching spans: weights, gradients, velocities; <paramref name="minusRate"/> is −λ.</summary>
    internal static void Update(Span<float> weights, ReadOnlySpan<float> gradients, Span<float> velocities, float momentum, float minusRate, float weightDecay, bool nesterov)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = MemoryMarshal.Cast<float, Vector<float>>(weights);
            var g = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var v = MemoryMarshal.Cast<float, Vector<float>>(velocities);
            Vector<float> mu = new(momentum), rate = new(minusRate), decay = new(weightDecay);
            bool decays = weightDecay != 0;
            for (int k = 0; k < w.Length; k++)
            {
                var weight = w[k];
                var gradient = decays ? g[k] + weight * decay : g[k];
                var velocity = v[k] * mu + gradient * rate;
                v[k] = velocity;
                w[k] = nesterov ? weight + velocity * mu + gradient * rate : weight + velocity;
            }
            i = w.Length * Vector<float>.Count;
        }
        for (; i < weights.Length; i++)
        {
            float weight = weights[i];
            float gradient = weightDecay != 0 ? gradients[i] + weight * weightDecay : gradients[i];
            float velocity = velocities[i] * momentum + gradient * minusRate;
            velocities[i] = velocity;
            weights[i] = nesterov ? weight + velocity * momentum + gradient * minusRate : weight + velocity;
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
