namespace MLDeepExtensions;

/// <summary>
/// How a forecasting network sees each window of past values and how its outputs return to the series' units. The rule
/// lives inside the network (and in the saved model), so the model takes raw values and returns raw forecasts: no scaler
/// to fit or keep beside it. Every rule but <see cref="None"/> makes the forecast move with the window: shifting a window
/// by b and stretching it by a ≠ 0 shifts and stretches its forecast the same way, so levels never seen in training
/// (a trend's future) are forecast as well as the ones seen.
/// </summary>
public enum SeriesScaling
{
    /// <summary>Raw values in, raw forecasts out. Only for series that stay within the levels of the training windows (and are roughly unit-scaled).</summary>
    None = 0,

    /// <summary>
    /// The default. Each window minus its last value, divided by its standard deviation; the forecast is the last value
    /// plus the network's outputs times that deviation. Works on trending and on stationary series alike.
    /// </summary>
    LastValue = 1,

    /// <summary>
    /// Each window minus its mean, divided by its standard deviation; the forecast is the mean plus the outputs times that
    /// deviation. Can suit stationary, noisy series, whose last value is a poor anchor.
    /// </summary>
    WindowMean = 2,

    /// <summary>
    /// The window's successive differences (one fewer than its values), divided by their root mean square; the forecast
    /// is the last value plus the outputs (the changes from it) times that root mean square: differencing, as in ARIMA.
    /// Can suit series with a strong, changing trend (a random walk's forecast is the last value).
    /// </summary>
    Differences = 3,
}
