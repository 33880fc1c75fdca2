namespace MLDeepExtensions;

/// <summary>
/// Every default of the deep-network estimator, defined once and used by both the catalog methods and the options.
/// </summary>
internal static class DeepNetworkDefaults
{
    public const string LabelColumnName = "Label";
    public const string FeatureColumnName = "Features";
    public const string ScoreColumnName = "Score";
    public const string ProbabilityColumnName = "Probability";
    public const string PredictedLabelColumnName = "PredictedLabel";
    public const string EmbeddingColumnName = "Embedding";
    public const string ReconstructionColumnName = "Reconstruction";
    public const double ThresholdQuantile = 0.95;
    public const int Epochs = 10;
    public const int BatchSize = 128;
    public const int ScoringBatchSize = 1024;
    public const int ConvolutionalCpuScoringBatchSize = 128;
    public const bool Shuffle = true;
    public const float ValidationFraction = 0f;
    public const bool StandardizeLabel = true;

    public const string IndexColumnName = "Index";
    public const string PastCovariatesColumnName = "PastCovariates";
    public const string FutureCovariatesColumnName = "FutureCovariates";
    public const string ForecastColumnName = "Forecast";
    public const string LowerBoundColumnName = "LowerBound";
    public const string UpperBoundColumnName = "UpperBound";
    public const float LowerQuantile = 0.1f;
    public const float UpperQuantile = 0.9f;
    public const int ForecastingEpochs = 100;
    public const int ForecastingBatchSize = 32;
    public const SeriesScaling ForecastingScaling = SeriesScaling.LastValue;

    public const IntervalCalibration ForecastingCalibration = IntervalCalibration.Auto;

    public const int EarlyStoppingPatience = 5;
    public const double EarlyStoppingMinDelta = 0;
}
