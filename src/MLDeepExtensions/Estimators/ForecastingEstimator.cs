using Microsoft.ML.Runtime;

namespace MLDeepExtensions;

/// <summary>
/// Trains a network that forecasts the next values of a series from a window of past ones, with prediction intervals.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Features: a window of past values, oldest first (a known-size Single vector, lookback or lookback × 1). Label: the next value (Single) or the next horizon values (Single vector), raw. <see cref="ForecastingNetworkCatalog.CreateForecastingWindows(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, string, int, int, string, string, string?)"/> writes both.</description></item>
/// <item><term>Output columns</term><description>Forecast (the median, or the mean without quantiles), LowerBound and UpperBound (the lowest and highest quantiles), each a Single or a vector of horizon values, in the series' units.</description></item>
/// <item><term>Needs normalization</term><description>No: each window is scaled inside the network (<see cref="ForecastingOptions.Scaling"/>) and its forecasts scaled back.</description></item>
/// <item><term>Needs a GPU</term><description>No.</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes, with the window scaling (opset 10 or later with quantiles); not with a custom module.</description></item>
/// </list>
/// The fitted <see cref="ForecastingTransformer"/> scores windows in a pipeline and forecasts from a series' recent
/// values (<see cref="ForecastingTransformer.Forecast(System.Collections.Generic.IReadOnlyList{float})"/>); it saves and loads like any ML.NET model.
/// </remarks>
public sealed class ForecastingEstimator : NetworkEstimatorBase<ForecastingTransformer>
{
    internal ForecastingEstimator(IHostEnvironment env, ForecastingOptions options)
        : base(env, options, (host, network) => new ForecastingTransformer(host, network))
    {
    }

    /// <summary>A copy of the options this estimator trains with; changing it does not change the estimator.</summary>
    public ForecastingOptions Options => (ForecastingOptions)CopyOfOptions();
}
