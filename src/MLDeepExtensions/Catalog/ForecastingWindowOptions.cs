using System.Collections.Generic;

namespace MLDeepExtensions;

/// <summary>
/// The columns of a long-format table of many series and their covariates, and of the windows cut from it
/// (<see cref="ForecastingNetworkCatalog.CreateForecastingWindows(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, string, int, int, ForecastingWindowOptions)"/>):
/// one row per time step, each series' rows in time order (the series may follow one another or interleave).
/// </summary>
public sealed record ForecastingWindowOptions
{
    /// <summary>
    /// The column naming each row's series (Text, or a Key with text key values), or null for one series. Windows are cut
    /// per series, never across two, and carry this column (as Text, same name); map it to keys
    /// (<c>mlContext.Transforms.Conversion.MapValueToKey</c>) for <see cref="ForecastingOptions.SeriesIdColumnName"/>. Default: null.
    /// </summary>
    public string? SeriesIdColumnName { get; init; }

    /// <summary>
    /// Columns known only up to each time step (e.g. the weather observed), each a Single, a Double or a known-size
    /// Single vector per row: every window gets their values over its lookback in <see cref="PastCovariatesColumnName"/>
    /// (lookback × their total width, step by step). Default: none.
    /// </summary>
    public IReadOnlyList<string> PastCovariateColumnNames { get; init; } = [];

    /// <summary>
    /// Columns known ahead for the forecast horizon (calendar features, holidays, planned promotions and prices), each a
    /// Single, a Double or a known-size Single vector per row: every window gets their values over its lookback and its
    /// horizon in <see cref="FutureCovariatesColumnName"/> ((lookback + horizon) × their total width, step by step). Default: none.
    /// </summary>
    public IReadOnlyList<string> FutureCovariateColumnNames { get; init; } = [];

    /// <summary>Name of the window column. Default: "Features".</summary>
    public string FeatureColumnName { get; init; } = DeepNetworkDefaults.FeatureColumnName;

    /// <summary>Name of the target column. Default: "Label".</summary>
    public string LabelColumnName { get; init; } = DeepNetworkDefaults.LabelColumnName;

    /// <summary>Name of the position column (each label's first value's position in its own series), or null for none. Default: "Index".</summary>
    public string? IndexColumnName { get; init; } = DeepNetworkDefaults.IndexColumnName;

    /// <summary>Name of the windows' past-covariate column (written when <see cref="PastCovariateColumnNames"/> are given). Default: "PastCovariates".</summary>
    public string PastCovariatesColumnName { get; init; } = DeepNetworkDefaults.PastCovariatesColumnName;

    /// <summary>Name of the windows' known-future-covariate column (written when <see cref="FutureCovariateColumnNames"/> are given). Default: "FutureCovariates".</summary>
    public string FutureCovariatesColumnName { get; init; } = DeepNetworkDefaults.FutureCovariatesColumnName;
}
