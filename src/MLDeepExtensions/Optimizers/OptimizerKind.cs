namespace MLDeepExtensions;

/// <summary>
/// The update rule that turns gradients into weight changes. Notation: w weights, g = ∇J(w) the mini-batch
/// gradient, λ the learning rate, μ the momentum, ρ a decay rate, ε a small constant, t the step number.
/// </summary>
public enum OptimizerKind
{
    /// <summary>
    /// Plain stochastic gradient descent: w ← w − λg. Sensible learning rate: 0.01–0.1 (default 0.01).
    /// </summary>
    Sgd = 0,

    /// <summary>
    /// Classical momentum, exactly the textbook rule: Δw ← μΔw − λg, w ← w + Δw (Δw starts at 0).
    /// Defaults: λ = 0.01, μ = 0.9. Built by <see cref="OptimizerSettings.SgdMomentum"/>.
    /// </summary>
    SgdMomentum,

    /// <summary>
    /// Nesterov accelerated gradient in the form of Bengio et al. (2012): Δw ← μΔw − λg, w ← w + μΔw − λg,
    /// which evaluates the gradient at the look-ahead point. Defaults: λ = 0.01, μ = 0.9.
    /// </summary>
    Nesterov,

    /// <summary>
    /// ADADELTA (Zeiler, 2012): E[g²] ← ρE[g²] + (1−ρ)g²; Δ = −√(E[Δ²]+ε)/√(E[g²]+ε)·g;
    /// E[Δ²] ← ρE[Δ²] + (1−ρ)Δ²; w ← w + λΔ. Needs no tuning of λ. Defaults: λ = 1, ρ = 0.9, ε = 1e-6.
    /// </summary>
    Adadelta,

    /// <summary>
    /// RMSProp (Hinton, 2012): E[g²] ← ρE[g²] + (1−ρ)g²; w ← w − λg/(√E[g²] + ε).
    /// Defaults: λ = 0.001, ρ = 0.9, ε = 1e-8. (ρ is called alpha in PyTorch.) With momentum μ &gt; 0 it follows
    /// PyTorch: b ← μb + g/(√E[g²] + ε), w ← w − λb.
    /// </summary>
    RmsProp,

    /// <summary>
    /// Adam (Kingma &amp; Ba, 2015): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; m̂ = m/(1−β₁ᵗ); v̂ = v/(1−β₂ᵗ);
    /// w ← w − λm̂/(√v̂ + ε). The robust default. Defaults: λ = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    /// </summary>
    Adam,

    /// <summary>
    /// AdamW (Loshchilov &amp; Hutter, 2019): Adam with decoupled weight decay, w ← w − λ·decay·w before the
    /// Adam step. Defaults: λ = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, weight decay 0.01.
    /// </summary>
    AdamW,
}
