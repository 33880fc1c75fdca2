namespace MLDeepExtensions;

/// <summary>The non-linearity applied after each hidden layer.</summary>
public enum Activation
{
    /// <summary>max(0, x). The usual first choice.</summary>
    ReLU = 0,

    /// <summary>max(0.01·x, x): like ReLU but lets a small gradient through for negative inputs.</summary>
    LeakyReLU,

    /// <summary>x·Φ(x), the Gaussian error linear unit used by transformers.</summary>
    GELU,

    /// <summary>The hyperbolic tangent, output in (−1, 1).</summary>
    Tanh,

    /// <summary>The logistic function, output in (0, 1).</summary>
    Sigmoid,

    /// <summary>x for x &gt; 0, else exp(x) − 1 (exponential linear unit, α = 1).</summary>
    ELU,
}
