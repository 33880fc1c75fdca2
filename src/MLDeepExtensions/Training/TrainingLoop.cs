using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Optimizers;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>
/// The one training loop every architecture uses: epoch → batch → step, then validation under eval mode and
/// no_grad, then callbacks, then the learning-rate schedule. Every batch runs in its own dispose scope.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly LossFunction _loss;
    private readonly NetworkTrainingOptions _options;
    private readonly IChannel _channel;

    public TrainingLoop(nn.Module<Tensor, Tensor> module, LossFunction loss, NetworkTrainingOptions options, IChannel channel)
    {
        _module = module;
        _loss = loss;
        _options = options;
        _channel = channel;
    }

    /// <summary>Trains the module in place and returns what each epoch measured.</summary>
    public TrainingHistory Run(TrainingSet train, TrainingSet? validation, int seed)
    {
        var history = new TrainingHistory();
        var context = new TrainingContext(history, _options.Epochs, validation is not null, _module);
        var callbacks = BuiltInCallbacks().Concat(_options.Callbacks).ToList();
        var parameters = _module.parameters().ToList();
        var schedule = _options.Optimizer.Schedule?.Fresh();
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        using var updater = ParameterUpdater.Create(_options.Optimizer, parameters);
        try
        {
            foreach (var callback in callbacks)
                callback.OnTrainingBegin(context);

            for (int epoch = 1; epoch <= _options.Epochs && !context.StopRequested; epoch++)
            {
                double learningRate = updater.LearningRate;
                double trainLoss = TrainEpoch(epoch, train, updater, parameters, random.Next(), context, callbacks);
                (double loss, double metric)? validated = validation is null ? null : Evaluate(validation);
                var metrics = new EpochMetrics(epoch, trainLoss, validated?.loss, validated?.metric, learningRate, clock.Elapsed);
                history.Add(metrics);
                history.SelectedEpoch = epoch;
                foreach (var callback in callbacks)
                    callback.OnEpochEnd(context, metrics);
                if (schedule is not null)
                    updater.LearningRate = schedule.Next(_options.Optimizer.EffectiveLearningRate, learningRate, epoch, _options.Epochs, validated?.loss ?? trainLoss);
            }

            foreach (var callback in callbacks)
                callback.OnTrainingEnd(context);
        }
        finally
        {
            foreach (var callback in callbacks.OfType<IDisposable>())
                callback.Dispose();
            _module.eval();
        }
        return history;
    }

    private IEnumerable<TrainingCallback> BuiltInCallbacks()
    {
        yield return new ProgressCallback(_channel, _options.Progress);
        if (_options.EarlyStopping is { } earlyStopping)
            yield return new EarlyStoppingCallback(earlyStopping);
    }

    private double TrainEpoch(int epoch, TrainingSet train, ParameterUpdater updater, IReadOnlyList<TorchSharp.Modules.Parameter> parameters,
        int shuffleSeed, TrainingContext context, IReadOnlyList<TrainingCallback> callbacks)
    {
        _module.train();
        int count = train.Count;
        int batchSize = Math.Min(_options.BatchSize, count);
        var device = train.Features.device;
        using var order = _options.Shuffle
            ? tensor(TrainingSet.Permutation(count, shuffleSeed), device: device)
            : arange(count, ScalarType.Int64, device: device);
        // Each batch's loss stays on the device and the epoch's losses are read at once at its end: a read per batch
        // would stall the pipeline. Skipping batches with a NaN or infinite loss needs that read, so only then is it made.
        int batches = (count + batchSize - 1) / batchSize;
        using var losses = zeros(batches, device: device);
        var rowsPerBatch = new int[batches];
        int batch = 0, skipped = 0;
        for (int start = 0; start < count; start += batchSize)
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            int size = Math.Min(batchSize, count - start);
            // A one-row batch breaks batch normalization and adds only noise; it is left to the next epoch's shuffle.
            if (size == 1 && count > 1)
                break;
            batch++;
            using (var scope = NewDisposeScope())
            {
                var rows = order.narrow(0, start, size);
                var x = train.Features.index_select(0, rows);
                var y = train.Labels.index_select(0, rows);
                updater.ZeroGrad();
                var loss = _loss.Compute(_module.forward(x), y);
                if (_options.SkipNonFiniteBatches && !loss.isfinite().item<bool>())
                {
                    skipped++;
                }
                else
                {
                    loss.backward();
                    if (_options.Optimizer.GradientClipNorm is double maxNorm)
                        nn.utils.clip_grad_norm_(parameters, maxNorm);
                    updater.Step();
                    losses.narrow(0, batch - 1, 1).copy_(loss.detach());
                    rowsPerBatch[batch - 1] = size;
                }
            }
            foreach (var callback in callbacks)
                callback.OnBatchEnd(context, epoch, batch);
        }
        return EpochLoss(epoch, losses, rowsPerBatch, batch, skipped, updater);
    }

    /// <summary>The epoch's mean training loss, or an exception naming the first batch whose loss was NaN or infinite.</summary>
    private double EpochLoss(int epoch, Tensor losses, int[] rowsPerBatch, int batches, int skipped, ParameterUpdater updater)
    {
        float[] values;
        using (var cpu = losses.cpu())
            values = cpu.data<float>().ToArray();
        double sum = 0;
        long seen = 0;
        for (int b = 0; b < batches; b++)
        {
            if (rowsPerBatch[b] == 0)
                continue;
            if (!float.IsFinite(values[b]))
                throw Diverged(epoch, FormattableString.Invariant($"the loss of batch {b + 1} of {batches} was {values[b]}"), updater,
                    $" To skip such batches instead, set {nameof(NetworkTrainingOptions.SkipNonFiniteBatches)}.");
            sum += (double)values[b] * rowsPerBatch[b];
            seen += rowsPerBatch[b];
        }
        if (skipped > 0)
        {
            if (skipped == batches)
                throw Diverged(epoch, FormattableString.Invariant($"the loss of every batch ({batches}) was NaN or infinite, so {nameof(NetworkTrainingOptions.SkipNonFiniteBatches)} skipped them all"), updater, "");
            _channel.Warning(FormattableString.Invariant($"Epoch {epoch}: skipped {skipped} of {batches} batches whose loss was NaN or infinite ({nameof(NetworkTrainingOptions.SkipNonFiniteBatches)})."));
        }
        if (!AllFinite())
            throw Diverged(epoch, "the network's weights became NaN or infinite although every loss was finite (a gradient overflowed)", updater, "");
        return sum / Math.Max(seen, 1);
    }

    /// <summary>True when every weight and buffer of the module is finite (one read from the device).</summary>
    private bool AllFinite()
    {
        using var scope = NewDisposeScope();
        var checks = _module.state_dict().Values.Where(t => t.is_floating_point()).Select(t => t.isfinite().all()).ToArray();
        return checks.Length == 0 || stack(checks).all().item<bool>();
    }

    private InvalidOperationException Diverged(int epoch, string what, ParameterUpdater updater, string alternative)
        => new(FormattableString.Invariant($"Training diverged in epoch {epoch}: {what}. Lower {nameof(OptimizerOptions)}.{nameof(OptimizerOptions.LearningRate)} ") +
            FormattableString.Invariant($"(now {updater.LearningRate}), set {nameof(OptimizerOptions)}.{nameof(OptimizerOptions.GradientClipNorm)} (e.g. 1.0) ") +
            $"or normalize the features (mlContext.Transforms.NormalizeMeanVariance).{alternative}");

    /// <summary>Mean loss and the task metric on held-out rows, in eval mode without gradients.</summary>
    private (double Loss, double Metric) Evaluate(TrainingSet data)
    {
        _module.eval();
        using var noGrad = no_grad();
        int batchSize = _options.ScoringBatchSize;
        double lossSum = 0, metricSum = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            int size = Math.Min(batchSize, data.Count - start);
            using var scope = NewDisposeScope();
            var output = _module.forward(data.Features.narrow(0, start, size));
            var labels = data.Labels.narrow(0, start, size);
            lossSum += _loss.Compute(output, labels).item<float>() * size;
            metricSum += _loss.MetricSum(output, labels);
        }
        return (lossSum / data.Count, metricSum / data.Count);
    }

    /// <summary>Reports each epoch to the MLContext log (under the estimator's name) and to the user's IProgress.</summary>
    private sealed class ProgressCallback(IChannel channel, IProgress<EpochMetrics>? progress) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            channel.Info(metrics.ToString());
            progress?.Report(metrics);
        }
    }
}
