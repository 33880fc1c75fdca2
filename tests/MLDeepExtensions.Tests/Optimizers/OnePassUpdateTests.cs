using System;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Optimizers;

/// <summary>
/// The updaters' one-pass path on Float32 CPU weights: Adam / AdamW against TorchSharp's own optimizers, their fallback
/// to them, their checkpoint state, and the claim that an element's update does not depend on the vector width (Adam
/// and momentum). <see cref="UpdateRuleTests"/> checks the one-pass rules against hand computation.
/// </summary>
[TestClass]
public sealed class OnePassUpdateTests
{
    // Sizes that leave a scalar tail after the vector loop whatever the vector width (4, 8 or 16 floats).
    private static readonly long[][] Shapes = { new long[] { 37, 29 }, new long[] { 29 }, new long[] { 3, 5 } };
    private const int Steps = 25;

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Step_Float32Weights_MatchesTorchSharpOptimizer(bool decoupled)
    {
        var (ours, stock, start) = (Weights(ScalarType.Float32), Weights(ScalarType.Float32), Weights(ScalarType.Float32));
        var (targets, scales) = Problem();
        using var updater = new FusedAdamUpdater(ours, 0.01, 0.8, 0.95, 1e-6, 0.05, decoupled);
        using var reference = decoupled ? (optim.Optimizer)optim.AdamW(stock, 0.01, 0.8, 0.95, 1e-6, 0.05) : optim.Adam(stock, 0.01, 0.8, 0.95, 1e-6, 0.05);
        for (int t = 1; t <= Steps; t++)
        {
            if (t == 10)
            {
                // A schedule changes the rate between steps: both must use the new one from here on.
                updater.LearningRate = 0.003;
                reference.ParamGroups.First().LearningRate = 0.003;
            }
            StepBoth(updater, ours, reference, stock, targets, scales);
        }

        Assert.AreEqual(Steps, updater.FusedSteps, "every step took the one-pass path");
        for (int i = 0; i < ours.Length; i++)
        {
            // TorchSharp's kernels round differently (fused multiply-adds); the weights moved by about 0.1.
            double difference = (ours[i] - stock[i]).abs().max().item<float>();
            Assert.IsLessThan(2e-6, difference, $"weight {i}: largest difference {difference}");
            double moved = (ours[i] - start[i]).abs().max().item<float>();
            Assert.IsGreaterThan(0.05, moved, $"weight {i} barely moved, so the comparison would prove little");
        }
        Dispose(ours, stock, start, targets, scales);
    }

    [TestMethod]
    public void Step_Float64Weights_IsTorchSharpsStepBitForBit()
    {
        var (ours, stock) = (Weights(ScalarType.Float64), Weights(ScalarType.Float64));
        var (targets, scales) = Problem(ScalarType.Float64);
        using var updater = new FusedAdamUpdater(ours, 0.01, 0.9, 0.999, 1e-8, 0.01, decoupled: false);
        using var reference = optim.Adam(stock, 0.01, 0.9, 0.999, 1e-8, 0.01);
        for (int t = 1; t <= 5; t++)
            StepBoth(updater, ours, reference, stock, targets, scales);

        Assert.AreEqual(0, updater.FusedSteps);
        for (int i = 0; i < ours.Length; i++)
            Assert.IsTrue(ours[i].equal(stock[i]).all().item<bool>(), $"weight {i}");
        Dispose(ours, stock, targets, scales);
    }

    [TestMethod]
    public void Step_NonContiguousWeight_FallsBackForTheWholeStep()
    {
        using var transposed = new Parameter(Seeded(new long[] { 6, 9 }, ScalarType.Float32, 3).t(), requires_grad: true);
        using var plain = new Parameter(Seeded(new long[] { 11 }, ScalarType.Float32, 4), requires_grad: true);
        Assert.IsFalse(transposed.is_contiguous(), "the test needs a non-contiguous weight");
        using var updater = new FusedAdamUpdater(new[] { plain, transposed }, 0.01, 0.9, 0.999, 1e-8, 0, decoupled: false);
        var before = plain.detach().clone();
        (plain.pow(2).sum() + transposed.pow(2).sum()).backward();
        updater.Step();

        Assert.AreEqual(0, updater.FusedSteps);
        Assert.IsFalse(plain.equal(before).all().item<bool>(), "TorchSharp's step updated every weight, the contiguous one too");
        before.Dispose();
    }

    [TestMethod]
    public void SaveState_LoadIntoNewUpdater_ContinuesBitForBit()
    {
        var (uninterrupted, resumed) = (Weights(ScalarType.Float32), Weights(ScalarType.Float32));
        var (targets, scales) = Problem();
        using var first = new FusedAdamUpdater(uninterrupted, 0.01, 0.9, 0.999, 1e-8, 0.02, decoupled: true);
        for (int t = 1; t <= 4; t++)
            Step(first, uninterrupted, targets, scales);
        first.LearningRate = 0.004;
        using var saved = new MemoryStream();
        first.SaveState(new BinaryWriter(saved));
        for (int i = 0; i < resumed.Length; i++)
        {
            using var noGrad = no_grad();
            resumed[i].copy_(uninterrupted[i]);
        }

        // Made with other settings: the loaded state brings the rate and the moments.
        using var second = new FusedAdamUpdater(resumed, 0.5, 0.9, 0.999, 1e-8, 0.02, decoupled: true);
        saved.Position = 0;
        second.LoadState(new BinaryReader(saved));
        Assert.AreEqual(0.004, second.LearningRate);
        for (int t = 1; t <= 4; t++)
        {
            Step(first, uninterrupted, targets, scales);
            Step(second, resumed, targets, scales);
        }

        Assert.AreEqual(4, second.FusedSteps);
        for (int i = 0; i < resumed.Length; i++)
            Assert.IsTrue(resumed[i].equal(uninterrupted[i]).all().item<bool>(), $"weight {i}");
        Dispose(uninterrupted, resumed, targets, scales);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Update_VectorLoopAndScalarLoop_GiveTheSameBits(bool decoupled)
    {
        const int n = 1000;
        var random = new Random(7);
        float[] Values(double scale) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * scale)).ToArray();
        var (weights, gradients, first, second) = (Values(2), Values(0.2), Values(0.05), Values(0.01).Select(Math.Abs).ToArray());
        var (w1, m1, v1) = ((float[])weights.Clone(), (float[])first.Clone(), (float[])second.Clone());
        var rule = new FusedAdamUpdater.Coefficients(0.9, 0.999, 1e-8, 0.01, 0.002, step: 7, decoupled);

        FusedAdamUpdater.Update(weights, gradients, first, second, rule);
        // One element at a time: always the scalar loop.
        for (int i = 0; i < n; i++)
            FusedAdamUpdater.Update(w1.AsSpan(i, 1), gradients.AsSpan(i, 1), m1.AsSpan(i, 1), v1.AsSpan(i, 1), rule);

        CollectionAssert.AreEqual(w1, weights);
        CollectionAssert.AreEqual(m1, first);
        CollectionAssert.AreEqual(v1, second);
        Assert.IsTrue(weights.Zip(Values(0)).Any(p => p.First != 0), "the weights are not all zero");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void MomentumUpdate_VectorLoopAndScalarLoop_GiveTheSameBits(bool nesterov)
    {
        const int n = 1000;
        var random = new Random(11);
        float[] Values(double scale) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * scale)).ToArray();
        var (weights, gradients, velocities) = (Values(2), Values(0.2), Values(0.05));
        var (w1, v1) = ((float[])weights.Clone(), (float[])velocities.Clone());

        MomentumUpdater.Update(weights, gradients, velocities, 0.9f, -0.01f, 0.001f, nesterov);
        for (int i = 0; i < n; i++)
            MomentumUpdater.Update(w1.AsSpan(i, 1), gradients.AsSpan(i, 1), v1.AsSpan(i, 1), 0.9f, -0.01f, 0.001f, nesterov);

        CollectionAssert.AreEqual(w1, weights);
        CollectionAssert.AreEqual(v1, velocities);
    }

    private static Parameter[] Weights(ScalarType type)
        => Shapes.Select((shape, i) => new Parameter(Seeded(shape, type, i), requires_grad: true)).ToArray();

    private static Tensor Seeded(long[] shape, ScalarType type, int seed)
    {
        using var generator = new Generator((ulong)(100 + seed));
        return randn(shape, type, generator: generator);
    }

    /// <summary>For each weight, J = ½ Σ a(w − c)² with fixed random a in [0.5, 2.5) and c.</summary>
    private static (Tensor[] Targets, Tensor[] Scales) Problem(ScalarType type = ScalarType.Float32)
        => (Shapes.Select((shape, i) => Seeded(shape, type, 10 + i)).ToArray(),
            Shapes.Select((shape, i) => Seeded(shape, type, 20 + i).abs().add(0.5).clamp_max(2.5)).ToArray());

    /// <summary>One step of ours on <paramref name="ours"/> and of TorchSharp's optimizer on <paramref name="stock"/>, from the same problem.</summary>
    private static void StepBoth(ParameterUpdater updater, Parameter[] ours, optim.Optimizer reference, Parameter[] stock, Tensor[] targets, Tensor[] scales)
    {
        Step(updater, ours, targets, scales);
        Backward(stock, targets, scales);
        reference.step();
        reference.zero_grad();
    }

    private static void Step(ParameterUpdater updater, Parameter[] weights, Tensor[] targets, Tensor[] scales)
    {
        Backward(weights, targets, scales);
        updater.Step();
        updater.ZeroGrad();
    }

    private static void Backward(Parameter[] weights, Tensor[] targets, Tensor[] scales)
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < weights.Length; i++)
            (0.5 * (scales[i] * (weights[i] - targets[i]).pow(2)).sum()).backward();
    }

    private static void Dispose(params Tensor[][] groups)
    {
        foreach (var t in groups.SelectMany(g => g))
            t.Dispose();
    }
}
