namespace MLDeepExtensions.Samples;

/// <summary>What the model predicts for one penguin.</summary>
public sealed class ModelOutput
{
    /// <summary>The predicted body mass in kilograms.</summary>
    public float Score { get; set; }
}
