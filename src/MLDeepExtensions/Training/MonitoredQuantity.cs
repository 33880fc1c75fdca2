using System;
using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions.Training;

/// <summary>
/// What early stopping or checkpoints on improvement watch, resolved against the head's metrics: one of the fixed
/// quantities (<see cref="EarlyStoppingMonitor"/>) or a named validation metric in its own direction, turned so that
/// lower is always better.
/// </summary>
internal sealed class MonitoredQuantity
{
    private readonly EarlyStoppingMonitor _monitor;
    private readonly MetricDefinition? _metric;

    private MonitoredQuantity(EarlyStoppingMonitor monitor, MetricDefinition? metric)
    {
        _monitor = monitor;
        _metric = metric;
    }

    /// <summary>
    /// The quantity an option names; throws an <see cref="ArgumentException"/> naming <paramref name="option"/> when the
    /// metric is not one the head computes, has no direction, or there is no validation data to compute it on.
    /// </summary>
    public static MonitoredQuantity Resolve(string option, EarlyStoppingMonitor monitor, string? metricName, IReadOnlyList<MetricDefinition> metrics, bool hasValidationData)
    {
        if (metricName is null)
            return new MonitoredQuantity(monitor, null);
        var metric = metrics.FirstOrDefault(m => m.Name == metricName)
            ?? throw new ArgumentException($"{option} is '{metricName}', which this network does not compute on validation data. " +
                $"Name one of: {string.Join(", ", metrics.Where(m => m.HigherIsBetter is not null).Select(m => m.Name))}.", option);
        if (metric.HigherIsBetter is null)
            throw new ArgumentException($"{option} is '{metricName}', which has no better direction (it is reported, not optimised). " +
                $"Name one of: {string.Join(", ", metrics.Where(m => m.HigherIsBetter is not null).Select(m => m.Name))}.", option);
        if (!hasValidationData)
            throw new ArgumentException($"{option} is '{metricName}', a validation metric, but the fit has no validation data. " +
                $"Set {nameof(NetworkTrainingOptions.ValidationFraction)} or {nameof(NetworkTrainingOptions.ValidationData)}.", option);
        return new MonitoredQuantity(monitor, metric);
    }

    /// <summary>Checks every monitor the options name against the head's metrics, before any data is read.</summary>
    public static void Check(NetworkTrainingOptions options, IReadOnlyList<MetricDefinition> metrics)
    {
        bool validation = options.ValidationFraction > 0 || options.ValidationData is not null;
        if (options.EarlyStopping is { } stopping)
            Resolve($"{nameof(EarlyStoppingOptions)}.{nameof(EarlyStoppingOptions.Metric)}", stopping.Monitor, stopping.Metric, metrics, validation);
        if (options.Checkpoints is { } checkpoints)
            Resolve($"{nameof(NetworkTrainingOptions.Checkpoints)}.{nameof(CheckpointOptions.Metric)}", checkpoints.Monitor, checkpoints.Metric, metrics, validation);
    }

    /// <summary>The watched value after an epoch, turned so that lower is better.</summary>
    public double LowerIsBetter(EpochMetrics metrics)
    {
        if (_metric is { } metric)
        {
            double value = metrics.ValidationMetrics.TryGetValue(metric.Name, out var v) ? v : double.NaN;
            // A metric the data cannot tell (NaN) never counts as an improvement.
            return double.IsNaN(value) ? double.PositiveInfinity : metric.HigherIsBetter == true ? -value : value;
        }
        return _monitor switch
        {
            EarlyStoppingMonitor.TrainingLoss => metrics.TrainingLoss,
            EarlyStoppingMonitor.ValidationMetric => -(metrics.ValidationMetric ?? -metrics.TrainingLoss),
            _ => metrics.ValidationLoss ?? metrics.TrainingLoss,
        };
    }
}
