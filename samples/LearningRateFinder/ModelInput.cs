using System;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>One image as the model reads it: its class name (for training) and its 784 pixels.</summary>
public sealed class ModelInput
{
    /// <summary>The class name, e.g. "Sneaker"; may be empty when predicting.</summary>
    public string Label { get; set; } = "";

    /// <summary>28×28 pixel values, row by row, in [0, 1].</summary>
    [VectorType(FashionMnist.PixelCount)]
    public float[] Pixels { get; set; } = Array.Empty<float>();

    /// <summary>The model input for one loaded image.</summary>
    public static ModelInput From(FashionImage image) => new() { Label = image.Label, Pixels = image.Pixels };
}
