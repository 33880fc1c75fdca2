using System;

namespace MLDeepExtensions.Tests.Optimizers;

/// <summary>One hand-written optimizer step: updates w in place from the gradient g at w, at step t (from 1) with rate lr.</summary>
internal delegate void HandStep(double[] w, double[] g, int t, double lr);

/// <summary>
/// The published update rules written out in double precision, one closure per run (it keeps the rule's state).
/// Weight decay wd is the L2 term added to the gradient, except in AdamW's decoupled form.
/// </summary>
internal static class HandRules
{
    // w ← w − λ(g + wd·w).
    public static HandStep Sgd(double wd) => (w, g, t, lr) =>
    {
        for (int i = 0; i < w.Length; i++)
            w[i] -= lr * (g[i] + wd * w[i]);
    };

    // Δw ← μΔw − λg, w ← w + Δw, with g including the L2 term wd·w.
    public static HandStep Momentum(double mu, double wd)
    {
        double[]? dw = null;
        return (w, g, t, lr) =>
        {
            dw ??= new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                double gi = g[i] + wd * w[i];
                dw[i] = mu * dw[i] - lr * gi;
                w[i] += dw[i];
            }
        };
    }

    // Bengio et al. (2012): Δw ← μΔw − λg, w ← w + μΔw − λg.
    public static HandStep Nesterov(double mu, double wd)
    {
        double[]? dw = null;
        return (w, g, t, lr) =>
        {
            dw ??= new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                double gi = g[i] + wd * w[i];
                dw[i] = mu * dw[i] - lr * gi;
                w[i] += mu * dw[i] - lr * gi;
            }
        };
    }

    // PyTorch's SGD momentum: v ← μv + g, w ← w − λv (Nesterov: w ← w − λ(g + μv)).
    public static HandStep PyTorchMomentum(double mu, bool nesterov)
    {
        double[]? v = null;
        return (w, g, t, lr) =>
        {
            v ??= new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                v[i] = mu * v[i] + g[i];
                w[i] -= lr * (nesterov ? g[i] + mu * v[i] : v[i]);
            }
        };
    }

    // Zeiler (2012): E[g²] ← ρE[g²] + (1−ρ)g²; Δ = −√(E[Δ²]+ε)/√(E[g²]+ε)·g; E[Δ²] ← ρE[Δ²] + (1−ρ)Δ²; w ← w + λΔ.
    public static HandStep Adadelta(double rho, double eps, double wd)
    {
        double[]? g2 = null;
        double[]? d2 = null;
        return (w, g, t, lr) =>
        {
            g2 ??= new double[w.Length];
            d2 ??= new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                double gi = g[i] + wd * w[i];
                g2[i] = rho * g2[i] + (1 - rho) * gi * gi;
                double delta = -Math.Sqrt(d2[i] + eps) / Math.Sqrt(g2[i] + eps) * gi;
                d2[i] = rho * d2[i] + (1 - rho) * delta * delta;
                w[i] += lr * delta;
            }
        };
    }

    // E[g²] ← ρE[g²] + (1−ρ)g²; b ← μb + g/(√E[g²] + ε); w ← w − λb. With μ = 0 this is the documented
    // w ← w − λg/(√E[g²] + ε); the kind's doc does not spell out momentum, so this is PyTorch's form of it.
    public static HandStep RmsProp(double rho, double eps, double mu, double wd)
    {
        double[]? g2 = null;
        double[]? b = null;
        return (w, g, t, lr) =>
        {
            g2 ??= new double[w.Length];
            b ??= new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                double gi = g[i] + wd * w[i];
                g2[i] = rho * g2[i] + (1 - rho) * gi * gi;
                b[i] = mu * b[i] + gi / (Math.Sqrt(g2[i]) + eps);
                w[i] -= lr * b[i];
            }
        };
    }

    // Kingma & Ba (2015) with bias correction; coupled L2 adds wd·w to g, decoupled (AdamW) first does w ← w − λ·wd·w.
    public static HandStep Adam(double beta1, double beta2, double eps, double wd, bool decoupled)
    {
        double[]? m = null;
        double[]? v = null;
        return (w, g, t, lr) =>
        {
            m ??= new double[w.Length];
            v ??= new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                double gi = decoupled ? g[i] : g[i] + wd * w[i];
                if (decoupled)
                    w[i] -= lr * wd * w[i];
                m[i] = beta1 * m[i] + (1 - beta1) * gi;
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
                double mHat = m[i] / (1 - Math.Pow(beta1, t));
                double vHat = v[i] / (1 - Math.Pow(beta2, t));
                w[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        };
    }
}
