using MLDeepExtensions.Training;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Interop;
using MLDeepExtensions.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Model;

/// <summary>
/// The learning-rate range test (L. Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; fastai's
/// <c>lr_find</c>): trains a fresh network as a fit would, raising the learning rate exponentially after every batch,
/// records the smoothed loss, stops when it diverges, and suggests a rate from the curve. Leaves nothing behind: the
/// network is thrown away and libtorch's CPU random generator is restored.
/// </summary>
internal static class LearningRateFinder
{
    /// <summary>The first learning rate of the sweep. Default: 1e-7.</summary>
    internal const double DefaultStart = 1e-7;

    /// <summary>The last learning rate of the sweep. Default: 10.</summary>
    internal const double DefaultEnd = 10;

    /// <summary>
    /// Training steps (batches) of the sweep. Default: 200 (measured: with 100 steps of 32 rows a noisy regression's curve
    /// was still mostly noise where the loss starts to fall; with 200 and 300 every curve measured gave a good rate).
    /// </summary>
    internal const int DefaultSteps = 200;

    /// <summary>The fewest steps a sweep may have: fewer leave no curve to read a slope from.</summary>
    internal const int MinimumSteps = 10;

    /// <summary>Weight of the past in the loss's exponential moving average (fastai's 0.98).</summary>
    internal const double Smoothing = 0.98;

    /// <summary>The sweep stops when the smoothed loss exceeds this many times its best.</summary>
    internal const double DivergenceFactor = 4;

    /// <summary>Decades of learning rate the steepest descent is measured across: wide enough that batch noise does not decide it.</summary>
    internal const double SlopeSpan = 0.5;

    /// <summary>
    /// Steps at least left out at the start of the curve when suggesting: the bias-corrected average of the first steps
    /// averages few batches (half of the 1 / (1 − <see cref="Smoothing"/>) = 50 it settles to), so its noise would decide.
    /// </summary>
    private const int SkippedAtStart = 25;

    /// <summary>Steps left out at the end of the curve when suggesting (the loss there already turns up).</summary>
    private const int SkippedAtEnd = 5;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the argument when the sweep's range or length is invalid.</summary>
    public static void CheckArguments(double startLearningRate, double endLearningRate, int steps)
    {
        if (!(startLearningRate > 0) || !double.IsFinite(startLearningRate))
            throw new ArgumentOutOfRangeException(nameof(startLearningRate), startLearningRate, "startLearningRate must be a finite number > 0 (typical: 1e-7).");
        if (!(endLearningRate > 0) || !double.IsFinite(endLearningRate))
            throw new ArgumentOutOfRangeException(nameof(endLearningRate), endLearningRate, "endLearningRate must be a finite number > 0 (typical: 10).");
        if (!(endLearningRate > startLearningRate))
            throw new ArgumentException(FormattableString.Invariant($"endLearningRate ({endLearningRate}) must be greater than startLearningRate ({startLearningRate}); ") +
                "the sweep raises the learning rate from the start to the end (typical: 1e-7 to 10).", nameof(endLearningRate));
        if (steps < MinimumSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, FormattableString.Invariant($"steps must be ≥ {MinimumSteps} (typical: 100–300 batches)."));
    }

    /// <summary>Sweeps the learning rate on a fresh network built as <see cref="NetworkFit.Run"/> builds it, and suggests a rate.</summary>
    public static LearningRateFinderResult Run(IHost host, NetworkTrainingOptions options, IDataView input, NetworkArchitecture architecture, FeatureEncoder encoder,
        NetworkHead head, double startLearningRate, double endLearningRate, int steps)
    {
        TorchNative.EnsureInitialized();
        using var channel = host.Start("Learning-rate finder");
        using var generator = random.get_rng_state();
        try
        {
            // The sweep trains on every row: no held-out rows for a budget it does not use.
            var sweepOptions = options.Epochs is null ? options with { Epochs = DeepNetworkDefaults.Epochs } : options;
            using var start = NetworkFit.Prepare(host, channel, sweepOptions, input, architecture, encoder, head, initialModel: null);
            var (rates, losses, stoppedEarly) = Sweep(start, start.Head, startLearningRate, endLearningRate, steps);
            if (rates.Count == 0)
                throw new InvalidOperationException(FormattableString.Invariant($"The loss of the first batch was NaN or infinite at learning rate {startLearningRate}, so there is no curve. ") +
                    "Check the data for extreme values (normalize the features) and try a smaller startLearningRate.");
            var result = Suggest(rates, losses, steps, stoppedEarly);
            channel.Info("Learning-rate finder: " + result);
            return result;
        }
        finally
        {
            random.set_rng_state(generator);
        }
    }

    /// <summary>
    /// Trains <paramref name="start"/>'s module batch after batch (epochs as the fit shuffles them) at rates rising
    /// exponentially from <paramref name="from"/> to <paramref name="to"/>; returns every rate with its smoothed loss,
    /// and whether the loss diverged before the last step.
    /// </summary>
    private static (List<double> Rates, List<double> Losses, bool StoppedEarly) Sweep(FitStart start, NetworkHead head, double from, double to, int steps)
    {
        var options = start.Options;
        var module = start.Module;
        start.Train.MoveTo(start.Device);
        module.to(start.Device);
        var frozen = NetworkLayers.Freeze(module, options.FrozenLayers);
        using var loss = head.CreateLoss(start.Device);
        using var updater = ParameterUpdater.Create(options.Optimizer, frozen.Trainable);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        var rates = new List<double>(steps);
        var losses = new List<double>(steps);
        double average = 0, best = double.PositiveInfinity;
        bool diverged = false;
        int step = 0;
        var shuffle = new Random(start.Seed);
        module.train();
        frozen.KeepInInferenceMode();
        try
        {
            for (int epoch = 1, before = -1; !done.IsCancellationRequested && step > before; epoch++)
            {
                before = step;
                start.Train.ForEachTrainingBatch(epoch, options.BatchSize, options.Shuffle, shuffle.Next(), (x, y) =>
                {
                    double rate = from * Math.Pow(to / from, step / (double)(steps - 1));
                    updater.LearningRate = rate;
                    updater.ZeroGrad();
                    var value = loss.Compute(module.forward(x), y);
                    double raw = value.item<float>();
                    step++;
                    if (!double.IsFinite(raw))
                    {
                        diverged = true;
                        done.Cancel();
                        return;
                    }
                    value.backward();
                    if (options.Optimizer.GradientClipNorm is double maxNorm)
                        nn.utils.clip_grad_norm_(frozen.Trainable, maxNorm);
                    updater.Step();
                    average = Smoothing * average + (1 - Smoothing) * raw;
                    double smoothed = average / (1 - Math.Pow(Smoothing, step));
                    rates.Add(rate);
                    losses.Add(smoothed);
                    best = Math.Min(best, smoothed);
                    diverged = smoothed > DivergenceFactor * best || !double.IsFinite(smoothed);
                    if (diverged || step == steps)
                        done.Cancel();
                }, done.Token);
            }
        }
        catch (OperationCanceledException) when (!options.CancellationToken.IsCancellationRequested)
        {
            // The sweep ended (all steps done, or the loss diverged) in the middle of an epoch.
        }
        options.CancellationToken.ThrowIfCancellationRequested();
        return (rates, losses, diverged && step < steps);
    }

    /// <summary>
    /// The suggestions, read from the curve without its first tenth of <paramref name="steps"/> (at least
    /// <see cref="SkippedAtStart"/>) and its last five steps (the whole curve when that leaves fewer than two).
    /// Steepest descent: the span of <see cref="SlopeSpan"/> decades of learning rate, ending at or before the lowest
    /// loss, over which the smoothed loss fell fastest; its middle rate. Minimum: the rate of the lowest loss, and a tenth of it.
    /// </summary>
    /// <remarks>
    /// fastai's "steep" takes the slope between neighbouring steps. Measured on our generated regression data (batches of
    /// 32, 100–300 steps), that one-step slope followed the noise of the still-flat start of the curve and suggested rates
    /// around 1e-6, four decades below any rate that trains; the slope across half a decade suggested a good rate on all 24
    /// curves measured with 200 or 300 steps (regression and binary classification; see the tests and the README).
    /// </remarks>
    internal static LearningRateFinderResult Suggest(IReadOnlyList<double> rates, IReadOnlyList<double> losses, int steps, bool stoppedEarly)
    {
        int first = Math.Max(steps / 10, SkippedAtStart), end = rates.Count - SkippedAtEnd;
        if (end - first < 2)
            (first, end) = (0, rates.Count);
        int lowest = first;
        for (int i = first + 1; i < end; i++)
        {
            if (losses[i] < losses[lowest])
                lowest = i;
        }
        // Steps per span: the sweep's rates grow by the same factor each step.
        double decadesPerStep = rates.Count > 1 ? Math.Log10(rates[1] / rates[0]) : 1;
        int span = Math.Clamp((int)Math.Round(SlopeSpan / decadesPerStep), 1, Math.Max(1, lowest - first));
        int steepest = lowest;
        double steepestSlope = double.PositiveInfinity;
        for (int i = first; i + span <= lowest; i++)
        {
            double slope = (losses[i + span] - losses[i]) / (Math.Log(rates[i + span]) - Math.Log(rates[i]));
            if (slope < steepestSlope)
                (steepest, steepestSlope) = (i + span / 2, slope);
        }
        return new LearningRateFinderResult(Array.AsReadOnly(rates.ToArray()), Array.AsReadOnly(losses.ToArray()), rates[steepest], rates[lowest], rates[lowest] / 10, stoppedEarly);
    }
}
