using System;

namespace MLDeepExtensions.Samples;

/// <summary>What the autoencoder anomaly detector outputs for one image.</summary>
public sealed class ModelOutput
{
    /// <summary>The anomaly score: the mean squared reconstruction error over the 784 pixels.</summary>
    public float Score { get; set; }

    /// <summary>True when Score is above the detector's threshold.</summary>
    public bool PredictedLabel { get; set; }

    /// <summary>The image as the autoencoder rebuilt it from its 32-number embedding.</summary>
    public float[] Reconstruction { get; set; } = Array.Empty<float>();
}
