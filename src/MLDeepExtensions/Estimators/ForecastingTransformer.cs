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
/// past values; <see cref="Forecast(IReadOnlyList{float})"/> forecasts from a series' recent values. The scaling of the windows is part of the
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
    public int Lookback => Forecaster.WindowLength(InputSize);

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

    /// <summary>Whether the interval was calibrated series by series (<see cref="IntervalCalibration.ConformalPerSeries"/>); then <see cref="IntervalOffsets"/> are those of all series together, used for series unseen in training.</summary>
    public bool IsCalibratedPerSeries => Head.CalibratedPerSeries;

    /// <summary>The interval offsets of a series by name (<see cref="SeriesNames"/>) when calibrated per series; for an unknown name, or without per-series calibration, <see cref="IntervalOffsets"/>.</summary>
    public IReadOnlyList<float> SeriesIntervalOffsets(string series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return Head.SeriesIntervalOffsets(SeriesNames.Count == 0 ? 0 : SeriesKey(series)) ?? IntervalOffsets;
    }

    /// <summary>How each window is scaled inside the network.</summary>
    public SeriesScaling Scaling => Forecaster.Scaling;

    /// <summary>The seasonal period the network forecasts from (0 for none).</summary>
    public int SeasonalPeriod => Forecaster.SeasonalPeriod;

    private ForecastHead Head => (ForecastHead)Network.Head;

    private Dictionary<string, int>? _seriesKeys;

    private ForecastArchitecture Forecaster => (ForecastArchitecture)Network.Architecture;

    /// <summary>The series names the network learned an embedding for (<see cref="ForecastingOptions.SeriesIdColumnName"/>), in key order; empty when it has none.</summary>
    public IReadOnlyList<string> SeriesNames => Forecaster.SeriesNames;

    /// <summary>The windows' past-covariate values per step the network reads (0 for none).</summary>
    public int PastCovariateWidth => Forecaster.Past?.Width ?? 0;

    /// <summary>The windows' known-future-covariate values per step the network reads (0 for none).</summary>
    public int FutureCovariateWidth => Forecaster.Future?.Width ?? 0;

    /// <summary>
    /// Forecasts the <see cref="Horizon"/> values that follow <paramref name="history"/>, the series' values up to now,
    /// oldest first, in its own units; the network reads the last <see cref="Lookback"/> of them. Thread-safe.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="Lookback"/> values, or a missing or infinite one among the last <see cref="Lookback"/>; or the network reads covariates (give them with <see cref="Forecast(IReadOnlyList{float}, ForecastInputs)"/>).</exception>
    public SeriesForecast Forecast(IReadOnlyList<float> history) => Forecast(history, new ForecastInputs());

    /// <summary>
    /// Forecasts the <see cref="Horizon"/> values that follow <paramref name="history"/> (the series' values up to now,
    /// oldest first, in its own units) for a network that reads covariates or a series id: the series' name and its
    /// covariates, aligned with the history (see <see cref="ForecastInputs"/>). Thread-safe.
    /// </summary>
    /// <exception cref="ArgumentException">Too few values, a missing or infinite one, or covariates the network does not read or misses.</exception>
    public SeriesForecast Forecast(IReadOnlyList<float> history, ForecastInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(inputs);
        ThrowIfDisposed();
        if (history.Count < Lookback)
            throw new ArgumentException(FormattableString.Invariant($"history has {history.Count} values; the model forecasts from the last {Lookback} (its lookback). Give at least {Lookback}."), nameof(history));
        int start = history.Count - Lookback;
        var gaps = Data.SeriesGaps.Find(history, start);
        if (gaps.Length > 0)
            throw new ArgumentException("history has missing or infinite values at " + Data.SeriesGaps.Describe(gaps) + "; fill them (e.g. interpolate) before forecasting.", nameof(history));
        var row = new float[InputSize];
        for (int i = 0; i < Lookback; i++)
            row[i] = history[start + i];
        int offset = Lookback;
        offset = Append(row, offset, inputs.PastCovariates, Forecaster.Past, history.Count, nameof(ForecastInputs.PastCovariates), "past");
        offset = Append(row, offset, inputs.FutureCovariates, Forecaster.Future, history.Count + Horizon, nameof(ForecastInputs.FutureCovariates), "known-future");
        if (Forecaster.SeriesKey is not null)
            row[offset] = inputs.SeriesId is null ? 0 : SeriesKey(inputs.SeriesId);
        else if (inputs.SeriesId is not null)
            throw new ArgumentException($"inputs.SeriesId is '{inputs.SeriesId}' but the model has no series embedding (it was trained without a SeriesIdColumnName); leave it null.", nameof(inputs));
        var outputs = new float[Head.OutputWidth];
        Scorer.Score(row, 1, outputs);
        float[] Part(int index) => outputs.AsSpan(index * Horizon, Horizon).ToArray();
        return Quantiles.Count == 0 ? new SeriesForecast(Part(0), null, null) : new SeriesForecast(Part(0), Part(1), Part(2));
    }

    /// <summary>Copies the last steps of a covariate list (<paramref name="steps"/> steps aligned with the history's end) into the row.</summary>
    private static int Append(float[] row, int offset, IReadOnlyList<float>? values, Data.NumericInput? input, int steps, string option, string what)
    {
        if (input is null)
        {
            if (values is { Count: > 0 })
                throw new ArgumentException($"inputs.{option} has values but the model reads no {what} covariates; leave it null.", "inputs");
            return offset;
        }
        if (values is null || values.Count != (long)steps * input.Width)
            throw new ArgumentException(FormattableString.Invariant($"inputs.{option} has {values?.Count ?? 0} values; the model reads {input.Width} {what} covariate value{(input.Width == 1 ? "" : "s")} per step, so give {steps} steps × {input.Width} = {(long)steps * input.Width} values, step by step (one step per history value{(what == "known-future" ? ", then one per forecast step" : "")})."), "inputs");
        int first = (steps - input.Steps) * input.Width;
        for (int i = 0; i < input.Size; i++)
        {
            float v = values[first + i];
            if (!float.IsFinite(v))
                throw new ArgumentException(FormattableString.Invariant($"inputs.{option} has a missing or infinite value at position {first + i} (0-based); fill it before forecasting."), "inputs");
            row[offset + i] = v;
        }
        return offset + input.Size;
    }

    /// <summary>The key of a series name: its position in <see cref="SeriesNames"/> + 1, or 0 (the missing key: a cold start) for a series unseen in training.</summary>
    private int SeriesKey(string name)
    {
        if (SeriesNames.Count == 0)
            throw new ArgumentException($"The model's series key column '{Forecaster.SeriesKey!.Name}' had no text key values, so series cannot be named; leave inputs.SeriesId null for a cold-start forecast, or score windows in a pipeline.", "inputs");
        _seriesKeys ??= SeriesNames.Select((n, i) => (n, i)).GroupBy(p => p.n).ToDictionary(g => g.Key, g => g.First().i + 1);
        return _seriesKeys.TryGetValue(name, out int key) ? key : 0;
    }

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static ForecastingTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => new(env, ModelFormat.Load(env, ctx, _versionInfo, ForecastHead.RegisteredName));
}

/// <summary>The next values of a series, forecast in its own units.</summary>
/// <param name="Forecast">The point forecasts (medians, or means when the model has no quantiles), one per step.</param>
/// <param name="LowerBound">The lowest quantile of each step, or null when the model has no quantiles.</param>
/// <param name="UpperBound">The highest quantile of each step, or null when the model has no quantiles.</param>
public sealed record SeriesForecast(IReadOnlyList<float> Forecast, IReadOnlyList<float>? LowerBound, IReadOnlyList<float>? UpperBound);

/// <summary>
/// What a network that reads more than its window needs for <see cref="ForecastingTransformer.Forecast(IReadOnlyList{float}, ForecastInputs)"/>:
/// the series' name and its covariates, each a list of values step by step (all of a step's values, then the next step's).
/// </summary>
public sealed record ForecastInputs
{
    /// <summary>The series' name as in training (<see cref="ForecastingTransformer.SeriesNames"/>); a name unseen in training, or null, forecasts it as a new series (cold start). Default: null.</summary>
    public string? SeriesId { get; init; }

    /// <summary>The past covariates of every history value (history length × <see cref="ForecastingTransformer.PastCovariateWidth"/> values); the network reads the last lookback steps. Default: null.</summary>
    public IReadOnlyList<float>? PastCovariates { get; init; }

    /// <summary>The known-future covariates of every history value and then of every forecast step ((history length + horizon) × <see cref="ForecastingTransformer.FutureCovariateWidth"/> values); the network reads the last lookback + horizon steps. Default: null.</summary>
    public IReadOnlyList<float>? FutureCovariates { get; init; }
}
