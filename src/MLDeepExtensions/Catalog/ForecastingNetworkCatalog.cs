using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Data;
using MLDeepExtensions.Scoring;

namespace MLDeepExtensions;

/// <summary>Forecasting: windows of a series (<c>mlContext.Data</c>), the forecasting network and its evaluation (<c>mlContext.Forecasting</c>).</summary>
public static class ForecastingNetworkCatalog
{
    /// <summary>
    /// Turns one numeric series column (rows in time order) into sliding windows: each output row holds
    /// <paramref name="lookback"/> consecutive values as the feature vector (dimensions lookback × 1, ready for an
    /// <see cref="RnnArchitecture"/>, an MLP or <see cref="DeepNetwork(Microsoft.ML.ForecastingCatalog, ForecastingOptions)"/>),
    /// the next <paramref name="horizon"/> values as the label (a Single when the horizon is 1, else a vector), and the
    /// position of the label's first value in the series (Int32, 0-based) to line forecasts up with dates. A series of
    /// n values gives n − lookback − horizon + 1 windows.
    /// </summary>
    /// <param name="catalog">mlContext.Data.</param>
    /// <param name="data">The series, one value per row, oldest first, without gaps.</param>
    /// <param name="seriesColumnName">A Single or Double column without missing values.</param>
    /// <param name="lookback">Past values per window, ≥ 1.</param>
    /// <param name="horizon">Future values to predict, ≥ 1. Default: 1.</param>
    /// <param name="featureColumnName">Name of the window column. Default: "Features".</param>
    /// <param name="labelColumnName">Name of the target column. Default: "Label".</param>
    /// <param name="indexColumnName">Name of the position column, or null for none. Default: "Index".</param>
    /// <exception cref="ArgumentException">The series is shorter than lookback + horizon, or has missing or infinite values (their positions are listed).</exception>
    public static IDataView CreateForecastingWindows(this DataOperationsCatalog catalog, IDataView data, string seriesColumnName,
        int lookback, int horizon = 1, string featureColumnName = DeepNetworkDefaults.FeatureColumnName, string labelColumnName = DeepNetworkDefaults.LabelColumnName,
        string? indexColumnName = DeepNetworkDefaults.IndexColumnName)
        => catalog.CreateForecastingWindows(data, seriesColumnName, lookback, horizon, WindowNames(featureColumnName, labelColumnName, indexColumnName));

    /// <summary>
    /// Splits a series by time into training, validation and test windows, as a forecaster meets it: the test windows
    /// forecast every position of the last <paramref name="testCount"/> values (each window's label lies wholly in that
    /// tail; its features may reach back before it), the validation windows the <paramref name="validationCount"/> values
    /// before them, and the training windows only values before both. Columns as <see cref="CreateForecastingWindows(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, string, int, int, string, string, string?)"/>.
    /// </summary>
    /// <param name="catalog">mlContext.Data.</param>
    /// <param name="data">The series, one value per row, oldest first, without gaps.</param>
    /// <param name="seriesColumnName">A Single or Double column without missing values.</param>
    /// <param name="lookback">Past values per window, ≥ 1.</param>
    /// <param name="horizon">Future values to predict, ≥ 1.</param>
    /// <param name="testCount">Values at the end of the series held out for testing, ≥ horizon.</param>
    /// <param name="validationCount">Values before the test tail held out for validation (early stopping): 0 for none, else ≥ horizon. Default: 0.</param>
    /// <param name="featureColumnName">Name of the window column. Default: "Features".</param>
    /// <param name="labelColumnName">Name of the target column. Default: "Label".</param>
    /// <param name="indexColumnName">Name of the position column, or null for none. Default: "Index".</param>
    public static ForecastingSplit CreateForecastingSplit(this DataOperationsCatalog catalog, IDataView data, string seriesColumnName, int lookback, int horizon,
        int testCount, int validationCount = 0, string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
        string labelColumnName = DeepNetworkDefaults.LabelColumnName, string? indexColumnName = DeepNetworkDefaults.IndexColumnName)
        => catalog.CreateForecastingSplit(data, seriesColumnName, lookback, horizon, testCount, validationCount, WindowNames(featureColumnName, labelColumnName, indexColumnName));

    /// <summary>
    /// Turns a long-format table of one or many series (one row per time step; see <see cref="ForecastingWindowOptions"/>)
    /// into sliding windows as <see cref="CreateForecastingWindows(DataOperationsCatalog, IDataView, string, int, int, string, string, string?)"/>
    /// does, cut per series (never across two), with each window's series id and covariates. A series of n values gives
    /// n − lookback − horizon + 1 windows; every series needs at least lookback + horizon values.
    /// </summary>
    /// <param name="catalog">mlContext.Data.</param>
    /// <param name="data">The table: each series' rows in time order, without gaps.</param>
    /// <param name="seriesColumnName">The values to forecast: a Single or Double column without missing values.</param>
    /// <param name="lookback">Past values per window, ≥ 1.</param>
    /// <param name="horizon">Future values to predict, ≥ 1.</param>
    /// <param name="options">The series id and covariate columns, and the windows' column names.</param>
    /// <exception cref="ArgumentException">A series is too short, or a column has missing or infinite values (the series and positions are named).</exception>
    public static IDataView CreateForecastingWindows(this DataOperationsCatalog catalog, IDataView data, string seriesColumnName, int lookback, int horizon,
        ForecastingWindowOptions options)
    {
        var series = ReadTable(catalog, data, seriesColumnName, lookback, horizon, options);
        foreach (var s in series)
            SeriesWindows.CheckLength(seriesColumnName, s.Length, lookback, horizon, nameof(data), s.Id is null ? "Series column" : $"Series '{s.Id}' of column");
        return SeriesWindows.Create(catalog, series, lookback, horizon, s => (lookback, s.Length - horizon), Names(options));
    }

    /// <summary>
    /// Splits every series of a long-format table by time as <see cref="CreateForecastingSplit(DataOperationsCatalog, IDataView, string, int, int, int, int, string, string, string?)"/>
    /// does one: each series' last <paramref name="testCount"/> values are its test tail, the <paramref name="validationCount"/>
    /// before them its validation tail, and its training windows use only values before both. Windows carry each series'
    /// id and covariates (<see cref="ForecastingWindowOptions"/>); <see cref="ForecastingSplit.TrainingSeriesById"/> holds each
    /// series' training values for <see cref="Evaluate(Microsoft.ML.ForecastingCatalog, IDataView, string, System.Collections.Generic.IReadOnlyDictionary{string, System.Collections.Generic.IReadOnlyList{float}}, int, string, string, string, string, string)"/>.
    /// </summary>
    /// <param name="catalog">mlContext.Data.</param>
    /// <param name="data">The table: each series' rows in time order, without gaps.</param>
    /// <param name="seriesColumnName">The values to forecast: a Single or Double column without missing values.</param>
    /// <param name="lookback">Past values per window, ≥ 1.</param>
    /// <param name="horizon">Future values to predict, ≥ 1.</param>
    /// <param name="testCount">Values at the end of each series held out for testing, ≥ horizon.</param>
    /// <param name="validationCount">Values before each test tail held out for validation: 0 for none, else ≥ horizon.</param>
    /// <param name="options">The series id and covariate columns, and the windows' column names.</param>
    public static ForecastingSplit CreateForecastingSplit(this DataOperationsCatalog catalog, IDataView data, string seriesColumnName, int lookback, int horizon,
        int testCount, int validationCount, ForecastingWindowOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        CheckTails(horizon, testCount, validationCount);
        var series = ReadTable(catalog, data, seriesColumnName, lookback, horizon, options);
        foreach (var s in series)
        {
            SeriesWindows.CheckLength(seriesColumnName, s.Length - testCount - validationCount, lookback, horizon, nameof(data),
                FormattableString.Invariant($"Without its last {testCount + validationCount} values (test{(validationCount > 0 ? " and validation" : "")}), {(s.Id is null ? "series column" : $"series '{s.Id}' of column")}"));
        }
        var names = Names(options);
        int TrainEnd(SeriesRows s) => s.Length - testCount - validationCount;
        var byId = options.SeriesIdColumnName is null ? null
            : series.ToDictionary(s => s.Id!, s => (System.Collections.Generic.IReadOnlyList<float>)s.Values.AsSpan(0, TrainEnd(s)).ToArray());
        return new ForecastingSplit(
            SeriesWindows.Create(catalog, series, lookback, horizon, s => (lookback, TrainEnd(s) - horizon), names),
            validationCount > 0 ? SeriesWindows.Create(catalog, series, lookback, horizon, s => (TrainEnd(s), TrainEnd(s) + validationCount - horizon), names) : null,
            SeriesWindows.Create(catalog, series, lookback, horizon, s => (s.Length - testCount, s.Length - horizon), names),
            byId is null ? series[0].Values.AsSpan(0, TrainEnd(series[0])).ToArray() : [])
        {
            TrainingSeriesById = byId,
        };
    }

    private static IReadOnlyList<SeriesRows> ReadTable(DataOperationsCatalog catalog, IDataView data, string seriesColumnName, int lookback, int horizon,
        ForecastingWindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var past = options.PastCovariateColumnNames ?? throw new ArgumentNullException(nameof(options), "PastCovariateColumnNames is null; give an empty list for none.");
        var future = options.FutureCovariateColumnNames ?? throw new ArgumentNullException(nameof(options), "FutureCovariateColumnNames is null; give an empty list for none.");
        var named = new[] { seriesColumnName, options.SeriesIdColumnName }.Concat(past).Concat(future).Where(n => n is not null).ToArray();
        if (named.Distinct().Count() != named.Length)
            throw new ArgumentException($"The series, series id and covariate columns ({string.Join(", ", named.Select(n => $"'{n}'"))}) name a column twice; give each once.", nameof(options));
        return SeriesTable.Read(data, seriesColumnName, options.SeriesIdColumnName, past, future, nameof(data));
    }

    /// <summary>The window options of one series with these column names.</summary>
    private static ForecastingWindowOptions WindowNames(string featureColumnName, string labelColumnName, string? indexColumnName)
        => new() { FeatureColumnName = featureColumnName, LabelColumnName = labelColumnName, IndexColumnName = indexColumnName };

    private static SeriesWindows.ColumnNames Names(ForecastingWindowOptions options)
        => new(options.FeatureColumnName, options.LabelColumnName, options.IndexColumnName, options.SeriesIdColumnName,
            options.PastCovariateColumnNames.Count > 0 ? options.PastCovariatesColumnName : null,
            options.FutureCovariateColumnNames.Count > 0 ? options.FutureCovariatesColumnName : null);

    private static void CheckTails(int horizon, int testCount, int validationCount)
    {
        if (testCount < horizon)
            throw new ArgumentOutOfRangeException(nameof(testCount), FormattableString.Invariant($"testCount is {testCount}; the test tail must hold at least one horizon ({horizon} values)."));
        if (validationCount != 0 && validationCount < horizon)
            throw new ArgumentOutOfRangeException(nameof(validationCount), FormattableString.Invariant($"validationCount is {validationCount}; give 0 for no validation windows, or at least one horizon ({horizon} values)."));
    }

    /// <summary>
    /// A network that forecasts the next values of a series from a window of past ones, with prediction intervals
    /// (see <see cref="ForecastingOptions"/> for every setting and the defaults).
    /// </summary>
    /// <param name="catalog">mlContext.Forecasting.</param>
    /// <param name="options">The options; the estimator keeps a copy.</param>
    public static ForecastingEstimator DeepNetwork(this Microsoft.ML.ForecastingCatalog catalog, ForecastingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ForecastingEstimator(Interop.MLContextAccess.GetEnvironment(catalog), options);
    }

    /// <summary>A forecasting network with the most common settings; the rest as <see cref="ForecastingOptions"/>.</summary>
    /// <param name="catalog">mlContext.Forecasting.</param>
    /// <param name="featureColumnName">The window column. Default: "Features".</param>
    /// <param name="labelColumnName">The target column (the next value or values). Default: "Label".</param>
    /// <param name="seasonalPeriod">The seasonal period in steps, or 0 for none. Default: 0.</param>
    /// <param name="scaling">How each window is scaled inside the network. Default: <see cref="SeriesScaling.LastValue"/>.</param>
    /// <param name="epochs">Passes over the windows. Default: 100.</param>
    public static ForecastingEstimator DeepNetwork(this Microsoft.ML.ForecastingCatalog catalog, string featureColumnName = DeepNetworkDefaults.FeatureColumnName,
        string labelColumnName = DeepNetworkDefaults.LabelColumnName, int seasonalPeriod = 0, SeriesScaling scaling = DeepNetworkDefaults.ForecastingScaling,
        int epochs = DeepNetworkDefaults.ForecastingEpochs)
        => catalog.DeepNetwork(new ForecastingOptions
        {
            FeatureColumnName = featureColumnName, LabelColumnName = labelColumnName, SeasonalPeriod = seasonalPeriod, Scaling = scaling, Epochs = epochs,
        });

    /// <summary>
    /// Scores forecasts of held-out windows: MAE, RMSE, sMAPE and MASE of the forecast column, the same of the naive
    /// (last value) and seasonal-naive (the value one period earlier) forecasts from the same windows, and, when the data
    /// has the bound columns, how often the actual value fell inside the interval.
    /// </summary>
    /// <param name="catalog">mlContext.Forecasting.</param>
    /// <param name="data">Scored windows: the transformer's output on windows from <see cref="CreateForecastingWindows(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, string, int, int, string, string, string?)"/> or <see cref="CreateForecastingSplit(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, string, int, int, int, int, string, string, string?)"/>.</param>
    /// <param name="seasonalPeriod">The seasonal period for the seasonal-naive forecast and MASE's scale; 0 or 1 for none. Default: 0.</param>
    /// <param name="trainingSeries">
    /// The training values (e.g. <see cref="ForecastingSplit.TrainingSeries"/>): MASE divides by their mean absolute
    /// one-period change, as in the M4 competition. Without them the windows' own past values give that scale. Default: null.
    /// </param>
    /// <param name="labelColumnName">The actual values. Default: "Label".</param>
    /// <param name="featureColumnName">The window of past values (for the naive forecasts). Default: "Features".</param>
    /// <param name="forecastColumnName">The forecasts. Default: "Forecast".</param>
    /// <param name="lowerBoundColumnName">The lower bounds; ignored when the data has no such column. Default: "LowerBound".</param>
    /// <param name="upperBoundColumnName">The upper bounds; ignored when the data has no such column. Default: "UpperBound".</param>
    public static ForecastingMetrics Evaluate(this Microsoft.ML.ForecastingCatalog catalog, IDataView data, int seasonalPeriod = 0,
        System.Collections.Generic.IReadOnlyList<float>? trainingSeries = null, string labelColumnName = DeepNetworkDefaults.LabelColumnName,
        string featureColumnName = DeepNetworkDefaults.FeatureColumnName, string forecastColumnName = DeepNetworkDefaults.ForecastColumnName,
        string lowerBoundColumnName = DeepNetworkDefaults.LowerBoundColumnName, string upperBoundColumnName = DeepNetworkDefaults.UpperBoundColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(seasonalPeriod);
        return ForecastEvaluator.Evaluate(data, Math.Max(1, seasonalPeriod), trainingSeries,
            new(labelColumnName, featureColumnName, forecastColumnName, lowerBoundColumnName, upperBoundColumnName));
    }

    /// <summary>
    /// Scores forecasts of held-out windows of many series (from <see cref="CreateForecastingSplit(DataOperationsCatalog, IDataView, string, int, int, int, int, ForecastingWindowOptions)"/>)
    /// series by series: each series' metrics with MASE scaled by its own training values
    /// (<see cref="ForecastingMetrics.PerSeries"/>), and over all series the mean of their MASEs (as in the M4
    /// competition) with the other measures pooled over every window.
    /// </summary>
    /// <param name="catalog">mlContext.Forecasting.</param>
    /// <param name="data">Scored windows carrying the series id column (Text).</param>
    /// <param name="seriesIdColumnName">The series id column of the windows.</param>
    /// <param name="trainingSeries">Each series' training values by id (<see cref="ForecastingSplit.TrainingSeriesById"/>).</param>
    /// <param name="seasonalPeriod">The seasonal period for the seasonal-naive forecast and MASE's scale; 0 or 1 for none. Default: 0.</param>
    /// <param name="labelColumnName">The actual values. Default: "Label".</param>
    /// <param name="featureColumnName">The window of past values (for the naive forecasts). Default: "Features".</param>
    /// <param name="forecastColumnName">The forecasts. Default: "Forecast".</param>
    /// <param name="lowerBoundColumnName">The lower bounds; ignored when the data has no such column. Default: "LowerBound".</param>
    /// <param name="upperBoundColumnName">The upper bounds; ignored when the data has no such column. Default: "UpperBound".</param>
    public static ForecastingMetrics Evaluate(this Microsoft.ML.ForecastingCatalog catalog, IDataView data, string seriesIdColumnName,
        IReadOnlyDictionary<string, IReadOnlyList<float>> trainingSeries, int seasonalPeriod = 0, string labelColumnName = DeepNetworkDefaults.LabelColumnName,
        string featureColumnName = DeepNetworkDefaults.FeatureColumnName, string forecastColumnName = DeepNetworkDefaults.ForecastColumnName,
        string lowerBoundColumnName = DeepNetworkDefaults.LowerBoundColumnName, string upperBoundColumnName = DeepNetworkDefaults.UpperBoundColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(seriesIdColumnName);
        ArgumentNullException.ThrowIfNull(trainingSeries);
        ArgumentOutOfRangeException.ThrowIfNegative(seasonalPeriod);
        return ForecastEvaluator.EvaluateBySeries(data, Math.Max(1, seasonalPeriod), seriesIdColumnName, trainingSeries,
            new(labelColumnName, featureColumnName, forecastColumnName, lowerBoundColumnName, upperBoundColumnName));
    }
}

/// <summary>A series split by time into forecasting windows (see <see cref="ForecastingNetworkCatalog.CreateForecastingSplit(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, string, int, int, int, int, string, string, string?)"/>).</summary>
/// <param name="Train">Windows whose labels lie before the validation and test tails.</param>
/// <param name="Validation">Windows whose labels lie in the validation tail, or null when it is empty.</param>
/// <param name="Test">Windows whose labels lie in the test tail: one per forecast origin.</param>
/// <param name="TrainingSeries">The series' values before the validation and test tails (MASE's scale, see <see cref="ForecastingNetworkCatalog.Evaluate(Microsoft.ML.ForecastingCatalog, Microsoft.ML.IDataView, int, System.Collections.Generic.IReadOnlyList{float}?, string, string, string, string, string)"/>).</param>
public sealed record ForecastingSplit(IDataView Train, IDataView? Validation, IDataView Test, System.Collections.Generic.IReadOnlyList<float> TrainingSeries)
{
    /// <summary>
    /// Each series' values before its validation and test tails, by series id, for a split of many series (MASE's scale per
    /// series, see <see cref="ForecastingNetworkCatalog.Evaluate(Microsoft.ML.ForecastingCatalog, IDataView, string, IReadOnlyDictionary{string, IReadOnlyList{float}}, int, string, string, string, string, string)"/>);
    /// null for one series. With many series <see cref="TrainingSeries"/> is empty.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<float>>? TrainingSeriesById { get; init; }
}
