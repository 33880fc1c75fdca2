using System.Collections.Generic;

namespace MLDeepExtensions;

/// <summary>
/// How well a multi-label classifier did (<see cref="MultiLabelClassificationCatalog.Evaluate"/>). Example weights, when
/// given, weigh every count.
/// </summary>
public sealed class MultiLabelMetrics
{
    internal MultiLabelMetrics()
    {
    }

    /// <summary>The share of (row, label) pairs predicted wrong, 0–1; lower is better.</summary>
    public double HammingLoss { get; init; }

    /// <summary>The share of rows whose every label is predicted right (exact match), 0–1.</summary>
    public double SubsetAccuracy { get; init; }

    /// <summary>F1 of the true and false positives and negatives counted over every label together.</summary>
    public double MicroF1 { get; init; }

    /// <summary>The mean of the labels' F1 scores (each label counts the same, however rare).</summary>
    public double MacroF1 { get; init; }

    /// <summary>The mean of the labels' areas under the ROC curve, over the labels with both positive and negative rows; NaN when none has.</summary>
    public double MacroAreaUnderRocCurve { get; init; }

    /// <summary>Binary cross entropy (natural log) averaged over rows and labels.</summary>
    public double LogLoss { get; init; }

    /// <summary>Each label's precision, recall, F1, AUC and positives, in label order.</summary>
    public IReadOnlyList<LabelMetrics> PerLabel { get; init; } = [];
}

/// <summary>One label's metrics in a <see cref="MultiLabelMetrics"/>.</summary>
/// <param name="Name">The label's slot name, or its index as text.</param>
/// <param name="Precision">True positives / predicted positives (0 when none is predicted).</param>
/// <param name="Recall">True positives / actual positives (0 when there is none).</param>
/// <param name="F1Score">The harmonic mean of precision and recall.</param>
/// <param name="AreaUnderRocCurve">The area under the ROC curve of the label's probability; NaN when its rows are all positive or all negative.</param>
/// <param name="Positives">The (weighted) count of rows with the label.</param>
public sealed record LabelMetrics(string Name, double Precision, double Recall, double F1Score, double AreaUnderRocCurve, double Positives);
