using MLDeepExtensions.Model;
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Persistence;

[assembly: LoadableClass(typeof(ForecastingTransformer), null, typeof(SignatureLoadModel),
    "Deep Forecasting Transformer", ForecastingTransformer.LoaderSignature)]

namespace MLDeepExtensions;

/// <summary>
/// A trained forecasting network: in a pipeline it adds Forecast, LowerBound and UpperBound to rows holding a window of
/// past values; <see cref="Forecast"/> forecasts from a series' recent values. The scaling of the windows is part of the
/// network, so the model takes and returns values in the series' own units. <c>mlContext.Model.Load</c> brings a saved
/// one back in any process.
/// </summary>
public sealed class ForecastingTransformer : NetworkTransformerBase
{
    internal const string LoaderSignature = "DeepForecaster";

    private static readonly VersionInfo _versionInfo = ModelFormat.VersionInfo("DEEPFCST", LoaderSignature);

    internal ForecastingTransformer(IHostEnvironment env, NetworkModel model)
        : base(env, model, _versionInfo)
    {
    }

    /// <summary>The name of the target column the network was trained on.</summary>
    public string LabelColumnName => Head.LabelColumnName;

    /// <summary>Past values each forecast reads (the window's length).</summary>
    public int Lookback => InputSize;

    /// <summary>Values forecast at once.</summary>
    public int Horizon => Head.Horizon;

    /// <summary>The quantiles forecast, increasing (the point forecast is 0.5); empty for a mean forecast without bounds.</summary>
    public IReadOnlyList<float> Quantiles => Head.Quantiles;

    /// <summary>Whether the interval was calibrated after training (split-conformal, <see cref="ForecastingOptions.Calibration"/>); false for models saved before 0.2.0's calibration.</summary>
    public bool IsCalibrated => Head.IntervalOffsets is not null;

    /// <summary>
    /// Each step's conformal offset of the bounds, <see cref="Horizon"/> values in the windows' scale: a window's lower
    /// bound is its lowest quantile minus offset × the window's spread (the deviation <see cref="Scaling"/> divides it by),
    /// its upper bound the highest plus as much, never past the forecast. Positive widens the interval, negative narrows
    /// it; all 0 when the model is not calibrated. With <see cref="SeriesScaling.Log"/> this happens to the logarithms,
    /// before the bounds are taken back to the series' units (a bound is then multiplied by exp(offset × spread)).
    /// </summary>
    public IReadOnlyList<float> IntervalOffsets => Head.IntervalOffsets ?? new float[Horizon];

    /// <summary>How each window is scaled inside the network.</summary>
    public SeriesScaling Scaling => Forecaster.Scaling;

    /// <summary>The seasonal period the network forecasts from (0 for none).</summary>
    public int SeasonalPeriod => Forecaster.SeasonalPeriod;

    private ForecastHead Head => (ForecastHead)Network.Head;

    private ForecastArchitecture Forecaster => (ForecastArchitecture)Network.Architecture;

    /// <summary>
    /// Forecasts the <see cref="Horizon"/> values that follow <paramref name="history"/>, the series' values up to now,
    /// oldest first, in its own units; the network reads the last <see cref="Lookback"/> of them. Thread-safe.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="Lookback"/> values, or a missing or infinite one among the last <see cref="Lookback"/>.</exception>
    public SeriesForecast Forecast(IReadOnlyList<float> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        ThrowIfDisposed();
        if (history.Count < Lookback)
            throw new ArgumentException(FormattableString.Invariant($"history has {history.Count} values; the model forecasts from the last {Lookback} (its lookback). Give at least {Lookback}."), nameof(history));
        int start = history.Count - Lookback;
        var gaps = Data.SeriesGaps.Find(history, start);
        if (gaps.Length > 0)
            throw new ArgumentException("history has missing or infinite values at " + Data.SeriesGaps.Describe(gaps) + "; fill them (e.g. interpolate) before forecasting.", nameof(history));
        var window = new float[Lookback];
        for (int i = 0; i < Lookback; i++)
            window[i] = history[start + i];
        var outputs = new float[Head.OutputWidth];
        Scorer.Score(window, 1, outputs);
        float[] Part(int index) => outputs.AsSpan(index * Horizon, Horizon).ToArray();
        return Quantiles.Count == 0 ? new SeriesForecast(Part(0), null, null) : new SeriesForecast(Part(0), Part(1), Part(2));
    }

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static ForecastingTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => new(env, ModelFormat.Load(env, ctx, _versionInfo, ForecastHead.RegisteredName));
}

/// <summary>The next values of a series, forecast in its own units.</summary>
/// <param name="Forecast">The point forecasts (medians, or means when the model has no quantiles), one per step.</param>
/// <param name="LowerBound">The lowest quantile of each step, or null when the model has no quantiles.</param>
/// <param name="UpperBound">The highest quantile of each step, or null when the model has no quantiles.</param>
public sealed record SeriesForecast(IReadOnlyList<float> Forecast, IReadOnlyList<float>? LowerBound, IReadOnlyList<float>? UpperBound);
