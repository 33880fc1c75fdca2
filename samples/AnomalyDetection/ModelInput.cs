using System;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>One image as the anomaly detector reads it; Label and ClassName are only used to evaluate it.</summary>
public sealed class ModelInput
{
    /// <summary>The Fashion-MNIST class name, e.g. "Sneaker".</summary>
    public string ClassName { get; set; } = "";

    /// <summary>1 for an anomaly (any class but the normal one), 0 for a normal image; what ML.NET's evaluator reads.</summary>
    public float Label { get; set; }

    /// <summary>28×28 pixel values, row by row, in [0, 1].</summary>
    [VectorType(FashionMnist.PixelCount)]
    public float[] Pixels { get; set; } = Array.Empty<float>();

    /// <summary>The model input for one loaded image, labelled against the normal class.</summary>
    public static ModelInput From(FashionImage image, string normalClass)
        => new() { ClassName = image.Label, Label = image.Label == normalClass ? 0f : 1f, Pixels = image.Pixels };
}
