using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Optimizers;
using TorchSharp.Modules;
using static MLDeepExtensions.Tests.Optimizers.HandRules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Optimizers;

/// <summary>
/// Each optimizer against its update rule written out by hand in double precision, on
/// J(w) = ½ Σ aᵢ(wᵢ − cᵢ)², whose gradient a ⊙ (w − c) is known exactly.
/// </summary>
[TestClass]
public sealed class UpdateRuleTests
{
    private static readonly double[] A = { 1.0, 2.5, 0.4 };
    private static readonly double[] C = { 0.5, -1.0, 2.0 };
    private static readonly double[] Start = { 1.5, 0.3, -0.7 };
    private const int Steps = 3;

    // Float64 on both sides, so they agree to rounding; every step taken here is ≥ 1e-4.
    private const double Tolerance = 1e-9;

    [TestMethod]
    [DataRow(OptimizerKind.Sgd)]
    [DataRow(OptimizerKind.SgdMomentum)]
    [DataRow(OptimizerKind.Nesterov)]
    [DataRow(OptimizerKind.Adadelta)]
    [DataRow(OptimizerKind.RmsProp)]
    [DataRow(OptimizerKind.Adam)]
    [DataRow(OptimizerKind.AdamW)]
    public void Step_DocumentedDefaults_FollowsPublishedRule(OptimizerKind kind)
    {
        var (rule, rate) = DocumentedDefaults(kind);
        AssertSame(Hand(rule, rate), Run(new OptimizerSettings { Kind = kind }), $"{kind} with defaults");
    }

    [TestMethod]
    [DataRow(OptimizerKind.Sgd)]
    [DataRow(OptimizerKind.SgdMomentum)]
    [DataRow(OptimizerKind.Nesterov)]
    [DataRow(OptimizerKind.Adadelta)]
    [DataRow(OptimizerKind.RmsProp)]
    [DataRow(OptimizerKind.Adam)]
    [DataRow(OptimizerKind.AdamW)]
    public void LearningRate_SetBetweenSteps_IsUsedByTheNextStep(OptimizerKind kind)
    {
        var (rule, rate) = DocumentedDefaults(kind);
        double[] rates = { rate, 0.3 * rate, 2 * rate };
        AssertSame(Hand(rule, rates), Run(new OptimizerSettings { Kind = kind }, rates), $"{kind} with a changing rate");
    }

    [TestMethod]
    public void Sgd_WeightDecay_AddsL2Gradient()
        => AssertSame(Hand(Sgd(0.05), 0.1), Run(new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.1, WeightDecay = 0.05 }), "SGD");

    [TestMethod]
    public void Momentum_CustomMomentumAndWeightDecay_FollowsTextbookRule()
        => AssertSame(Hand(Momentum(0.7, 0.05), 0.1),
            Run(new OptimizerSettings { Kind = OptimizerKind.SgdMomentum, LearningRate = 0.1, Momentum = 0.7, WeightDecay = 0.05 }), "momentum");

    [TestMethod]
    public void Nesterov_CustomMomentumAndWeightDecay_FollowsBengioForm()
        => AssertSame(Hand(Nesterov(0.6, 0.05), 0.1),
            Run(new OptimizerSettings { Kind = OptimizerKind.Nesterov, LearningRate = 0.1, Momentum = 0.6, WeightDecay = 0.05 }), "Nesterov");

    [TestMethod]
    public void Adadelta_CustomRhoAndEpsilon_FollowsZeiler()
        => AssertSame(Hand(Adadelta(0.8, 1e-2, 0.02), 0.5),
            Run(new OptimizerSettings { Kind = OptimizerKind.Adadelta, LearningRate = 0.5, Rho = 0.8, Epsilon = 1e-2, WeightDecay = 0.02 }), "Adadelta");

    [TestMethod]
    public void RmsProp_MomentumAndLargeEpsilon_KeepsEpsilonOutsideTheRoot()
    {
        // ε = 0.1 so that ε inside the root (√(E[g²] + ε)) would be off by far more than the tolerance.
        var options = new OptimizerSettings { Kind = OptimizerKind.RmsProp, LearningRate = 0.05, Rho = 0.7, Epsilon = 0.1, Momentum = 0.5 };
        AssertSame(Hand(RmsProp(0.7, 0.1, 0.5, 0), 0.05), Run(options), "RMSProp");
    }

    [TestMethod]
    public void Adam_CustomBetasEpsilonAndL2_FollowsBiasCorrectedRule()
    {
        var options = new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.95, Epsilon = 0.01, WeightDecay = 0.1 };
        AssertSame(Hand(Adam(0.8, 0.95, 0.01, 0.1, decoupled: false), 0.05), Run(options), "Adam");
    }

    [TestMethod]
    public void AdamW_CustomDecay_DecaysWeightsOutsideTheAdamStep()
    {
        var options = new OptimizerSettings { Kind = OptimizerKind.AdamW, LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.95, Epsilon = 0.01, WeightDecay = 0.5 };
        var actual = Run(options);
        AssertSame(Hand(Adam(0.8, 0.95, 0.01, 0.5, decoupled: true), 0.05), actual, "AdamW");
        // Coupled L2 (Adam's weight decay) is a different rule here, so the check above can tell them apart.
        Assert.IsGreaterThan(1e-3, MaxDifference(Hand(Adam(0.8, 0.95, 0.01, 0.5, decoupled: false), 0.05), actual));
    }

    [TestMethod]
    [DataRow(OptimizerKind.SgdMomentum)]
    [DataRow(OptimizerKind.Nesterov)]
    [DataRow(OptimizerKind.Adam)]
    [DataRow(OptimizerKind.AdamW)]
    public void Step_Float32Weights_OnePassFollowsPublishedRule(OptimizerKind kind)
    {
        // Float32 weights on the CPU take the updaters' one-pass path; the rule, decay and rate changes are the same.
        var options = kind switch
        {
            OptimizerKind.SgdMomentum => (Rule: Momentum(0.7, 0.05), Options: new OptimizerSettings { Kind = kind, Momentum = 0.7, WeightDecay = 0.05 }),
            OptimizerKind.Nesterov => (Rule: Nesterov(0.6, 0.05), Options: new OptimizerSettings { Kind = kind, Momentum = 0.6, WeightDecay = 0.05 }),
            OptimizerKind.Adam => (Rule: Adam(0.8, 0.95, 0.01, 0.1, decoupled: false), Options: new OptimizerSettings { Kind = kind, Beta1 = 0.8, Beta2 = 0.95, Epsilon = 0.01, WeightDecay = 0.1 }),
            _ => (Rule: Adam(0.8, 0.95, 0.01, 0.5, decoupled: true), Options: new OptimizerSettings { Kind = kind, Beta1 = 0.8, Beta2 = 0.95, Epsilon = 0.01, WeightDecay = 0.5 }),
        };
        double[] rates = { 0.1, 0.03, 0.2 };
        var actual = Run(options.Options, rates, ScalarType.Float32, updater => Assert.IsGreaterThan(0, updater switch
        {
            MomentumUpdater momentum => momentum.OnePassUpdates,
            FusedAdamUpdater adam => adam.FusedSteps,
            _ => 0,
        }, "the one-pass path ran"));
        var expected = Hand(options.Rule, rates);
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < Start.Length; i++)
                Assert.AreEqual(expected[t][i], actual[t][i], 2e-6, $"{kind}: w[{i}] after step {t + 1} (Float32)");
        }
    }

    [TestMethod]
    [DataRow(OptimizerKind.SgdMomentum)]
    [DataRow(OptimizerKind.Nesterov)]
    public void LearningRateChange_MomentumKinds_ScaleOnlyTheNewGradient(OptimizerKind kind)
    {
        double[] rates = { 0.1, 0.02, 0.5 };
        bool nesterov = kind == OptimizerKind.Nesterov;
        var textbook = Hand(nesterov ? Nesterov(0.9, 0) : Momentum(0.9, 0), rates);
        var actual = Run(new OptimizerSettings { Kind = kind, LearningRate = rates[0], Momentum = 0.9 }, rates);

        AssertSame(textbook, actual, $"{kind} with a changing rate");
        // PyTorch's form, v ← μv + g, w ← w − λv (Nesterov: w ← w − λ(g + μv)), rescales the whole velocity when λ
        // changes; it must differ clearly here, or the check above could not catch it.
        Assert.IsGreaterThan(1e-2, MaxDifference(textbook, Hand(PyTorchMomentum(0.9, nesterov), rates)));
    }

    private static (HandStep Rule, double LearningRate) DocumentedDefaults(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => (Sgd(0), 0.01),
        OptimizerKind.SgdMomentum => (Momentum(0.9, 0), 0.01),
        OptimizerKind.Nesterov => (Nesterov(0.9, 0), 0.01),
        OptimizerKind.Adadelta => (Adadelta(0.9, 1e-6, 0), 1.0),
        OptimizerKind.RmsProp => (RmsProp(0.9, 1e-8, 0, 0), 0.001),
        OptimizerKind.Adam => (Adam(0.9, 0.999, 1e-8, 0, decoupled: false), 0.001),
        OptimizerKind.AdamW => (Adam(0.9, 0.999, 1e-8, 0.01, decoupled: true), 0.001),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The weights after each of <see cref="Steps"/> hand steps; the last rate repeats when fewer are given.</summary>
    private static double[][] Hand(HandStep rule, params double[] rates)
    {
        var w = (double[])Start.Clone();
        var trajectory = new double[Steps][];
        for (int t = 1; t <= Steps; t++)
        {
            var g = new double[w.Length];
            for (int i = 0; i < w.Length; i++)
                g[i] = A[i] * (w[i] - C[i]);
            rule(w, g, t, rates[Math.Min(t, rates.Length) - 1]);
            trajectory[t - 1] = (double[])w.Clone();
        }
        return trajectory;
    }

    /// <summary>The weights after each step of our updater, setting its rate before each step when rates are given.</summary>
    private static double[][] Run(OptimizerSettings options, double[]? rates = null, ScalarType type = ScalarType.Float64, Action<ParameterUpdater>? check = null)
    {
        using var w = new Parameter(tensor(Start).to_type(type), requires_grad: true);
        Assert.AreEqual(type, w.dtype);
        using var updater = ParameterUpdater.Create(options, new[] { w });
        var trajectory = new double[Steps][];
        for (int t = 1; t <= Steps; t++)
        {
            using var scope = NewDisposeScope();
            if (rates is not null)
                updater.LearningRate = rates[t - 1];
            (0.5 * (tensor(A).to_type(type) * (w - tensor(C).to_type(type)).pow(2)).sum()).backward();
            updater.Step();
            updater.ZeroGrad();
            trajectory[t - 1] = w.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        }
        check?.Invoke(updater);
        return trajectory;
    }

    private static void AssertSame(double[][] expected, double[][] actual, string what)
    {
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < Start.Length; i++)
                Assert.AreEqual(expected[t][i], actual[t][i], Tolerance, $"{what}: w[{i}] after step {t + 1}");
        }
    }

    private static double MaxDifference(double[][] x, double[][] y)
    {
        double max = 0;
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < Start.Length; i++)
                max = Math.Max(max, Math.Abs(x[t][i] - y[t][i]));
        }
        return max;
    }
}
