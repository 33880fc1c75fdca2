namespace MLDeepExtensions;

/// <summary>
/// Whether a forecaster's prediction interval (its lowest and highest quantiles) is calibrated after training on held-out
/// windows, so that it holds the actual values about as often as it claims to.
/// </summary>
public enum IntervalCalibration
{
    /// <summary>
    /// The default: <see cref="Conformal"/> when the fit has validation windows (ValidationData, or ValidationFraction) and
    /// the forecaster has an interval, else <see cref="None"/>; the training log says which.
    /// </summary>
    Auto = 0,

    /// <summary>The bounds are the network's quantiles as trained by the pinball loss, which tend to be too narrow on new data.</summary>
    None = 1,

    /// <summary>
    /// Split-conformal calibration (conformalized quantile regression, Romano, Patterson and Candès 2019): after training,
    /// each step's bounds are moved out (or in) by the offset that makes the interval hold its nominal share of the
    /// validation windows' actual values, measured in each window's own scale. Needs validation windows: ValidationData,
    /// best a time-ordered tail (<c>CreateForecastingSplit(…, validationCount: n).Validation</c>), or ValidationFraction.
    /// </summary>
    Conformal = 2,

    /// <summary>
    /// <see cref="Conformal"/> series by series, for a network for many series with a series embedding
    /// (<c>ForecastingOptions.SeriesIdColumnName</c>): each series' bounds move by the offsets of its own validation
    /// windows, so that a noisy series' interval widens and a calm one's narrows; a series with too few validation windows
    /// for the rank (fewer than 4 for an 80% interval), and a series unseen in training, gets the offsets of all series
    /// together. Each series' own offsets come from few windows: give each series a validation tail of several horizons.
    /// </summary>
    ConformalPerSeries = 3,
}
