using MLDeepExtensions.Training;
using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Interop;
using MLDeepExtensions.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Model;

/// <summary>
/// The one fit every estimator runs, whatever its head: read the data into tensors (and split off validation rows),
/// pick the device, seed, build the module, run the training loop, let the head finish (e.g. set a threshold). Frees
/// everything it made when anything fails or is cancelled.
/// </summary>
internal static class NetworkFit
{
    /// <param name="host">The estimator's host (logging, seed, device settings).</param>
    /// <param name="options">The training options.</param>
    /// <param name="input">Training data (already schema-checked).</param>
    /// <param name="architecture">The architecture resolved for the data.</param>
    /// <param name="encoder">How feature rows are read; its width is the network's input size.</param>
    /// <param name="head">The head resolved for the data: label, loss, outputs.</param>
    /// <param name="initialModel">A fitted network (already checked to match) whose weights the fit starts from; null starts from random weights.</param>
    public static NetworkModel Run(IHost host, NetworkTrainingOptions options, IDataView input, NetworkArchitecture architecture, FeatureEncoder encoder,
        NetworkHead head, NetworkModel? initialModel = null)
    {
        using var channel = host.Start("Training");
        using var start = Prepare(host, channel, options, input, architecture, encoder, head, initialModel);
        var (train, validation, device, seed) = (start.Train, start.Validation, start.Device, start.Seed);
        var module = start.Module;
        int inputSize = encoder.InputSize, outputSize = head.NetworkOutputSize(inputSize);
        options = start.Options;
        head = start.Head;
        CheckpointPlan? checkpoints = null;
        if (options.Checkpoints is { } checkpointOptions)
        {
            var store = new CheckpointStore(checkpointOptions, channel);
            store.Prepare();
            var featureType = input.Schema[options.FeatureColumnName].Type.ToString() ?? "";
            checkpoints = new CheckpointPlan(store, TrainingFingerprint.Create(options, architecture, featureType, inputSize, head, train, validation, seed, start.InitialWeights));
        }
        head.CheckData(train, validation, options.ScoringBatchSize!.Value, options.CancellationToken);
        train.MoveTo(device);
        validation?.MoveTo(device);
        module.to(device);
        channel.Info(FormattableString.Invariant($"{architecture}, {inputSize} inputs → {outputSize} outputs, {Rows(train)} training rows") +
            (validation is null ? "" : FormattableString.Invariant($", {Rows(validation)} validation rows")) + $", {options.Optimizer}, on {device}.");
        using var loss = head.CreateLoss(device);
        var history = new TrainingLoop(module, head, loss, options, channel, checkpoints).Run(train, validation, seed);
        if (train is StreamingBatchSource)
            channel.Info($"Streamed {Rows(train)} training rows per epoch" + (validation is null ? "." : $", {Rows(validation)} validation rows."));
        int scoringBatchSize = options.ScoringBatchSize!.Value;
        var completed = head.Complete(module, train, validation, scoringBatchSize, channel, options.CancellationToken);
        return new NetworkModel(start.TakeModule(), architecture, completed, inputSize, options.FeatureColumnName, scoringBatchSize, history, device)
        {
            RequestedDevice = DeviceSelector.Requested(options.Device, host),
        };
    }

    /// <summary>
    /// What a fit does before it trains, shared by <see cref="Run"/> and the <see cref="LearningRateFinder"/>: read the data
    /// (and split off validation rows), pick the device, seed libtorch, build the module and give it its starting weights
    /// (measured standardization, a fitted model's or imported ones). The data stay where they were read; frees what it made when it fails.
    /// </summary>
    /// <param name="host">The estimator's host (seed, device settings).</param>
    /// <param name="channel">Where the fit logs.</param>
    /// <param name="options">The training options.</param>
    /// <param name="input">Training data (already schema-checked).</param>
    /// <param name="architecture">The architecture resolved for the data.</param>
    /// <param name="encoder">How feature rows are read; its width is the network's input size.</param>
    /// <param name="head">The head resolved for the data.</param>
    /// <param name="initialModel">A fitted network whose weights the module starts from; null starts from random weights.</param>
    internal static FitStart Prepare(IHost host, IChannel channel, NetworkTrainingOptions options, IDataView input, NetworkArchitecture architecture,
        FeatureEncoder encoder, NetworkHead head, NetworkModel? initialModel)
    {
        TorchNative.EnsureInitialized();
        int inputSize = encoder.InputSize, outputSize = head.NetworkOutputSize(inputSize);
        var threads = ThreadDefaults.Apply(options.NumberOfThreads,
            () => ThreadDefaults.Choose(architecture, inputSize, outputSize, options.BatchSize, Environment.ProcessorCount), channel);
        int seed = options.Seed ?? MLContextAccess.GetSeed(host) ?? 0;
        BatchSource? train = null, validation = null;
        long? countedRows = null; // counted by the Auto choice, so that the in-memory read does not count again
        nn.Module<Tensor, Tensor>? module = null;
        try
        {
            if (Streams(input))
            {
                options = TrainingBudget.Resolve(options, rows: null, channel);
                if (options.ValidationFraction > 0)
                {
                    // A seeded split by stable row id, the same in every pass whatever order the cursor gives.
                    double fraction = options.ValidationFraction;
                    train = Stream(input, "training", id => !HeldOut(id, seed, fraction));
                    validation = Stream(input, "validation", id => HeldOut(id, seed, fraction));
                }
                else
                {
                    train = Stream(input, "training");
                    validation = options.ValidationData is { } validationData ? Stream(validationData, "validation") : null;
                }
            }
            else
            {
                var whole = Read(input, "training", countedRows);
                options = TrainingBudget.Resolve(options, whole.Count, channel);
                if (options.ValidationFraction > 0)
                {
                    if (whole.Count < 2)
                    {
                        whole.Dispose();
                        throw new ArgumentException(FormattableString.Invariant($"{nameof(options.ValidationFraction)} needs at least 2 training rows; there is {whole.Count}."));
                    }
                    var (trainRows, validationRows) = whole.Split(options.ValidationFraction, seed);
                    whole.Dispose();
                    (train, validation) = (new InMemoryBatchSource(trainRows), new InMemoryBatchSource(validationRows));
                }
                else
                {
                    train = new InMemoryBatchSource(whole);
                    if (options.ValidationData is not null)
                        validation = new InMemoryBatchSource(Read(options.ValidationData, "validation"));
                }
            }

            var device = DeviceSelector.Resolve(options.Device, host, channel);
            if (options.ScoringBatchSize is null)
                options = options with
                {
                    ScoringBatchSize = architecture.HasConvolutions && device.type == DeviceType.CPU
                        ? DeepNetworkDefaults.ConvolutionalCpuScoringBatchSize
                        : DeepNetworkDefaults.ScoringBatchSize,
                };
            random.manual_seed(seed);
            module = architecture.CreateModule(inputSize, outputSize);
            string initialWeights = "random";
            if (initialModel is not null)
            {
                using (var state = ModuleState.Capture(initialModel.Module))
                    state.RestoreInto(module);
                initialWeights = "a fitted model's, " + TrainingFingerprint.WeightsHash(module);
                channel.Info($"Continuing from a fitted model ({initialModel.History.Count} epochs trained before).");
            }
            else if (options.InitialWeights is { } weightsFile)
            {
                head.CheckImportedWeights(weightsFile, channel);
                PyTorchWeights.Load(module, weightsFile, channel);
                initialWeights = $"imported from {System.IO.Path.GetFileName(weightsFile)}, " + TrainingFingerprint.WeightsHash(module);
                channel.Info($"Starting from the weights in '{weightsFile}'.");
            }
            // After the starting weights are in place. Weights a fit starts from bring their own input standardization
            // (imported ones, or the identity when the file has none), so only a fit from random weights measures the inputs;
            // a head that standardizes its label re-expresses their output layer in standardized units first, unless the fit
            // must leave weights exactly as they are (0 epochs, or frozen layers: unfolding and folding back rounds).
            bool fromExisting = initialModel is not null || options.InitialWeights is not null;
            bool keepWeights = fromExisting && (options.EpochCount == 0 || options.FrozenLayers is not null);
            var trainingHead = keepWeights ? head
                : MeasureTrainingRows(module, architecture, head, train, measureInputs: !fromExisting, fromExisting, channel, options.CancellationToken);
            return new FitStart(options, train, validation, device, seed, module, initialWeights, trainingHead, threads);
        }
        catch
        {
            threads.Dispose();
            module?.Dispose();
            train?.Dispose();
            validation?.Dispose();
            throw;
        }

        TrainingSet Read(IDataView data, string role, long? rows = null)
            => TrainingDataReader.Read(data, role, options.FeatureColumnName, encoder, head.Label, options.DropRowsWithNonFiniteValues, channel,
                options.CancellationToken, rows);

        StreamingBatchSource Stream(IDataView data, string role, Func<DataViewRowId, bool>? keep = null)
            => new(data, role, options.FeatureColumnName, encoder, head.Label, options.DropRowsWithNonFiniteValues, options.DataLoading, channel, keep);

        // Streaming when asked, or (Auto) when the rows' floats would not fit the memory budget; the log says which and why.
        bool Streams(IDataView data)
        {
            var loading = options.DataLoading;
            if (loading.Mode != DataLoadingMode.Auto)
            {
                channel.Info($"Data loading: {(loading.Mode == DataLoadingMode.Streaming ? "streamed from a cursor per epoch" : "in memory")} ({nameof(options.DataLoading)}.{nameof(DataLoadingOptions.Mode)}).");
                return loading.Mode == DataLoadingMode.Streaming;
            }
            long rows = data.GetRowCount() ?? TrainingDataReader.CountRows(data, options.CancellationToken);
            countedRows = rows;
            double bytes = (double)rows * (encoder.InputSize + (head.Label?.RowWidth ?? 0)) * sizeof(float);
            long budget = loading.EffectiveBudget;
            bool stream = bytes > budget;
            channel.Info(FormattableString.Invariant($"Data loading: {rows} rows × {encoder.InputSize + (head.Label?.RowWidth ?? 0)} values = {bytes / (1 << 20):N0} MiB, ") +
                FormattableString.Invariant($"{(stream ? "over" : "within")} the memory budget of {budget / (double)(1 << 20):N0} MiB: {(stream ? "streamed from a cursor per epoch" : "read into memory")}."));
            return stream;
        }
    }

    /// <summary>
    /// In one pass over the training rows (before they move to the device): the inputs' means and spreads for the network's
    /// input standardization (a fit from random weights only), and the targets' for a head that learns them standardized;
    /// returns the head to train with.
    /// </summary>
    private static NetworkHead MeasureTrainingRows(nn.Module<Tensor, Tensor> module, NetworkArchitecture architecture, NetworkHead head, BatchSource train,
        bool measureInputs, bool existingWeights, IChannel channel, System.Threading.CancellationToken cancellation)
    {
        var layer = measureInputs ? InputStandardization.In(module) : null;
        var targets = head.MeasuredTargets;
        if (layer is null && targets is null)
            return head;
        var label = head.Label;
        var (inputs, targetMoments) = FeatureStatistics.Measure(train, layer?.Width, targets, cancellation,
            label?.WeightColumnName is null ? null : labels => label.Split(labels).Weights);
        if (layer is not null)
        {
            layer.SetStatistics(inputs!);
            int constant = inputs!.ConstantCount;
            channel.Info(FormattableString.Invariant($"Input standardization: means and spreads of {layer.Width} features measured on {inputs.Rows} training rows") +
                (constant == 0 ? "." : FormattableString.Invariant($"; {constant} constant feature{(constant == 1 ? " is" : "s are")} only centered.")));
        }
        return targetMoments is null ? head : head.BeginTraining(module, architecture, targetMoments, existingWeights, channel);
    }

    /// <summary>Rows for the log: the count, or "streamed" before the first pass has counted them.</summary>
    private static string Rows(BatchSource data) => data.Count is long count ? count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "streamed";

    /// <summary>Whether the row with this id is held out for validation: a seeded hash of the id below the fraction.</summary>
    private static bool HeldOut(DataViewRowId id, int seed, double fraction)
    {
        ulong h = id.Low * 0x9E3779B97F4A7C15UL ^ id.High * 0xC2B2AE3D27D4EB4FUL ^ (ulong)(uint)seed * 0x165667B19E3779F9UL;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (h >> 11) * (1.0 / (1UL << 53)) < fraction;
    }
}
