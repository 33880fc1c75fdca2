using System;

namespace MLDeepExtensions.Samples;

/// <summary>What the model predicts for one image.</summary>
public sealed class ModelOutput
{
    /// <summary>The most probable class name.</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>The probability of each class, in the order of the Score column's slot names.</summary>
    public float[] Score { get; set; } = Array.Empty<float>();
}
