using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Optimizers;
using MLDeepExtensions.Persistence;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>Where a fit's checkpoints go, and the description of the fit they must match on resume.</summary>
internal sealed record CheckpointPlan(CheckpointStore Store, IReadOnlyList<(string Name, string Value)> Fingerprint);

/// <summary>
/// The one training loop every architecture uses: epoch → batch → step, then validation under eval mode and
/// no_grad, then callbacks, then the learning-rate schedule. Every batch runs in its own dispose scope.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly HeadLoss _loss;
    private readonly NetworkHead _head;
    private readonly NetworkTrainingOptions _options;
    private readonly IChannel _channel;
    private readonly CheckpointPlan? _checkpoints;

    /// <summary>
    /// How many times the loss of the fit's first batch an epoch's mean training loss may reach before the fit warns: a
    /// loss that grew this much diverged, even when it stays finite (the NaN and infinity checks do not see it).
    /// </summary>
    internal const double LossGrowthWarningFactor = 1e3;

    /// <summary>What an epoch's loss is compared with: the first batch's loss (a resumed fit: its first epoch's); null until known.</summary>
    private double? _startingLoss;
    private bool _warnedOfGrowth;

    /// <param name="module">The module to train, on its device.</param>
    /// <param name="head">The head: its validation metrics.</param>
    /// <param name="loss">The head's loss.</param>
    /// <param name="options">The training options.</param>
    /// <param name="channel">Where the fit logs.</param>
    /// <param name="checkpoints">Where checkpoints go and what they must match on resume; null writes none.</param>
    public TrainingLoop(nn.Module<Tensor, Tensor> module, NetworkHead head, HeadLoss loss, NetworkTrainingOptions options, IChannel channel, CheckpointPlan? checkpoints = null)
    {
        _module = module;
        _head = head;
        _loss = loss;
        _options = options;
        _channel = channel;
        _checkpoints = checkpoints;
    }

    /// <summary>Trains the module in place (from the last good checkpoint when asked to resume) and returns what each epoch measured.</summary>
    public TrainingHistory Run(BatchSource train, BatchSource? validation, int seed)
    {
        var frozen = NetworkLayers.Freeze(_module, _options.FrozenLayers);
        if (frozen.Layers.Count > 0)
            _channel.Info(FormattableString.Invariant($"Frozen layers: {string.Join(", ", frozen.Layers)}; {frozen.Trainable.Count} weight tensors train."));
        var parameters = frozen.Trainable;
        var schedule = _options.Optimizer.Schedule?.Fresh();
        using var earlyStopping = _options.EarlyStopping is { } earlyStoppingOptions
            ? new EarlyStoppingCallback(earlyStoppingOptions, MonitoredQuantity.Resolve($"{nameof(EarlyStoppingOptions)}.{nameof(EarlyStoppingOptions.Metric)}",
                earlyStoppingOptions.Monitor, earlyStoppingOptions.Metric, _head.Metrics, validation is not null))
            : null;
        var checkpointMonitor = _checkpoints is { } checkpointPlan
            ? MonitoredQuantity.Resolve($"{nameof(NetworkTrainingOptions.Checkpoints)}.{nameof(CheckpointOptions.Metric)}", checkpointPlan.Store.Options.Monitor,
                checkpointPlan.Store.Options.Metric, _head.Metrics, validation is not null)
            : null;
        var callbacks = BuiltInCallbacks(earlyStopping, train).Concat(_options.Callbacks).ToList();
        var random = new Random(seed);
        bool onCuda = train.Device.type == TorchSharp.DeviceType.CUDA;
        using var updater = ParameterUpdater.Create(_options.Optimizer, parameters);

        var resumed = Resume(updater, schedule, earlyStopping);
        var history = resumed?.History ?? new TrainingHistory();
        var context = new TrainingContext(history, _options.EpochCount, validation is not null, _module);
        int first = 1;
        double bestMonitored = double.PositiveInfinity;
        var elapsedBefore = TimeSpan.Zero;
        if (resumed is { } state)
        {
            first = state.Epoch + 1;
            bestMonitored = state.BestMonitored;
            elapsedBefore = history.Count > 0 ? history[^1].Elapsed : TimeSpan.Zero;
            if (state.StopRequested)
                context.RequestStop();
            if (history.Count > 0)
                _startingLoss = history[0].TrainingLoss;
            // The shuffle seeds of the epochs already run.
            for (int epoch = 1; epoch < first; epoch++)
                random.Next();
        }
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var callback in callbacks)
                callback.OnTrainingBegin(context);

            for (int epoch = first; epoch <= _options.EpochCount && !context.StopRequested; epoch++)
            {
                // TorchSharp cannot read or set a CUDA generator's state, so each epoch on CUDA starts from a seed of its own: a resumed fit draws the same.
                if (onCuda)
                    cuda.manual_seed_all(seed * 1_000_003L + epoch);
                double learningRate = updater.LearningRate;
                long epochStart = Stopwatch.GetTimestamp();
                double trainLoss = TrainEpoch(epoch, train, updater, parameters, frozen, random.Next(), context, callbacks);
                double trainSeconds = Stopwatch.GetElapsedTime(epochStart).TotalSeconds;
                WarnIfLossGrew(epoch, trainLoss, learningRate);
                var validated = validation is null ? null : Evaluate(validation);
                var metrics = new EpochMetrics(epoch, trainLoss, validated?.Loss, validated?.Main, learningRate, elapsedBefore + clock.Elapsed)
                {
                    ValidationMetrics = validated?.Metrics ?? EpochMetrics.NoMetrics,
                    RowsPerSecond = train.Count is long rows && trainSeconds > 0 ? rows / trainSeconds : null,
                };
                history.Add(metrics);
                history.SelectedEpoch = epoch;
                foreach (var callback in callbacks)
                    callback.OnEpochEnd(context, metrics);
                if (schedule is not null)
                    updater.LearningRate = schedule.Next(_options.Optimizer.EffectiveLearningRate, learningRate, epoch, _options.EpochCount, validated?.Loss ?? trainLoss);
                if (_checkpoints is { } plan && CheckpointDue(plan.Store.Options, checkpointMonitor!, epoch, metrics, context.StopRequested, ref bestMonitored))
                {
                    long start = Stopwatch.GetTimestamp();
                    plan.Store.Write(epoch, writer => WriteCheckpoint(writer, plan, epoch, context.StopRequested, bestMonitored, history, updater, schedule, earlyStopping));
                    _channel.Info(FormattableString.Invariant($"Checkpoint of epoch {epoch} written to {plan.Store.Directory} in {Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s."));
                }
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

    /// <summary>Whether epoch <paramref name="epoch"/> ends with a checkpoint: on the schedule, at the end, or on improvement.</summary>
    private bool CheckpointDue(CheckpointOptions options, MonitoredQuantity monitored, int epoch, EpochMetrics metrics, bool stopping, ref double bestMonitored)
    {
        bool due = options.EveryEpochs > 0 && (epoch % options.EveryEpochs == 0 || epoch == _options.EpochCount || stopping);
        if (options.OnImprovement)
        {
            double value = monitored.LowerIsBetter(metrics);
            if (value < bestMonitored)
            {
                bestMonitored = value;
                due = true;
            }
        }
        return due;
    }

    /// <summary>What a checkpoint restores before the loop goes on.</summary>
    private sealed record ResumedState(int Epoch, bool StopRequested, double BestMonitored, TrainingHistory History);

    /// <remarks>
    /// Payload layout, checkpoint format 1: the fingerprint (<see cref="TrainingFingerprint"/>); int32 epochs completed;
    /// Boolean stop requested; double best monitored value (for <see cref="CheckpointOptions.OnImprovement"/>); the history
    /// (as in the model file); the module's state_dict (TorchSharp's layout); the optimizer's state; double learning rate;
    /// Boolean has-schedule and the schedule's state; int32 length and bytes of libtorch's CPU generator state;
    /// Boolean has-early-stopping and its state (best value, its epoch, epochs since, best weights).
    /// </remarks>
    private void WriteCheckpoint(BinaryWriter writer, CheckpointPlan plan, int epoch, bool stopRequested, double bestMonitored, TrainingHistory history,
        ParameterUpdater updater, LearningRateSchedule? schedule, EarlyStoppingCallback? earlyStopping)
    {
        TrainingFingerprint.Write(writer, plan.Fingerprint);
        writer.Write(epoch);
        writer.Write(stopRequested);
        writer.Write(bestMonitored);
        TrainingHistoryFormat.Write(writer, history);
        using (var state = ModuleState.Capture(_module))
            state.Write(writer);
        updater.SaveState(writer);
        writer.Write(updater.LearningRate);
        writer.Write(schedule is not null);
        schedule?.SaveState(writer);
        using (var generator = random.get_rng_state())
        {
            var bytes = generator.bytes;
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
        writer.Write(earlyStopping is not null);
        earlyStopping?.SaveState(writer);
    }

    /// <summary>With <see cref="CheckpointOptions.Resume"/>, restores the newest good checkpoint into the module, optimizer, schedule and early stopping; null when there is none.</summary>
    private ResumedState? Resume(ParameterUpdater updater, LearningRateSchedule? schedule, EarlyStoppingCallback? earlyStopping)
    {
        if (_checkpoints is not { } plan)
            return null;
        var existing = plan.Store.Existing();
        if (!plan.Store.Options.Resume)
        {
            if (existing.Count > 0)
                throw new InvalidOperationException($"{nameof(NetworkTrainingOptions.Checkpoints)}.{nameof(CheckpointOptions.Directory)} '{plan.Store.Directory}' already holds " +
                    FormattableString.Invariant($"{existing.Count} checkpoint(s) of an earlier fit (the newest: epoch {existing[0].Epoch}). Set {nameof(CheckpointOptions)}.{nameof(CheckpointOptions.Resume)} = true to continue that fit, ") +
                    "or choose an empty folder (or delete them) to start a new one.");
            return null;
        }
        if (plan.Store.ReadLatest() is not { } latest)
        {
            _channel.Info($"No checkpoint in {plan.Store.Directory}: starting a new fit.");
            return null;
        }
        using var reader = new BinaryReader(new MemoryStream(latest.Payload, writable: false));
        string? difference = TrainingFingerprint.Difference(TrainingFingerprint.Read(reader), plan.Fingerprint);
        if (difference is not null)
            throw new InvalidOperationException($"Cannot resume from checkpoint '{latest.Path}': it was made by a different fit. {difference}. " +
                $"Resume with the options, data and architecture it was made with, or point {nameof(NetworkTrainingOptions.Checkpoints)}.{nameof(CheckpointOptions.Directory)} " +
                "at another folder to start a new fit.");
        int epoch = reader.ReadInt32();
        bool stopRequested = reader.ReadBoolean();
        double bestMonitored = reader.ReadDouble();
        var history = TrainingHistoryFormat.Read(reader, withMetrics: true);
        using (var state = ModuleState.Read(reader, _module, "checkpoint"))
            state.RestoreInto(_module);
        updater.LoadState(reader);
        updater.LearningRate = reader.ReadDouble();
        if (reader.ReadBoolean() != schedule is not null)
            throw new InvalidDataException($"Checkpoint '{latest.Path}' does not match its own description: learning-rate schedule.");
        schedule?.LoadState(reader);
        var generatorState = reader.ReadBytes(reader.ReadInt32());
        using (var generator = tensor(generatorState))
            random.set_rng_state(generator);
        if (reader.ReadBoolean() != earlyStopping is not null)
            throw new InvalidDataException($"Checkpoint '{latest.Path}' does not match its own description: early stopping.");
        earlyStopping?.LoadState(reader, _module);
        _channel.Info(FormattableString.Invariant($"Resuming from checkpoint {latest.Path}: {epoch} of {_options.EpochCount} epochs done."));
        return new ResumedState(epoch, stopRequested, bestMonitored, history);
    }

    private IEnumerable<TrainingCallback> BuiltInCallbacks(EarlyStoppingCallback? earlyStopping, BatchSource train)
    {
        yield return new ProgressCallback(_channel, _options, train);
        if (earlyStopping is not null)
            yield return earlyStopping;
        foreach (var logger in TrainingLogOptions.Callbacks(_options.Logging))
            yield return logger;
    }

    private double TrainEpoch(int epoch, BatchSource train, ParameterUpdater updater, IReadOnlyList<TorchSharp.Modules.Parameter> parameters,
        NetworkLayers.Frozen frozen, int shuffleSeed, TrainingContext context, IReadOnlyList<TrainingCallback> callbacks)
    {
        _module.train();
        frozen.KeepInInferenceMode();
        // Each batch's loss stays on the device and the epoch's losses are read at once at its end: a read per batch
        // would stall the pipeline. Skipping batches with a NaN or infinite loss needs that read, so only then is it made.
        var losses = new List<Tensor?>();
        var rowsPerBatch = new List<int>();
        int skipped = 0;
        try
        {
            train.ForEachTrainingBatch(epoch, _options.BatchSize, _options.Shuffle, shuffleSeed, (x, y) =>
            {
                updater.ZeroGrad();
                var loss = _loss.Compute(_module.forward(x), y);
                if (_options.SkipNonFiniteBatches && !loss.isfinite().item<bool>())
                {
                    skipped++;
                    losses.Add(null);
                    rowsPerBatch.Add(0);
                }
                else
                {
                    loss.backward();
                    if (_options.Optimizer.GradientClipNorm is double maxNorm)
                        nn.utils.clip_grad_norm_(parameters, maxNorm);
                    updater.Step();
                    losses.Add(loss.detach().DetachFromDisposeScope());
                    rowsPerBatch.Add((int)x.shape[0]);
                }
                foreach (var callback in callbacks)
                    callback.OnBatchEnd(context, epoch, losses.Count);
            }, _options.CancellationToken);
            return EpochLoss(epoch, losses, rowsPerBatch, skipped, updater);
        }
        finally
        {
            foreach (var loss in losses)
                loss?.Dispose();
        }
    }

    /// <summary>The epoch's mean training loss, or an exception naming the first batch whose loss was NaN or infinite.</summary>
    private double EpochLoss(int epoch, List<Tensor?> losses, List<int> rowsPerBatch, int skipped, ParameterUpdater updater)
    {
        int batches = losses.Count;
        var values = new float[batches];
        var computed = losses.Where(l => l is not null).ToArray();
        if (computed.Length > 0)
        {
            using var scope = NewDisposeScope();
            var read = stack(computed!).cpu().data<float>().ToArray();
            for (int b = 0, k = 0; b < batches; b++)
                values[b] = losses[b] is null ? 0 : read[k++];
        }
        double sum = 0;
        long seen = 0;
        for (int b = 0; b < batches; b++)
        {
            if (rowsPerBatch[b] == 0)
                continue;
            if (!float.IsFinite(values[b]))
                throw Diverged(epoch, FormattableString.Invariant($"the loss of batch {b + 1} of {batches} was {values[b]}"), updater,
                    $" To skip such batches instead, set {nameof(NetworkTrainingOptions.SkipNonFiniteBatches)}.");
            _startingLoss ??= values[b];
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

    /// <summary>
    /// True when every weight and buffer of the module is finite: contiguous Float32 CPU tensors are scanned in place,
    /// the others (a GPU's) checked by tensor operations with one read from the device. Runs after every epoch, so on a
    /// small data set its cost counts: scanning is a few microseconds where a chain of operations took half a millisecond.
    /// </summary>
    private bool AllFinite()
    {
        using var scope = NewDisposeScope();
        var checks = new List<Tensor>();
        foreach (var t in _module.parameters().Concat(_module.buffers()).Where(t => t.is_floating_point()))
        {
            if (CpuWeights.OnePassPossible(t))
            {
                if (!FeatureEncoder.AllFinite(CpuWeights.Floats(t)))
                    return false;
            }
            else
                checks.Add(t.isfinite().all());
        }
        return checks.Count == 0 || stack(checks).all().item<bool>();
    }

    /// <summary>Warns, once per fit, of an epoch whose training loss grew more than <see cref="LossGrowthWarningFactor"/> times over the first batch's.</summary>
    private void WarnIfLossGrew(int epoch, double loss, double learningRate)
    {
        if (_warnedOfGrowth || _startingLoss is not double start || !(start > 0) || !(loss > LossGrowthWarningFactor * start))
            return;
        _warnedOfGrowth = true;
        _channel.Warning(FormattableString.Invariant($"Epoch {epoch}: the training loss, {loss:G4}, is {loss / start:G3} times the loss of the first batch ({start:G4}): ") +
            FormattableString.Invariant($"training diverged although every loss stayed finite, and the model may be of little use. Lower {nameof(OptimizerSettings)}.{nameof(OptimizerSettings.LearningRate)} (now {learningRate}), ") +
            $"set {nameof(OptimizerSettings)}.{nameof(OptimizerSettings.GradientClipNorm)} (e.g. 1.0) or normalize the features (MlpArchitecture.StandardizeInputs, or mlContext.Transforms.NormalizeMeanVariance).");
    }

    private InvalidOperationException Diverged(int epoch, string what, ParameterUpdater updater, string alternative)
        => new(FormattableString.Invariant($"Training diverged in epoch {epoch}: {what}. Lower {nameof(OptimizerSettings)}.{nameof(OptimizerSettings.LearningRate)} ") +
            FormattableString.Invariant($"(now {updater.LearningRate}), set {nameof(OptimizerSettings)}.{nameof(OptimizerSettings.GradientClipNorm)} (e.g. 1.0) ") +
            $"or normalize the features (MlpArchitecture.StandardizeInputs, or mlContext.Transforms.NormalizeMeanVariance with fixZero: false).{alternative}");

    /// <summary>What one pass over the validation data measured.</summary>
    private sealed record Validation(double Loss, double Main, IReadOnlyDictionary<string, double> Metrics);

    /// <summary>
    /// Mean loss and every metric of the head on held-out rows, in one pass (the network's output computed once per
    /// batch), in eval mode without gradients; example weights weigh both.
    /// </summary>
    private Validation Evaluate(BatchSource data)
    {
        _module.eval();
        using var noGrad = no_grad();
        var metrics = _head.CreateMetrics();
        double lossSum = 0, weightSum = 0;
        data.ForEachInOrder(_options.ScoringBatchSize ?? DeepNetworkDefaults.ScoringBatchSize, (features, labels) =>
        {
            var output = _module.forward(features);
            double weight = _loss.RowWeight(labels);
            lossSum += _loss.Compute(output, labels).item<float>() * weight;
            weightSum += weight;
            metrics.Add(output, labels);
        }, _options.CancellationToken);
        var values = metrics.Results();
        var named = new Dictionary<string, double>(values.Length);
        for (int i = 0; i < values.Length; i++)
            named[_head.Metrics[i].Name] = values[i];
        return new Validation(lossSum / weightSum, metrics.Main, named);
    }
}
