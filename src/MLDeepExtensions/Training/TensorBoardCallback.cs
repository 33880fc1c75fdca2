using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace MLDeepExtensions;

/// <summary>
/// Writes each epoch's metrics as a TensorBoard event file, for <c>tensorboard --logdir &lt;directory&gt;</c>: the scalars
/// <c>training/loss</c>, <c>validation/loss</c>, <c>validation/metric</c> (<see cref="EpochMetrics.ValidationMetric"/>),
/// <c>validation/&lt;name&gt;</c> for every entry of <see cref="EpochMetrics.ValidationMetrics"/> and <c>learning_rate</c>,
/// at step = the epoch number (validation values only with validation data). With histograms on, also
/// <c>weights/&lt;weight&gt;</c> and <c>gradients/&lt;weight&gt;</c> per state_dict key (the gradients of the epoch's last
/// training batch; frozen weights have none). Each fit writes a new file in the directory; add it to
/// <see cref="NetworkTrainingOptions.Callbacks"/>, or set <see cref="NetworkTrainingOptions.Logging"/>.
/// </summary>
public sealed class TensorBoardCallback : TrainingCallback, IDisposable
{
    private Training.TensorBoardEventFile? _file;

    /// <param name="logDirectory">The folder to write event files in; created when missing.</param>
    /// <param name="histograms">Also write histograms of every weight and gradient per epoch (costs a copy of the weights to the CPU per epoch). Default: false.</param>
    /// <exception cref="ArgumentException"><paramref name="logDirectory"/> is empty or not a valid path.</exception>
    public TensorBoardCallback(string logDirectory, bool histograms = false)
    {
        var errors = new ValidationErrors();
        TrainingLogOptions.CheckPath(errors, nameof(logDirectory), logDirectory, isFile: false);
        if (errors.Count > 0)
            throw new ArgumentException(errors.Messages[0], nameof(logDirectory));
        LogDirectory = logDirectory;
        Histograms = histograms;
    }

    /// <summary>The folder the event files are written in.</summary>
    public string LogDirectory { get; }

    /// <summary>Whether weight and gradient histograms are written each epoch.</summary>
    public bool Histograms { get; }

    /// <summary>The event file of the running (or last) fit; null before the first fit.</summary>
    public string? EventFile { get; private set; }

    /// <summary>Opens a new event file.</summary>
    public override void OnTrainingBegin(TrainingContext context)
    {
        _file?.Dispose();
        _file = new Training.TensorBoardEventFile(LogDirectory);
        EventFile = _file.Path;
    }

    /// <summary>Writes the epoch's scalars (and histograms) and flushes the file, so TensorBoard shows the epoch at once.</summary>
    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        if (_file is null)
            return;
        _file.WriteScalars(metrics.Epoch, Scalars(metrics));
        if (Histograms)
            WriteHistograms(_file, context.Module, metrics.Epoch);
        _file.Flush();
    }

    /// <summary>Closes the event file.</summary>
    public override void OnTrainingEnd(TrainingContext context) => Dispose();

    /// <summary>Closes the event file if one is open (the training loop disposes its callbacks when a fit ends or fails).</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    /// <summary>The scalars TensorBoard shows for an epoch, by tag.</summary>
    internal static IEnumerable<(string Tag, double Value)> Scalars(EpochMetrics metrics)
    {
        yield return ("training/loss", metrics.TrainingLoss);
        if (metrics.ValidationLoss is double validationLoss)
            yield return ("validation/loss", validationLoss);
        if (metrics.ValidationMetric is double validationMetric)
            yield return ("validation/metric", validationMetric);
        foreach (var (name, value) in metrics.ValidationMetrics)
            yield return ("validation/" + name, value);
        yield return ("learning_rate", metrics.LearningRate);
    }

    private static void WriteHistograms(Training.TensorBoardEventFile file, nn.Module module, int epoch)
    {
        using var scope = NewDisposeScope();
        var histograms = new List<(string, float[])>();
        foreach (var (name, parameter) in module.named_parameters())
        {
            histograms.Add(("weights/" + name, Floats(parameter)));
            if (parameter.grad is { } gradient)
                histograms.Add(("gradients/" + name, Floats(gradient)));
        }
        file.WriteHistograms(epoch, histograms);
    }

    private static float[] Floats(Tensor tensor) => tensor.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();
}
