namespace MLDeepExtensions;

/// <summary>The kind of prediction a deep network makes, and so its loss and output columns.</summary>
public enum DeepNetworkTask
{
    /// <summary>
    /// Decide from the label column type: Key → <see cref="MulticlassClassification"/>, Boolean →
    /// <see cref="BinaryClassification"/>, Single or a known-size Single vector → <see cref="Regression"/>.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// One of K classes. Label: a Key column. Loss: cross entropy. Outputs <c>Score</c> (K class probabilities)
    /// and <c>PredictedLabel</c> (a key of the label's key type).
    /// </summary>
    MulticlassClassification,

    /// <summary>
    /// Two classes. Label: Boolean. Loss: binary cross entropy on a logit. Outputs <c>Score</c> (the logit),
    /// <c>Probability</c> and <c>PredictedLabel</c> (Boolean).
    /// </summary>
    BinaryClassification,

    /// <summary>
    /// Real-valued target. Label: Single, or a known-size Single vector for multi-output regression.
    /// Loss: mean squared error. Outputs <c>Score</c> (a Single, or a Single vector of the label's size).
    /// </summary>
    Regression,
}
