using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Onnx;
using MLDeepExtensions.Persistence;
using MLDeepExtensions.Training;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>The column names a forecaster writes.</summary>
internal readonly record struct ForecastColumnNames(string Forecast, string LowerBound, string UpperBound);

/// <summary>
/// Forecasting the next <see cref="Horizon"/> values of a series from a window of past ones: the label is the future
/// values, the loss the pinball loss of each quantile (or the squared error of a mean forecast) in the window's own
/// scale, and the outputs Forecast (the median or mean), LowerBound and UpperBound (the lowest and highest quantiles),
/// each a Single for one step or a vector of <see cref="Horizon"/> values. The network must be a
/// <see cref="ForecastArchitecture"/>, whose module returns scaled outputs with their baseline and spread.
/// </summary>
/// <remarks>
/// Model-file fields, version 2: label column name; Forecast, LowerBound and UpperBound column names; horizon;
/// vector-label flag; quantile count, then the quantiles (float); calibrated flag, then (when set) one interval offset
/// per step (float, in the windows' scale). Version 3, written only for a <see cref="SeriesScaling.Log"/> network (so
/// that older readers refuse it rather than forecast in log units), adds after those a flag: the outputs are
/// logarithms, scored as their exponentials. Version 4, written only for an interval calibrated per series (so that
/// older readers refuse it rather than apply one series' offsets to all), has the layout of version 2, then the log flag
/// (either value), the count of offset rows (the series key's keys + 1; row 0 the offsets of all series together, for
/// the missing key) and the offsets of rows 1 onwards (horizon floats each). Version 1 (0.1.0, 0.2.0 previews) ends
/// after the quantiles: no offsets.
/// </remarks>
internal sealed class ForecastHead : NetworkHead
{
    internal const string RegisteredName = "forecast";
    private const int CurrentVersion = 4;

    /// <summary>The version written for a log-scaled network whose interval is not calibrated per series.</summary>
    private const int LogVersion = 3;

    /// <summary>The version written for every network but a log-scaled one: their files are as before log scaling, for the readers before it.</summary>
    private const int LinearVersion = 2;

    /// <summary>The longest horizon a model file may claim (horizon × quantiles is the network's output size, an int).</summary>
    private const int MaxHorizon = 1 << 20;

    private readonly ForecastColumnNames _names;
    private readonly float[] _quantiles;
    private readonly float[]? _offsets;
    private readonly int _offsetRows;
    private readonly IntervalCalibration _calibration;
    private readonly bool _logValues;

    /// <summary>
    /// The network, for the length of the window at the start of each encoded row (the rest, covariates and the series
    /// key, is not log-scaled): set when the head is resolved for a fit or checked against a loaded network.
    /// </summary>
    private ForecastArchitecture? _window;

    /// <param name="labelColumnName">The target column.</param>
    /// <param name="names">The output column names.</param>
    /// <param name="horizon">Steps forecast at once.</param>
    /// <param name="vectorLabel">Whether the label and outputs are vectors.</param>
    /// <param name="quantiles">The quantiles, increasing; empty for a mean forecast.</param>
    /// <param name="calibration">How <see cref="Complete"/> calibrates the interval (a fit's setting; a loaded head's is None).</param>
    /// <param name="offsets">Each step's conformal interval offset in the windows' scale, or null when not calibrated; calibrated per series, one row of steps per series key (row 0: all series together).</param>
    /// <param name="logValues">Whether the network works on logarithms (<see cref="SeriesScaling.Log"/>): targets are compared as logarithms and outputs scored as exponentials.</param>
    public ForecastHead(string labelColumnName, ForecastColumnNames names, int horizon, bool vectorLabel, IReadOnlyList<float> quantiles,
        IntervalCalibration calibration = IntervalCalibration.None, float[]? offsets = null, bool logValues = false)
    {
        _logValues = logValues;
        _offsets = offsets;
        _offsetRows = offsets is null ? 0 : offsets.Length / horizon;
        _calibration = calibration;
        LabelColumnName = labelColumnName;
        _names = names;
        Horizon = horizon;
        VectorLabel = vectorLabel;
        _quantiles = quantiles.ToArray();
        Columns = Describe(names, vectorLabel, horizon, _quantiles.Length > 0);
        Label = new NumericLabel(labelColumnName, weightColumnName: null, horizon, vectorLabel);
    }

    public override string Name => RegisteredName;

    public override int Version => _offsetRows > 1 ? CurrentVersion : _logValues ? LogVersion : LinearVersion;

    /// <summary>Whether the network works on logarithms (<see cref="SeriesScaling.Log"/>).</summary>
    public bool LogValues => _logValues;

    public string LabelColumnName { get; }

    /// <summary>Steps forecast at once.</summary>
    public int Horizon { get; }

    /// <summary>Whether the label and outputs are vectors (else a Single: one step).</summary>
    public bool VectorLabel { get; }

    /// <summary>The quantiles forecast, increasing; empty for a mean forecast.</summary>
    public IReadOnlyList<float> Quantiles => _quantiles;

    /// <summary>Each step's conformal offset of the bounds, in the windows' scale (times a window's spread in its units), or null when the interval is not calibrated.</summary>
    public IReadOnlyList<float>? IntervalOffsets => _offsets?[..Horizon];

    /// <summary>Whether the interval was calibrated per series: one row of offsets per series key.</summary>
    public bool CalibratedPerSeries => _offsetRows > 1;

    /// <summary>The offsets of series key <paramref name="key"/> (0: all series together), or null when not calibrated per series.</summary>
    public IReadOnlyList<float>? SeriesIntervalOffsets(int key) => _offsetRows > 1 && key >= 0 && key < _offsetRows ? _offsets![(key * Horizon)..((key + 1) * Horizon)] : null;

    public override IReadOnlyList<OutputColumn> Columns { get; }

    public override LabelSource Label { get; }

    private int QuantileCount => Math.Max(1, _quantiles.Length);

    private static OutputColumn[] Describe(ForecastColumnNames names, bool vector, int horizon, bool bounds)
    {
        OutputColumn Column(string name) => vector ? new(name, OutputKind.Vector, horizon) : new(name, OutputKind.Single, 1);
        return bounds ? [Column(names.Forecast), Column(names.LowerBound), Column(names.UpperBound)] : [Column(names.Forecast)];
    }

    /// <summary>Adds a message when <paramref name="quantiles"/> are not increasing values in (0, 1) with 0.5 among them.</summary>
    internal static void CheckQuantiles(ValidationErrors errors, string option, IReadOnlyList<float> quantiles)
    {
        if (quantiles.Count == 0)
            return;
        string seen = string.Join(", ", quantiles.Select(q => q.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (quantiles.Any(q => !(q > 0 && q < 1)))
            errors.Add($"{option} are [{seen}]; every quantile must lie strictly between 0 and 1, e.g. [0.1, 0.5, 0.9] for an 80% interval.");
        else if (quantiles.Zip(quantiles.Skip(1)).Any(pair => pair.Second <= pair.First))
            errors.Add($"{option} are [{seen}]; list them in increasing order without repeats, e.g. [0.1, 0.5, 0.9].");
        else if (!quantiles.Contains(0.5f))
            errors.Add($"{option} are [{seen}]; include 0.5, the median, which is the point forecast (or give an empty list for a mean forecast without bounds).");
        if (quantiles.Count > 99)
            errors.Add($"{option} has {quantiles.Count} quantiles; give at most 99.");
    }

    public override int NetworkOutputSize(int inputSize) => Horizon * QuantileCount;

    // The quantiles in the invariant culture: a file saved under one culture must check and describe the same under another.
    public override string ChecksummedFields()
        => FormattableString.Invariant($"{LabelColumnName}|{_names.Forecast}|{_names.LowerBound}|{_names.UpperBound}|{Horizon}|{VectorLabel}|") + List(",") +
           (_offsets is null ? "" : "|offsets " + string.Join(",", _offsets.Select(o => o.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))) +
           (_logValues ? "|log" : "");

    public override string Describe()
        => FormattableString.Invariant($"forecasting {Horizon} step{(Horizon == 1 ? "" : "s")}, ") + (_quantiles.Length == 0 ? "mean" : "quantiles " + List(", "));

    private string List(string separator) => string.Join(separator, _quantiles.Select(q => q.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

    public override void CheckArchitecture(NetworkArchitecture architecture)
    {
        if (architecture is not ForecastArchitecture forecast)
            throw ModelFileErrors.Corrupt("a forecasting model holds a network that is not a forecasting one.");
        _window = forecast;
        if (forecast.QuantileCount != QuantileCount)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"the forecasting network has {forecast.QuantileCount} quantile outputs, its head {QuantileCount}."));
        if (_offsetRows > 1 && forecast.SeriesKey?.KeyCount + 1 != _offsetRows)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"the interval is calibrated for {_offsetRows - 1} series but the network embeds {forecast.SeriesKey?.KeyCount ?? 0}."));
        if (forecast.Future is { } future && future.Steps != forecast.Lookback + Horizon)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"the forecasting network's known-future covariates span {future.Steps} steps, not its lookback and horizon ({forecast.Lookback} + {Horizon})."));
        if ((forecast.Scaling == SeriesScaling.Log) != _logValues)
            throw ModelFileErrors.Corrupt($"the forecasting network's scaling is {forecast.Scaling} but its head {(_logValues ? "takes exponentials" : "does not take exponentials")} of its outputs.");
    }

    public override HeadLoss CreateLoss(Device device) => new ForecastLoss(Label, _quantiles, Horizon, device, _logValues);

    public override IReadOnlyList<MetricDefinition> Metrics => ForecastMetrics.Definitions(_quantiles);

    public override MetricAccumulator CreateMetrics() => new ForecastMetrics(Label, Horizon, _quantiles, _logValues);

    public override Tensor Score(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = module.forward(input);
        long rows = output.shape[0];
        int quantiles = QuantileCount;
        var (scaled, baseline, spread) = ForecastModule.Split(output, Horizon);
        var values = baseline.unsqueeze(1) + spread.unsqueeze(2) * scaled;
        if (quantiles == 1)
            return ToSeries(values.view(rows, Horizon)).MoveToOuterDisposeScope();
        // Quantile forecasts can cross; sorting them (monotone rearrangement) never makes any of them worse.
        values = values.sort(1).Values;
        int median = Array.IndexOf(_quantiles, 0.5f);
        Tensor middle = values.select(1, median), lower = values.select(1, 0), upper = values.select(1, quantiles - 1);
        if (_offsets is not null)
        {
            // Conformal offsets, in each window's scale; a negative one never moves a bound past the median. Calibrated per
            // series, each row takes its series' offsets (row 0, all series together, for a series unseen in training).
            var offsets = tensor(_offsets, device: output.device).view(_offsetRows, Horizon);
            var widen = spread * (_offsetRows > 1 ? offsets.index_select(0, SeriesKeys(input).clamp(0, _offsetRows - 1)) : offsets);
            (lower, upper) = (minimum(lower - widen, middle), maximum(upper + widen, middle));
        }
        // Log scaling: the exponential last, after the offsets (in the scaled log space they were measured in); it is
        // increasing, so the bounds stay ordered around the forecast.
        return ToSeries(cat([middle, lower, upper], 1)).MoveToOuterDisposeScope();
    }

    /// <summary>Each encoded row's series key (0 for the missing key).</summary>
    private Tensor SeriesKeys(Tensor input) => _window!.Layout(Horizon)!.SeriesKeys(input);

    /// <summary>Values in the network's space back in the series' units: their exponentials for a log-scaled network.</summary>
    private Tensor ToSeries(Tensor values) => _logValues ? values.exp() : values;

    /// <summary>
    /// For a <see cref="SeriesScaling.Log"/> network, throws when a training or validation window or target is not
    /// positive and finite: one pass before training, so that the training batches need no check (and no read) each.
    /// </summary>
    public override void CheckData(BatchSource training, BatchSource? validation, int batchSize, System.Threading.CancellationToken cancellation)
    {
        if (!_logValues)
            return;
        foreach (var source in validation is null ? [training] : new[] { training, validation })
        {
            source.ForEachInOrder(batchSize, (x, labels) =>
            {
                using var scope = NewDisposeScope();
                var rows = x.reshape(x.shape[0], -1);
                ForecastModule.Logarithms(rows.narrow(1, 0, WindowLength((int)rows.shape[1])), "window");
                ForecastModule.Logarithms(Label.Split(labels).Targets.reshape(x.shape[0], Horizon), "target (a value to forecast)");
            }, cancellation);
        }
    }

    /// <summary>
    /// Throws when a row of encoded windows cannot be scored: for a <see cref="SeriesScaling.Log"/> network, a value that is
    /// not positive and finite, whose logarithm would make the forecast NaN in either engine.
    /// </summary>
    public override void CheckInputs(ReadOnlySpan<float> rows, int inputSize)
    {
        if (!_logValues)
            return;
        int window = WindowLength(inputSize);
        for (int i = 0; i < rows.Length; i++)
        {
            if (i % inputSize < window && (!(rows[i] > 0) || float.IsPositiveInfinity(rows[i])))
                throw new ArgumentException(ForecastModule.NotPositive("window", rows[i], i % inputSize, window));
        }
    }

    private int WindowLength(int inputSize) => _window?.WindowLength(inputSize) ?? inputSize;

    public override string[] ExportOnnx(OnnxGraph graph, nn.Module<Tensor, Tensor> module, string rows, int inputSize)
    {
        int quantiles = QuantileCount, width = quantiles * Horizon;
        if (quantiles > 1)
            graph.RequireOpset(10, "quantile forecasts (TopK sorts them)");
        string output = Exportable(graph, module).ExportOnnx(graph, rows, inputSize);
        string scaled = graph.Reshape(graph.Gather(output, 1, ForecastModule.Positions(0, width)), -1, quantiles, Horizon);
        string baseline = graph.Unsqueeze(graph.Gather(output, 1, ForecastModule.Positions(width, Horizon)), 1);
        string spread = graph.Unsqueeze(graph.Gather(output, 1, ForecastModule.Positions(width + Horizon, 1)), 2);
        string values = graph.Add(baseline, graph.Mul(spread, scaled));
        if (quantiles == 1)
            return [OnnxToSeries(graph, graph.Reshape(values, -1, Horizon))];
        // TopK sorts the quantiles in descending order: ascending position j is descending position quantiles − 1 − j.
        string sorted = graph.Op("TopK", [values, graph.Int64s([quantiles], name: "k")], 2, ("axis", 1L))[0];
        int median = Array.IndexOf(_quantiles, 0.5f);
        string middle = graph.GatherAt(sorted, 1, quantiles - 1 - median), lower = graph.GatherAt(sorted, 1, quantiles - 1), upper = graph.GatherAt(sorted, 1, 0);
        if (_offsets is not null)
        {
            string offsets = graph.Floats(_offsets, [_offsetRows, Horizon], "interval_offsets");
            if (_offsetRows > 1)
                offsets = graph.Gather(offsets, _window!.Layout(Horizon)!.ExportSeriesKeys(graph, rows), 0);
            string widen = graph.Mul(graph.Gather(output, 1, ForecastModule.Positions(width + Horizon, 1)), offsets);
            (lower, upper) = (graph.Op("Min", [graph.Sub(lower, widen), middle]), graph.Op("Max", [graph.Add(upper, widen), middle]));
        }
        return [OnnxToSeries(graph, middle), OnnxToSeries(graph, lower), OnnxToSeries(graph, upper)];
    }

    /// <summary><see cref="ToSeries"/> in an ONNX graph.</summary>
    private string OnnxToSeries(OnnxGraph graph, string values) => _logValues ? graph.Op("Exp", values) : values;

    private protected override void WriteFields(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(LabelColumnName);
        ctx.SaveNonEmptyString(_names.Forecast);
        ctx.SaveNonEmptyString(_names.LowerBound);
        ctx.SaveNonEmptyString(_names.UpperBound);
        ctx.Writer.Write(Horizon);
        ctx.Writer.Write(VectorLabel);
        ctx.Writer.Write(_quantiles.Length);
        foreach (float q in _quantiles)
            ctx.Writer.Write(q);
        ctx.Writer.Write(_offsets is not null);
        foreach (float offset in _offsets?[..Horizon] ?? [])
            ctx.Writer.Write(offset);
        if (_logValues || _offsetRows > 1)
            ctx.Writer.Write(_logValues);
        if (_offsetRows > 1)
        {
            ctx.Writer.Write(_offsetRows);
            foreach (float offset in _offsets![Horizon..])
                ctx.Writer.Write(offset);
        }
    }

    /// <summary>Reads the fields <see cref="WriteFields"/> writes.</summary>
    internal static ForecastHead ReadFields(ModelLoadContext ctx, int version)
    {
        if (version > CurrentVersion)
            throw Newer(RegisteredName, version, CurrentVersion);
        string label = ctx.LoadNonEmptyString();
        var names = new ForecastColumnNames(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
        int horizon = ctx.Reader.ReadInt32();
        bool vectorLabel = ctx.Reader.ReadBoolean();
        int count = ctx.Reader.ReadInt32();
        if (horizon is < 1 or > MaxHorizon || (horizon > 1 && !vectorLabel) || count is < 0 or > 99)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"forecast horizon {horizon} (vector: {vectorLabel}), {count} quantiles."));
        var quantiles = new float[count];
        for (int i = 0; i < count; i++)
            quantiles[i] = ctx.Reader.ReadSingle();
        var errors = new ValidationErrors();
        CheckQuantiles(errors, "The quantiles", quantiles);
        if (errors.Count > 0)
            throw ModelFileErrors.Corrupt(string.Join(" ", errors.Messages));
        float[]? offsets = null;
        if (version >= 2 && ctx.Reader.ReadBoolean())
        {
            if (count < 2 || (long)horizon * sizeof(float) > WeightReader.Remaining(ctx.Reader.BaseStream))
                throw ModelFileErrors.Corrupt(FormattableString.Invariant($"interval offsets for {horizon} steps and {count} quantiles."));
            offsets = new float[horizon];
            for (int i = 0; i < horizon; i++)
            {
                offsets[i] = ctx.Reader.ReadSingle();
                if (!float.IsFinite(offsets[i]))
                    throw ModelFileErrors.Corrupt(FormattableString.Invariant($"step {i + 1}'s interval offset is {offsets[i]}."));
            }
        }
        bool logValues = version >= 3 && ctx.Reader.ReadBoolean();
        if (version == 3 && !logValues)
            throw ModelFileErrors.Corrupt("a forecasting head of layout version 3 whose outputs are not logarithms.");
        if (version >= 4)
        {
            int rows = ctx.Reader.ReadInt32();
            if (offsets is null || rows < 2 || (long)(rows - 1) * horizon * sizeof(float) > WeightReader.Remaining(ctx.Reader.BaseStream))
                throw ModelFileErrors.Corrupt(FormattableString.Invariant($"interval offsets for {rows} series rows of {horizon} steps."));
            var all = new float[rows * horizon];
            offsets.CopyTo(all, 0);
            for (int i = horizon; i < all.Length; i++)
            {
                all[i] = ctx.Reader.ReadSingle();
                if (!float.IsFinite(all[i]))
                    throw ModelFileErrors.Corrupt(FormattableString.Invariant($"series {i / horizon}'s interval offset {i % horizon + 1} is {all[i]}."));
            }
            offsets = all;
        }
        return new ForecastHead(label, names, horizon, vectorLabel, quantiles, IntervalCalibration.None, offsets, logValues);
    }

    /// <summary>
    /// With conformal calibration (asked for, or Auto with validation windows and an interval), sets each step's interval
    /// offset from the validation windows (<see cref="ConformalOffsets"/>); logs which calibration the fit got.
    /// </summary>
    public override NetworkHead Complete(nn.Module<Tensor, Tensor> module, BatchSource training, BatchSource? validation, int batchSize, IChannel channel,
        System.Threading.CancellationToken cancellation)
    {
        if (_calibration == IntervalCalibration.None || _quantiles.Length < 2)
            return this;
        if (validation is null)
        {
            if (_calibration is IntervalCalibration.Conformal or IntervalCalibration.ConformalPerSeries)
                throw new ArgumentException(MissingValidation, "Calibration");
            channel.Info("Interval calibration: none (Calibration Auto without validation windows; set ValidationData or ValidationFraction to calibrate the bounds).");
            return this;
        }
        bool perSeries = _calibration == IntervalCalibration.ConformalPerSeries;
        var collector = new ConformalOffsets(Label, Horizon, _logValues);
        using (no_grad())
        {
            module.eval();
            validation.ForEachInOrder(batchSize, (x, labels) => collector.Add(module.forward(x), labels, perSeries ? SeriesKeys(x) : null), cancellation);
        }
        double coverage = Math.Round((double)_quantiles[^1] - _quantiles[0], 6);
        if (collector.Windows == 0)
        {
            channel.Warning("Interval calibration: none (every validation window is constant).");
            return this;
        }
        if (collector.Windows < ConformalOffsets.MinimumWindows(coverage))
            channel.Warning(FormattableString.Invariant($"Interval calibration: {collector.Windows} validation windows are too few for a {coverage:P0} interval's guarantee; the offsets are the largest scores. Give more validation windows."));
        var offsets = collector.Offsets(coverage);
        channel.Info(FormattableString.Invariant($"Interval calibration: conformal on {collector.Windows} validation windows for a {coverage:P0} interval; offsets per step (in the windows' scale): ") +
            string.Join(", ", offsets.Select(o => o.ToString("G4", System.Globalization.CultureInfo.InvariantCulture))) + ".");
        if (perSeries)
        {
            int keys = _window!.SeriesKey!.KeyCount;
            (offsets, int own) = collector.OffsetsBySeries(coverage, keys);
            channel.Info(FormattableString.Invariant($"Interval calibration per series: {own} of {keys} series have enough validation windows of their own ") +
                FormattableString.Invariant($"(at least {ConformalOffsets.MinimumWindows(coverage)} for a {coverage:P0} interval) and get their own offsets; the others, and series unseen in training, those above."));
        }
        return new ForecastHead(LabelColumnName, _names, Horizon, VectorLabel, _quantiles, _calibration, offsets, _logValues) { _window = _window };
    }

    /// <summary>The error for conformal calibration without validation windows.</summary>
    internal const string MissingValidation = "Calibration is Conformal but the fit has no validation windows to calibrate on. Set ValidationData (e.g. " +
        "mlContext.Data.CreateForecastingSplit(…, validationCount: n).Validation, a time-ordered tail) or ValidationFraction, or set Calibration to Auto or None.";

    /// <summary>The forecasting head a target column, output column names and quantiles ask for.</summary>
    internal sealed class Spec(string labelColumnName, ForecastColumnNames names, IReadOnlyList<float> quantiles, IntervalCalibration calibration) : HeadSpec
    {
        private readonly ForecastColumnNames _names = names;

        public override IEnumerable<SchemaShape.Column> OutputShape(SchemaShape inputSchema)
        {
            var label = SchemaChecks.FindLabelColumn(inputSchema, labelColumnName);
            TaskInfo.Resolve(DeepNetworkTask.Regression, label);
            bool vector = label.Kind == SchemaShape.Column.VectorKind.Vector;
            return Describe(_names, vector, 0, quantiles.Count > 0).Select(column => column.ToShape(null));
        }

        public override NetworkHead Resolve(DataViewSchema trainingSchema, NetworkArchitecture architecture, int inputSize)
        {
            var task = TaskInfo.Resolve(DeepNetworkTask.Regression, SchemaChecks.FindLabelColumn(trainingSchema, labelColumnName));
            bool log = architecture is ForecastArchitecture { Scaling: SeriesScaling.Log };
            return new ForecastHead(labelColumnName, _names, task.OutputSize, task.VectorLabel, quantiles, calibration, logValues: log) { _window = architecture as ForecastArchitecture };
        }

        public override void CheckValidationData(DataViewSchema validationSchema, NetworkHead head)
        {
            var task = TaskInfo.Resolve(DeepNetworkTask.Regression, SchemaChecks.FindLabelColumn(validationSchema, labelColumnName));
            if (task.OutputSize != ((ForecastHead)head).Horizon)
                throw SchemaChecks.Mismatch("label", labelColumnName, FormattableString.Invariant($"the training horizon ({((ForecastHead)head).Horizon} values)"),
                    FormattableString.Invariant($"{task.OutputSize} in the validation data"), "Build the validation windows with the same horizon.");
        }
    }
}
