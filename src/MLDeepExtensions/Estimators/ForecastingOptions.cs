using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions;

/// <summary>
/// Everything that configures a forecasting network: the window and target columns (as
/// <see cref="ForecastingNetworkCatalog.CreateForecastingWindows(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, string, int, int, string, string, string?)"/> writes them), the network, how each window is scaled inside
/// it, the seasonal period, the quantiles of the prediction interval, and (from <see cref="NetworkTrainingOptions"/>) the
/// optimizer and training controls. The defaults are a recipe measured on real series (README, "Forecasting").
/// </summary>
public sealed record ForecastingOptions : NetworkTrainingOptions
{
    /// <summary>Sets the forecasting defaults of the inherited training settings: <see cref="NetworkTrainingOptions.Epochs"/> 100, <see cref="NetworkTrainingOptions.BatchSize"/> 32, Adam with a cosine schedule.</summary>
    public ForecastingOptions()
    {
        Epochs = DeepNetworkDefaults.ForecastingEpochs;
        BatchSize = DeepNetworkDefaults.ForecastingBatchSize;
        Optimizer = OptimizerSettings.Adam() with { Schedule = LearningRateSchedule.Cosine() };
    }

    /// <summary>
    /// The target column: the next value (Single) or the next <c>horizon</c> values (a known-size Single vector) after each
    /// window, in the series' own units. Default: "Label".
    /// </summary>
    public string LabelColumnName { get; set; } = DeepNetworkDefaults.LabelColumnName;

    /// <summary>The output column of point forecasts (the median when <see cref="Quantiles"/> are set, else the mean); a Single or a vector like the label. Default: "Forecast".</summary>
    public string ForecastColumnName { get; set; } = DeepNetworkDefaults.ForecastColumnName;

    /// <summary>The output column of the lowest quantile (the interval's lower bound), like the label. Default: "LowerBound".</summary>
    public string LowerBoundColumnName { get; set; } = DeepNetworkDefaults.LowerBoundColumnName;

    /// <summary>The output column of the highest quantile (the interval's upper bound), like the label. Default: "UpperBound".</summary>
    public string UpperBoundColumnName { get; set; } = DeepNetworkDefaults.UpperBoundColumnName;

    /// <summary>
    /// The network that maps a scaled window to its scaled forecasts: <see cref="MlpArchitecture"/> (its
    /// <see cref="MlpArchitecture.StandardizeInputs"/> is not used: <see cref="Scaling"/> replaces it),
    /// <see cref="RnnArchitecture"/> or <see cref="TransformerArchitecture"/> (a window of lookback × 1 steps) or your own module (<see cref="CustomArchitecture"/>,
    /// which receives the scaled window). Default: an MLP with hidden layers 128, 128 (ReLU) and dropout 0.2.
    /// </summary>
    public NetworkArchitecture Architecture { get; set; } = new MlpArchitecture(128, 128) { Dropout = 0.2f };

    /// <summary>
    /// How each window is scaled inside the network and the forecasts scaled back; <see cref="SeriesScaling.Log"/> for
    /// positive series whose seasonal swing grows with their level. Default: <see cref="SeriesScaling.LastValue"/>.
    /// </summary>
    public SeriesScaling Scaling { get; set; } = DeepNetworkDefaults.ForecastingScaling;

    /// <summary>
    /// A seasonal period in steps (12 for monthly data with a yearly pattern, 4 for quarterly, 7 for daily with a weekly
    /// one), at most the window's length, whose seasonal-naive forecast (the value one period earlier) becomes the
    /// baseline the network forecasts the difference from; 0 for the window's level. Measured on real series (README,
    /// "Forecasting"), it helps noisy seasonal series and hurts smooth ones, where the network learns the season from
    /// the window better itself: try it on your validation tail. The window should hold two or three periods either way.
    /// Default: 0.
    /// </summary>
    public int SeasonalPeriod { get; set; }

    /// <summary>
    /// The quantiles the network forecasts, each in (0, 1), strictly increasing, one of them 0.5 (the point forecast):
    /// it trains with the pinball (quantile) loss, and the lowest and highest quantiles become the lower and upper
    /// bounds, an interval that should hold the actual value (highest − lowest) of the time. An empty list trains a mean
    /// forecast with the squared error and adds no bound columns. Default: 0.1, 0.5, 0.9 (an 80% interval).
    /// </summary>
    public IReadOnlyList<float> Quantiles { get; set; } = [DeepNetworkDefaults.LowerQuantile, 0.5f, DeepNetworkDefaults.UpperQuantile];

    /// <summary>
    /// Whether the interval is calibrated after training on the validation windows (split-conformal), so that on new
    /// windows it holds about its nominal share ((highest − lowest quantile), e.g. 80%) of the actual values; the
    /// pinball-trained quantiles alone tend to be too narrow. <see cref="IntervalCalibration.Auto"/> calibrates when the
    /// fit has validation windows (<see cref="NetworkTrainingOptions.ValidationData"/>, best a time-ordered tail from
    /// <see cref="ForecastingNetworkCatalog.CreateForecastingSplit(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, string, int, int, int, int, string, string, string?)"/> with a validationCount, or
    /// <see cref="NetworkTrainingOptions.ValidationFraction"/>, whose randomly held-out windows overlap the training ones
    /// and calibrate less honestly) and <see cref="Quantiles"/> give an interval; <see cref="IntervalCalibration.Conformal"/>
    /// requires both; <see cref="IntervalCalibration.ConformalPerSeries"/> also needs <see cref="SeriesIdColumnName"/>, and
    /// gives each series the offsets of its own validation windows. Without quantiles (a mean forecast) there is nothing to
    /// calibrate: Auto and None do nothing. Default: Auto.
    /// </summary>
    public IntervalCalibration Calibration { get; set; } = DeepNetworkDefaults.ForecastingCalibration;

    /// <summary>
    /// A key column naming each window's series (<c>mlContext.Transforms.Conversion.MapValueToKey</c> on the series id
    /// that <see cref="ForecastingWindowOptions.SeriesIdColumnName"/> puts on the windows) for one network trained on many
    /// series: the network learns an embedding of each series (<see cref="SeriesEmbeddingSize"/>) beside its window. A
    /// series unseen in training (the missing key) gets the embedding's reserved row, and forecasts from its window alone
    /// (cold start). Without it a network trained on many series' windows is global too, just without a per-series
    /// embedding. Default: null (none).
    /// </summary>
    public string? SeriesIdColumnName { get; set; }

    /// <summary>The size of the series embedding (<see cref="SeriesIdColumnName"/>); null for the rule categorical columns use (min(600, round(1.6 × (keys + 1)^0.56))). Default: null.</summary>
    public int? SeriesEmbeddingSize { get; set; }

    /// <summary>
    /// The windows' past-covariate column (<see cref="ForecastingWindowOptions.PastCovariateColumnNames"/>: lookback steps ×
    /// values per step), read beside the window: an MLP reads them concatenated, an RNN or a Transformer step by step.
    /// They are standardized with means and spreads measured on the training windows. Default: null (none).
    /// </summary>
    public string? PastCovariatesColumnName { get; set; }

    /// <summary>
    /// The windows' known-future-covariate column (<see cref="ForecastingWindowOptions.FutureCovariateColumnNames"/>:
    /// (lookback + horizon) steps × values per step): the network's sequence then runs on over the horizon, with these
    /// values (and a flag marking the future steps) on every step. Standardized like the past covariates. Default: null (none).
    /// </summary>
    public string? FutureCovariatesColumnName { get; set; }

    internal override void CheckOtherInputColumns(Microsoft.ML.SchemaShape inputSchema)
    {
        if (SeriesIdColumnName is { } id)
            CategoricalInput.Check(inputSchema, id);
        foreach (var (name, what) in new[] { (PastCovariatesColumnName, "past covariate"), (FutureCovariatesColumnName, "future covariate") })
        {
            if (name is null)
                continue;
            if (!inputSchema.TryFindColumn(name, out var column))
                throw SchemaChecks.MissingColumn(what, name);
            if (column.Kind != Microsoft.ML.SchemaShape.Column.VectorKind.Vector || column.ItemType != Microsoft.ML.Data.NumberDataViewType.Single)
                throw SchemaChecks.Mismatch(what, name, "a known-size vector of Single", column.GetTypeString(), Data.NumericInput.WindowsFix);
        }
    }

    internal override NetworkArchitecture ResolveOtherInputColumns(NetworkArchitecture architecture, Microsoft.ML.DataViewSchema schema)
    {
        var label = SchemaChecks.FindLabelColumn(schema, LabelColumnName);
        int horizon = label.Type is Microsoft.ML.Data.VectorDataViewType vector ? vector.Size : 1;
        return ((ForecastArchitecture)architecture).ResolveInputs(schema, horizon);
    }

    internal override ForecastingOptions Snapshot() => this with { Callbacks = CopyOfCallbacks(), Quantiles = Quantiles?.ToArray()! };

    internal override NetworkArchitecture TrainedArchitecture => new ForecastArchitecture(Architecture, Scaling, SeasonalPeriod, System.Math.Max(1, Quantiles?.Count ?? 0))
    {
        Requested = new ForecastColumns(PastCovariatesColumnName, FutureCovariatesColumnName, SeriesIdColumnName, SeriesEmbeddingSize),
    };

    internal override HeadSpec CreateHead()
        => new ForecastHead.Spec(LabelColumnName, new ForecastColumnNames(ForecastColumnName, LowerBoundColumnName, UpperBoundColumnName), Quantiles, Calibration);

    private protected override void Validate(ValidationErrors errors)
    {
        CheckNames(errors, (nameof(LabelColumnName), LabelColumnName), (nameof(ForecastColumnName), ForecastColumnName),
            (nameof(LowerBoundColumnName), LowerBoundColumnName), (nameof(UpperBoundColumnName), UpperBoundColumnName));
        var inputs = new[] { (nameof(SeriesIdColumnName), SeriesIdColumnName), (nameof(PastCovariatesColumnName), PastCovariatesColumnName), (nameof(FutureCovariatesColumnName), FutureCovariatesColumnName) };
        CheckNames(errors, inputs.Where(input => input.Item2 is not null).ToArray());
        var taken = new[] { FeatureColumnName, LabelColumnName };
        foreach (var (option, name) in inputs)
        {
            if (name is not null && taken.Contains(name))
                errors.Add($"{option} is '{name}', the {(name == FeatureColumnName ? "feature" : "label")} column; it names a column of its own.");
        }
        var named = inputs.Where(input => input.Item2 is not null).ToArray();
        foreach (var group in named.GroupBy(input => input.Item2).Where(g => g.Count() > 1))
            errors.Add($"{string.Join(" and ", group.Select(input => input.Item1))} all name '{group.Key}'; each reads a column of its own.");
        if (SeriesEmbeddingSize is < 1)
            errors.Add($"{nameof(SeriesEmbeddingSize)} is {SeriesEmbeddingSize}; it must be ≥ 1, or null for the default rule.");
        else if (SeriesEmbeddingSize is not null && SeriesIdColumnName is null)
            errors.Add($"{nameof(SeriesEmbeddingSize)} is set but {nameof(SeriesIdColumnName)} is null; name the series key column, or leave the size null.");
        if (Architecture is null)
            errors.Add($"{nameof(Architecture)} is null; use e.g. new MlpArchitecture(64, 64) or new RnnArchitecture {{ Cell = RecurrentCell.Lstm }}.");
        else
            TrainedArchitecture.Validate(errors);
        base.Validate(errors);
        if (Quantiles is null)
            errors.Add($"{nameof(Quantiles)} is null; give e.g. [0.1f, 0.5f, 0.9f], or an empty list for a mean forecast without bounds.");
        else
            ForecastHead.CheckQuantiles(errors, nameof(Quantiles), Quantiles);
        bool conformal = Calibration is IntervalCalibration.Conformal or IntervalCalibration.ConformalPerSeries;
        if (!System.Enum.IsDefined(Calibration))
            errors.Add($"{nameof(Calibration)} is {(int)Calibration}; use IntervalCalibration.Auto, None, Conformal or ConformalPerSeries.");
        else if (conformal && Quantiles is { Count: < 2 })
            errors.Add($"{nameof(Calibration)} is {Calibration} but {nameof(Quantiles)} has {Quantiles.Count} value{(Quantiles.Count == 1 ? "" : "s")}: a forecast without an interval has nothing to calibrate. Give quantiles such as [0.1f, 0.5f, 0.9f], or set {nameof(Calibration)} to Auto or None.");
        else if (conformal && ValidationData is null && !(ValidationFraction > 0))
            errors.Add($"{ForecastHead.MissingValidation}");
        if (Calibration == IntervalCalibration.ConformalPerSeries && SeriesIdColumnName is null)
            errors.Add($"{nameof(Calibration)} is ConformalPerSeries but {nameof(SeriesIdColumnName)} is null: name the series key column (MapValueToKey on the windows' series id), or use Conformal for one set of offsets.");
    }
}
