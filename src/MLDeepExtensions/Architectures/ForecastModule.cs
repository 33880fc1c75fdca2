using System;
using System.Linq;
using MLDeepExtensions.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// Wraps a network that forecasts in scaled units: scales each window (rows of lookback values, oldest first) by its own
/// level and spread (<see cref="SeriesScaling"/>), runs the network, and returns [rows, horizon × quantiles + horizon + 1]:
/// the network's scaled outputs (quantile-major), then the baseline of every step (the level, or the seasonal-naive value)
/// and the spread they are measured from. The forecasting head maps them back (baseline + spread × output) and its loss
/// compares them with the targets in the same scaled units, so every window weighs the same whatever its level.
/// </summary>
/// <remarks>
/// A window whose spread is zero (constant) or below float precision at its magnitude is fed as zeros and gets spread 0,
/// so its forecast is its baseline: the constant, with no NaN. With <see cref="SeriesScaling.Log"/> all of it happens on
/// the window's logarithms (like <see cref="SeriesScaling.LastValue"/>): the baseline and spread are in log units, and the
/// head takes the exponential of baseline + spread × output.
/// </remarks>
internal sealed class ForecastModule : nn.Module<Tensor, Tensor>, IOnnxModule
{
    // The field name is the prefix of every saved weight key ("network.hidden0.weight", ...): renaming it breaks saved models.
    private readonly nn.Module<Tensor, Tensor> network;
    // Only with covariates or a series id (ForecastLayout): the row's standardization, measured on the training rows
    // (only its covariate part is used), and the series embedding. Saved as "covariates.*" and "series.*": do not rename.
    private readonly InputStandardization? covariates;
    private readonly TorchSharp.Modules.Embedding? series;
    private readonly SeriesScaling _scaling;
    private readonly int _period;
    private readonly int _horizon;
    private readonly ForecastLayout? _layout;

    /// <param name="inner">The network: lookback inputs (or, with a layout, its sequence) → horizon × quantiles outputs.</param>
    /// <param name="scaling">How windows are scaled.</param>
    /// <param name="period">The seasonal period whose seasonal-naive forecast is the baseline, or 0 for the level.</param>
    /// <param name="horizon">Forecast steps.</param>
    /// <param name="layout">How a row with covariates or a series key is read, or null for a row that is only the window.</param>
    /// <param name="seriesKeys">The series key column's key count (the embedding has one more row, for the missing key); 0 without one.</param>
    public ForecastModule(nn.Module<Tensor, Tensor> inner, SeriesScaling scaling, int period, int horizon, ForecastLayout? layout = null, int seriesKeys = 0)
        : base(nameof(ForecastModule))
    {
        network = inner;
        _scaling = scaling;
        _period = period;
        _horizon = horizon;
        _layout = layout;
        if (layout is not null)
        {
            covariates = new InputStandardization(layout.RowWidth);
            if (layout.EmbeddingSize > 0)
                series = nn.Embedding(seriesKeys + 1, layout.EmbeddingSize);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var window = _layout is null ? input : input.narrow(1, 0, _layout.Lookback);
        // Log scaling works on the window's logarithms throughout: level, spread, baseline and outputs are all in log units.
        // Unchecked, so that no batch waits for a read: the head checks the training and validation rows before the first
        // epoch (ForecastHead.CheckData) and the scorer every row it scores (ForecastHead.CheckInputs), on the CPU.
        if (_scaling == SeriesScaling.Log)
            window = window.log();
        long rows = window.shape[0], lookback = window.shape[1];
        var last = window.narrow(1, lookback - 1, 1);
        Tensor level, spread, inputs;
        switch (_scaling)
        {
            case SeriesScaling.None:
                level = zeros(rows, 1, device: window.device);
                spread = ones(rows, 1, device: window.device);
                inputs = window;
                break;
            case SeriesScaling.Differences:
                level = last;
                var changes = window.narrow(1, 1, lookback - 1) - window.narrow(1, 0, lookback - 1);
                (var safe, spread) = Spread(changes.square().mean([1], keepdim: true).sqrt(), window);
                // The network keeps its lookback inputs: the changes follow a zero where the first value had none.
                inputs = cat([zeros(rows, 1, device: window.device), changes / safe], 1);
                break;
            default:
                level = _scaling == SeriesScaling.WindowMean ? window.mean([1], keepdim: true) : last;
                (var safeSpread, spread) = Spread(window.std(1, unbiased: false, keepdim: true), window);
                inputs = (window - level) / safeSpread;
                break;
        }
        var baseline = _period > 0 ? SeasonalNaive(window) : level.expand(rows, _horizon);
        if (_layout is not null)
        {
            var embedded = series?.call(_layout.SeriesKeys(input));
            inputs = _layout.Sequence(inputs, covariates!.forward(input), embedded);
        }
        return cat([network.forward(inputs), baseline, spread], 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The natural logarithms of <paramref name="values"/> (windows or targets, [rows, n]), the space a
    /// <see cref="SeriesScaling.Log"/> forecaster works in; an exception naming the first value that is not positive and
    /// finite, never a NaN that would spread silently.
    /// </summary>
    /// <param name="values">Windows or targets, one row each.</param>
    /// <param name="what">"window" or "target", for the message.</param>
    internal static Tensor Logarithms(Tensor values, string what)
    {
        // The logarithm of 0 is −∞ and of a negative, NaN or +∞ value not finite either: one check of the result finds them all.
        var logs = values.log();
        using (var finite = logs.isfinite().all())
        {
            if (finite.item<bool>())
                return logs;
        }
        var first = logs.isfinite().logical_not().reshape(-1).nonzero()[0, 0].item<long>();
        long width = values.shape[^1];
        throw new ArgumentException(NotPositive(what, values.reshape(-1)[first].item<float>(), first % width, width));
    }

    /// <summary>The error for a value a <see cref="SeriesScaling.Log"/> forecaster cannot take the logarithm of.</summary>
    internal static string NotPositive(string what, float value, long position, long width)
        => FormattableString.Invariant($"SeriesScaling.Log needs positive, finite values, but a {what} has {value} (its value {position + 1} of {width}). ") +
           "Shift the series by a constant that makes every value positive (and subtract it from the forecasts), or use SeriesScaling.LastValue.";

    /// <summary>
    /// The parts of a forward pass's output [rows, horizon × quantiles + horizon + 1]: the scaled outputs [rows, quantiles,
    /// horizon], the baselines [rows, horizon] and the spreads [rows, 1] (views of <paramref name="output"/>).
    /// </summary>
    internal static (Tensor Scaled, Tensor Baseline, Tensor Spread) Split(Tensor output, int horizon)
    {
        long rows = output.shape[0], quantiles = (output.shape[1] - horizon - 1) / horizon;
        return (output.narrow(1, 0, quantiles * horizon).view(rows, quantiles, horizon),
            output.narrow(1, quantiles * horizon, horizon),
            output.narrow(1, (quantiles + 1) * horizon, 1));
    }

    /// <summary>The divisor of the inputs (1 for a constant window) and the spread the outputs are multiplied by (0 for one).</summary>
    private static (Tensor Divisor, Tensor Spread) Spread(Tensor spread, Tensor window)
    {
        var constant = spread.le(window.abs().amax([1], keepdim: true) * 1e-6f).logical_or(spread.isfinite().logical_not());
        return (spread.masked_fill(constant, 1f), spread.masked_fill(constant, 0f));
    }

    /// <summary>The value one seasonal period before each forecast step: window[lookback − period + (step mod period)].</summary>
    private Tensor SeasonalNaive(Tensor window)
    {
        long lookback = window.shape[1];
        var positions = new long[_horizon];
        for (int step = 0; step < _horizon; step++)
            positions[step] = lookback - _period + step % _period;
        using var index = tensor(positions, device: window.device);
        return window.index_select(1, index);
    }

    /// <summary>The same computation as <see cref="forward"/> in an ONNX graph (opset 9 operators), around the network's own export.</summary>
    public string ExportOnnx(OnnxGraph graph, string rows, int inputSize)
    {
        if (network is not IOnnxModule exportable)
            throw new NotSupportedException($"The {graph.Owner} cannot be exported to ONNX: its module {network.GetType().Name} has no ONNX form. Score it with the {graph.Owner} itself.");
        long lookback = _layout?.Lookback ?? inputSize;
        string encoded = rows;
        if (_layout is not null)
            rows = graph.Gather(rows, 1, Positions(0, lookback));
        // Log scaling: the same computation on the window's logarithms (the scorer refuses non-positive windows before the graph runs).
        if (_scaling == SeriesScaling.Log)
            rows = graph.Op("Log", rows);
        string last = graph.Gather(rows, 1, lookback - 1);
        string zeros = graph.Mul(last, graph.Float(0f, "zero"));
        string level, spread, inputs;
        switch (_scaling)
        {
            case SeriesScaling.None:
                (level, spread, inputs) = (zeros, graph.Add(zeros, graph.Float(1f, "one")), rows);
                break;
            case SeriesScaling.Differences:
                level = last;
                string changes = graph.Sub(graph.Gather(rows, 1, Positions(1, lookback - 1)), graph.Gather(rows, 1, Positions(0, lookback - 1)));
                (string divisor, spread) = OnnxSpread(graph, graph.Op("Sqrt", Mean(graph, graph.Mul(changes, changes))), rows);
                inputs = graph.Concat(1, zeros, graph.Div(changes, divisor));
                break;
            default:
                string mean = Mean(graph, rows);
                level = _scaling == SeriesScaling.WindowMean ? mean : last;
                string deviation = graph.Sub(rows, mean);
                (string safeSpread, spread) = OnnxSpread(graph, graph.Op("Sqrt", Mean(graph, graph.Mul(deviation, deviation))), rows);
                inputs = graph.Div(graph.Sub(rows, level), safeSpread);
                break;
        }
        string baseline = _period > 0
            ? graph.Gather(rows, 1, Enumerable.Range(0, _horizon).Select(step => lookback - _period + step % _period).ToArray())
            : graph.Mul(level, graph.Floats(Enumerable.Repeat(1f, _horizon).ToArray(), [1, _horizon], "ones"));
        int networkWidth = inputSize;
        if (_layout is not null)
        {
            string? embedded = series is null ? null
                : graph.Gather(graph.Weights(series.weight!, "series_embedding"), _layout.ExportSeriesKeys(graph, encoded), 0);
            inputs = _layout.ExportSequence(graph, encoded, inputs, covariates!.ExportOnnx(graph, encoded), embedded);
            networkWidth = _layout.SequenceWidth;
        }
        return graph.Concat(1, exportable.ExportOnnx(graph, inputs, networkWidth), baseline, spread);
    }

    /// <summary>The indices start, start + 1, …, start + count − 1, for ONNX Gather nodes.</summary>
    internal static long[] Positions(long start, long count) => Enumerable.Range((int)start, (int)count).Select(i => (long)i).ToArray();

    private static string Mean(OnnxGraph graph, string input) => graph.Op("ReduceMean", input, ("axes", new[] { 1L }), ("keepdims", 1L));

    /// <summary><see cref="Spread"/> in an ONNX graph.</summary>
    private static (string Divisor, string Spread) OnnxSpread(OnnxGraph graph, string spread, string window)
    {
        string threshold = graph.Mul(graph.Op("ReduceMax", graph.Op("Abs", window), ("axes", new[] { 1L }), ("keepdims", 1L)), graph.Float(1e-6f, "precision"));
        string constant = graph.Op("Not", graph.Op("Greater", [spread, threshold]));
        return (graph.Where(constant, graph.Float(1f, "one"), spread), graph.Where(constant, graph.Float(0f, "zero"), spread));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            network.Dispose();
            covariates?.Dispose();
            series?.Dispose();
        }
        base.Dispose(disposing);
    }
}
