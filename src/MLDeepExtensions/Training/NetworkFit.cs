using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>A trained module with what its fit measured; the caller takes ownership of <see cref="Module"/>.</summary>
internal sealed record TrainedNetwork(nn.Module<Tensor, Tensor> Module, TrainingHistory History, Device Device);

/// <summary>
/// The fit every estimator shares: read the data into tensors (and split off validation rows), pick the device,
/// seed, build the module, run the training loop. Frees everything it made when anything fails or is cancelled.
/// </summary>
internal static class NetworkFit
{
    /// <param name="host">The estimator's host (logging, seed, device settings).</param>
    /// <param name="options">The shared training options.</param>
    /// <param name="input">Training data (already schema-checked).</param>
    /// <param name="encoder">How feature rows are read; its width is the network's input size.</param>
    /// <param name="labelColumnName">The label column, or null to reconstruct the features (autoencoders).</param>
    /// <param name="task">Sizes and loss of the task.</param>
    /// <param name="architecture">The resolved architecture.</param>
    /// <param name="classWeights">Per-class loss weights, or null.</param>
    /// <param name="afterTraining">Runs on the trained module and the training rows before they are freed (e.g. to set a threshold).</param>
    public static TrainedNetwork Run(IHost host, NetworkTrainingOptions options, IDataView input, FeatureEncoder encoder, string? labelColumnName,
        TaskInfo task, NetworkArchitecture architecture, IReadOnlyList<float>? classWeights, Action<nn.Module<Tensor, Tensor>, TrainingSet>? afterTraining = null)
    {
        TorchNative.EnsureInitialized();
        int inputSize = encoder.Width;
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
                    throw new ArgumentException($"{nameof(options.ValidationFraction)} needs at least 2 training rows; there is {train.Count}.", "input");
                var whole = train;
                (train, validation) = whole.Split(options.ValidationFraction, seed);
                whole.Dispose();
            }
            else if (options.ValidationData is not null)
                validation = Read(options.ValidationData, "validation");

            var device = DeviceSelector.Resolve(options.Device, host, channel);
            train.MoveTo(device);
            validation?.MoveTo(device);
            random.manual_seed(seed);
            module = architecture.CreateModule(inputSize, task.OutputSize);
            module.to(device);
            channel.Info($"{architecture}, {inputSize} inputs → {task.OutputSize} outputs, {train.Count} training rows" +
                $"{(validation is null ? "" : $", {validation.Count} validation rows")}, {options.Optimizer}, on {device}.");
            using var loss = new LossFunction(task.Task, task.OutputSize, classWeights, device);
            var history = new TrainingLoop(module, loss, options, channel).Run(train, validation, seed);
            afterTraining?.Invoke(module, train);
            var trained = new TrainedNetwork(module, history, device);
            module = null;
            return trained;
        }
        finally
        {
            module?.Dispose();
            train?.Dispose();
            validation?.Dispose();
        }

        TrainingSet Read(IDataView data, string role)
            => TrainingDataReader.Read(data, role, options.FeatureColumnName, encoder, labelColumnName, task,
                options.DropRowsWithNonFiniteValues, channel, options.CancellationToken);
    }
}
