namespace MLDeepExtensions;

/// <summary>
/// How a forecasting network sees each window of past values and how its outputs return to the series' units. The rule
/// lives inside the network (and in the saved model), so the model takes raw values and returns raw forecasts: no scaler
/// to fit or keep beside it. Every rule but <see cref="None"/> and <see cref="Log"/> makes the forecast move with the window: shifting a
/// window by b and stretching it by a ≠ 0 shifts and stretches its forecast the same way (<see cref="Log"/>: stretching by a &gt; 0), so levels never seen in training
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

    /// <summary>
    /// For series whose swings grow with their level (multiplicative seasonality, growth in percent): the network sees the
    /// logarithms of the window scaled like <see cref="LastValue"/> (minus the last log value, divided by the log window's
    /// standard deviation), and the forecast and both bounds are the exponentials of its outputs, so seasonal swings are
    /// proportional to the level and every forecast is positive. Every value of a window (and, in training, of its
    /// target) must be positive and finite; shift a series with zeros or negatives, or use <see cref="LastValue"/>.
    /// Unlike the other rules, a forecast stretches with its window (times a &gt; 0) but does not shift with it.
    /// </summary>
    Log = 4,
}
