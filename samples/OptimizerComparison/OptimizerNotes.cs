namespace MLDeepExtensions.Samples;

/// <summary>What each optimizer does differently, in one paragraph (the rules are in OptimizerKind's docs).</summary>
public static class OptimizerNotes
{
    /// <summary>The paragraph printed after the results.</summary>
    public const string Paragraph =
        "SGD steps straight down the current mini-batch gradient (w ← w − λg), so every weight moves by the same " +
        "multiple of a noisy gradient and shallow directions are crossed slowly. Momentum keeps a velocity " +
        "(Δw ← μΔw − λg, w ← w + Δw): gradients that keep their sign add up to about λ/(1−μ), ten times λ at μ = 0.9, " +
        "while oscillating ones cancel. Nesterov uses the same velocity but takes the gradient step from the " +
        "look-ahead point (w ← w + μΔw − λg), which brakes earlier when the velocity overshoots. Adadelta divides each " +
        "weight's gradient by the running RMS of its gradients and multiplies it by the running RMS of its past " +
        "updates, so steps have the units of the weights and λ = 1 needs no tuning. RMSProp keeps only the first " +
        "half of that: each weight's step is λg/√E[g²], large where gradients are small and steady, small where they " +
        "are large or noisy. Adam combines a momentum-like running mean of the gradients with RMSProp's per-weight " +
        "scaling and corrects both averages for their start at zero, which is why it is the robust default.";
}
