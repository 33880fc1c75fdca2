using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Interop;
using MLDeepExtensions.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

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
        TorchNative.EnsureInitialized();
        int inputSize = encoder.Width, outputSize = head.NetworkOutputSize(inputSize);
        if (options.NumberOfThreads is int threads)
            torch.set_num_threads(threads);
        int seed = options.Seed ?? MLContextAccess.GetSeed(host) ?? 0;
        using var channel = host.Start("Training");
        TrainingSet? train = null, validation = null;
        nn.Module<Tensor, Tensor>? module = null;
        try
        {
            train = Read(input, "training");
            if (options.ValidationFraction > 0)
            {
                if (train.Count < 2)
                    throw new ArgumentException(FormattableString.Invariant($"{nameof(options.ValidationFraction)} needs at least 2 training rows; there is {train.Count}."));
                var whole = train;
                (train, validation) = whole.Split(options.ValidationFraction, seed);
                whole.Dispose();
            }
            else if (options.ValidationData is not null)
                validation = Read(options.ValidationData, "validation");

            var device = DeviceSelector.Resolve(options.Device, host, channel);
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
                PyTorchWeights.Load(module, weightsFile, channel);
                initialWeights = $"imported from {System.IO.Path.GetFileName(weightsFile)}, " + TrainingFingerprint.WeightsHash(module);
                channel.Info($"Starting from the weights in '{weightsFile}'.");
            }
            CheckpointPlan? checkpoints = null;
            if (options.Checkpoints is { } checkpointOptions)
            {
                var store = new CheckpointStore(checkpointOptions, channel);
                store.Prepare();
                var featureType = input.Schema[options.FeatureColumnName].Type.ToString() ?? "";
                checkpoints = new CheckpointPlan(store, TrainingFingerprint.Create(options, architecture, featureType, inputSize, head, train, validation, seed, initialWeights));
            }
            train.MoveTo(device);
            validation?.MoveTo(device);
            module.to(device);
            channel.Info(FormattableString.Invariant($"{architecture}, {inputSize} inputs → {outputSize} outputs, {train.Count} training rows") +
                (validation is null ? "" : FormattableString.Invariant($", {validation.Count} validation rows")) + $", {options.Optimizer}, on {device}.");
            using var loss = head.CreateLoss(device);
            var history = new TrainingLoop(module, loss, options, channel, checkpoints).Run(train, validation, seed);
            var completed = head.Complete(module, train.Features, options.ScoringBatchSize);
            var model = new NetworkModel(module, architecture, completed, inputSize, options.FeatureColumnName, options.ScoringBatchSize, history, device);
            module = null;
            return model;
        }
        finally
        {
            module?.Dispose();
            train?.Dispose();
            validation?.Dispose();
        }

        TrainingSet Read(IDataView data, string role)
            => TrainingDataReader.Read(data, role, options.FeatureColumnName, encoder, head.Label, options.DropRowsWithNonFiniteValues, channel,
                options.CancellationToken);
    }
}
