namespace MLDeepExtensions.Samples;

/// <summary>What the model predicts: next year's scaled sunspot number.</summary>
public sealed class ModelOutput
{
    /// <summary>The forecast, scaled as the inputs are; <see cref="SeriesScaling.Unscale"/> turns it into a sunspot number.</summary>
    public float Score { get; set; }
}

/// <summary>Standard scaling fitted on the training years only: (value − mean) / standard deviation.</summary>
/// <param name="Mean">Mean of the training years.</param>
/// <param name="StandardDeviation">Standard deviation of the training years.</param>
public sealed record SeriesScaling(float Mean, float StandardDeviation)
{
    /// <summary>A sunspot number → the network's scale.</summary>
    public float Scale(float value) => (value - Mean) / StandardDeviation;

    /// <summary>The network's scale → a sunspot number.</summary>
    public float Unscale(float value) => value * StandardDeviation + Mean;
}
