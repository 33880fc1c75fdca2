using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>One penguin as the model reads it; the column names are those of the cleaned DataFrame.</summary>
public sealed class ModelInput
{
    /// <summary>Adelie, Chinstrap or Gentoo.</summary>
    [ColumnName("species")]
    public string Species { get; set; } = "";

    /// <summary>Biscoe, Dream or Torgersen.</summary>
    [ColumnName("island")]
    public string Island { get; set; } = "";

    /// <summary>female, male or unknown.</summary>
    [ColumnName("sex")]
    public string Sex { get; set; } = "";

    /// <summary>Bill (culmen) length in millimetres.</summary>
    [ColumnName("bill_length_mm")]
    public float BillLength { get; set; }

    /// <summary>Bill (culmen) depth in millimetres.</summary>
    [ColumnName("bill_depth_mm")]
    public float BillDepth { get; set; }

    /// <summary>Flipper length in millimetres.</summary>
    [ColumnName("flipper_length_mm")]
    public float FlipperLength { get; set; }

    /// <summary>Derived: bill length / bill depth.</summary>
    [ColumnName("bill_ratio")]
    public float BillRatio { get; set; }

    /// <summary>The label, body mass in kilograms (not needed when predicting).</summary>
    [ColumnName("body_mass_kg")]
    public float BodyMassKg { get; set; }
}
