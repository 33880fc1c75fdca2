using System;
using System.Linq;

namespace MLDeepExtensions.Benchmarks.Forecasting;

/// <summary>The two reference forecasts that need no fitting (naive and seasonal-naive), and the held-out MASE every method is scored by.</summary>
internal static class ClassicalForecasts
{
    /// <summary>
    /// The MASE of forecasts of <paramref name="horizon"/> values from every origin after the first
    /// <paramref name="trainCount"/> values (each reading the history up to its origin; the last origin's forecast ends
    /// with the series), scaled by the training part's mean absolute change over one period (one step for 0 or 1), as in M4.
    /// </summary>
    public static double HeldOutMase(float[] values, int trainCount, int horizon, int period, Func<int, float[]> forecastAt)
    {
        period = Math.Max(1, period);
        double scale = Enumerable.Range(period, trainCount - period).Average(t => Math.Abs(values[t] - values[t - period]));
        return Enumerable.Range(trainCount, values.Length - trainCount - horizon + 1).Average(origin =>
        {
            var forecast = forecastAt(origin);
            return Enumerable.Range(0, horizon).Average(k => Math.Abs(values[origin + k] - forecast[k]));
        }) / scale;
    }

    /// <summary>The naive forecast: the last value of <paramref name="history"/>, repeated <paramref name="horizon"/> times.</summary>
    public static float[] Naive(ReadOnlySpan<float> history, int horizon)
    {
        if (history.IsEmpty)
            throw new ArgumentException("The history is empty.", nameof(history));
        var forecast = new float[horizon];
        Array.Fill(forecast, history[^1]);
        return forecast;
    }

    /// <summary>
    /// The seasonal-naive forecast: step <c>k</c> (from 0) is the value one period before it,
    /// <c>history[n - period + (k % period)]</c>. Falls back to <see cref="Naive"/> when the history is shorter than a period.
    /// </summary>
    public static float[] SeasonalNaive(ReadOnlySpan<float> history, int period, int horizon)
    {
        if (period < 1)
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be at least 1.");
        int n = history.Length;
        if (n < period)
            return Naive(history, horizon);
        var forecast = new float[horizon];
        for (int k = 0; k < horizon; k++)
            forecast[k] = history[n - period + (k % period)];
        return forecast;
    }
}

/// <summary>
/// An autoregression with intercept on the levels, <c>y[t] = c + a1 y[t-1] + … + ap y[t-p]</c>, fitted by least squares
/// in double precision (Householder QR, a tiny ridge on the lag coefficients); the order is chosen by AIC on a common effective sample.
/// </summary>
internal sealed class LeastSquaresAutoregression
{
    private readonly double[] _coefficients;

    private LeastSquaresAutoregression(double[] coefficients) => _coefficients = coefficients;

    /// <summary>The chosen order p: the number of past values each prediction uses.</summary>
    public int Order => _coefficients.Length - 1;

    /// <summary>The coefficients (a copy): the intercept c, then a1 … ap.</summary>
    public double[] Coefficients => (double[])_coefficients.Clone();

    /// <summary>
    /// Fits AR(p) for every p in 1..<paramref name="maxOrder"/> on the same rows (targets from index <c>maxOrder</c> on)
    /// and keeps the fit with the lowest AIC, <c>T ln(SSR / T) + 2 (p + 1)</c>. The maximum order is lowered to
    /// <c>(n - 2) / 2</c> when the series is too short for it.
    /// </summary>
    public static LeastSquaresAutoregression Fit(ReadOnlySpan<float> train, int maxOrder)
    {
        if (maxOrder < 1)
            throw new ArgumentOutOfRangeException(nameof(maxOrder), maxOrder, "The order must be at least 1.");
        int n = train.Length;
        if (n < 4)
            throw new ArgumentException("At least 4 values are needed.", nameof(train));
        maxOrder = Math.Min(maxOrder, (n - 2) / 2);
        // Centred values: the intercept absorbs the shift, and the least-squares problem is better conditioned.
        double mean = 0;
        foreach (float v in train)
            mean += v / (double)n;
        var y = new double[n];
        for (int t = 0; t < n; t++)
            y[t] = train[t] - mean;

        int rows = n - maxOrder;
        double[]? best = null;
        double bestAic = double.PositiveInfinity;
        for (int p = 1; p <= maxOrder; p++)
        {
            int k = p + 1;
            // Rows of [1, y[t-1], …, y[t-p] | y[t]], then p rows √λ I for a ridge on the lag coefficients (target 0).
            var a = new double[rows + p, k + 1];
            double trace = 0;
            for (int r = 0; r < rows; r++)
            {
                int t = maxOrder + r;
                a[r, 0] = 1;
                for (int j = 1; j < k; j++)
                {
                    a[r, j] = y[t - j];
                    trace += a[r, j] * a[r, j];
                }
                a[r, k] = y[t];
            }
            for (int j = 1; j < k; j++)
                a[rows + j - 1, j] = Math.Sqrt(1e-8 * trace / p); // λ = 1e-8 · (the lag columns' trace of XᵀX) / p
            var beta = SolveLeastSquares(a, k);
            double ssr = 0;
            for (int t = maxOrder; t < n; t++)
            {
                double e = y[t] - beta[0];
                for (int j = 1; j <= p; j++)
                    e -= beta[j] * y[t - j];
                ssr += e * e;
            }
            double aic = rows * Math.Log(Math.Max(ssr, double.Epsilon) / rows) + 2.0 * k;
            if (aic < bestAic)
            {
                bestAic = aic;
                double sum = 0;
                for (int j = 1; j <= p; j++)
                    sum += beta[j];
                beta[0] += mean * (1 - sum); // the intercept for the uncentred values
                best = beta;
            }
        }
        return new LeastSquaresAutoregression(best!);
    }

    /// <summary>Recursive multi-step forecast from the last <see cref="Order"/> values of <paramref name="history"/>.</summary>
    public float[] Forecast(ReadOnlySpan<float> history, int horizon)
    {
        int p = Order;
        if (history.Length < p)
            throw new ArgumentException($"The history needs at least {p} values.", nameof(history));
        var window = new double[p + horizon];
        for (int j = 0; j < p; j++)
            window[j] = history[history.Length - p + j];
        var forecast = new float[horizon];
        for (int h = 0; h < horizon; h++)
        {
            double value = _coefficients[0];
            for (int j = 1; j <= p; j++)
                value += _coefficients[j] * window[p + h - j];
            window[p + h] = value;
            forecast[h] = (float)value;
        }
        return forecast;
    }

    /// <summary>The x minimising |A x - b|² for [A | b] given as <paramref name="a"/> (overwritten), by Householder QR.</summary>
    private static double[] SolveLeastSquares(double[,] a, int k)
    {
        int m = a.GetLength(0);
        for (int j = 0; j < k; j++)
        {
            double norm = 0;
            for (int r = j; r < m; r++)
                norm += a[r, j] * a[r, j];
            norm = Math.Sqrt(norm); // > 0: a column of ones, or a lag column with its ridge row
            double diagonal = a[j, j] > 0 ? -norm : norm;
            a[j, j] -= diagonal; // the Householder vector v = column - diagonal e1, reflecting with I - 2 v vᵀ / vᵀv
            double vv = 0;
            for (int r = j; r < m; r++)
                vv += a[r, j] * a[r, j];
            for (int c = j + 1; c <= k; c++)
            {
                double dot = 0;
                for (int r = j; r < m; r++)
                    dot += a[r, j] * a[r, c];
                double f = 2 * dot / vv;
                for (int r = j; r < m; r++)
                    a[r, c] -= f * a[r, j];
            }
            a[j, j] = diagonal;
        }
        var x = new double[k];
        for (int j = k - 1; j >= 0; j--)
        {
            double s = a[j, k];
            for (int c = j + 1; c < k; c++)
                s -= a[j, c] * x[c];
            x[j] = a[j, j] == 0 ? 0 : s / a[j, j];
        }
        return x;
    }
}

/// <summary>
/// Additive Holt-Winters: level, an optionally damped additive trend (or none) and additive seasonality of period m
/// (m = 1: no season, damped Holt). Parameters by grid search on the training series' one-step squared errors.
/// </summary>
internal sealed class HoltWinters
{
    private static readonly double[] Grid = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
    private static readonly double[] DampingGrid = [0.9, 0.95, 0.98, 1.0];

    private readonly int _period;
    private readonly double _initialLevel;
    private readonly double _initialTrend;
    private readonly double[] _initialSeasonal;
    private readonly (double Alpha, double Beta, double Gamma, double Phi, bool HasTrend) _p;

    /// <summary>
    /// A model with the given parameters (see <see cref="Parameters"/>) and period m (1: none), its initial states taken
    /// from the start of <paramref name="train"/> (at least two periods, or two values when m = 1).
    /// </summary>
    public HoltWinters(ReadOnlySpan<float> train, int period, double alpha, double beta, double gamma, double phi, bool hasTrend)
    {
        if (period < 1)
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be at least 1.");
        if (train.Length < 2 * period || train.Length < 2)
            throw new ArgumentException("The training series needs at least two periods (two values).", nameof(train));
        _period = period;
        _p = (alpha, hasTrend ? beta : 0, period > 1 ? gamma : 0, hasTrend ? phi : 1, hasTrend);
        double first = 0, second = 0;
        for (int i = 0; i < period; i++)
        {
            first += train[i];
            second += train[period + i];
        }
        first /= period;
        second /= period;
        _initialLevel = period == 1 ? train[0] : first;
        _initialTrend = !hasTrend ? 0 : period == 1 ? train[1] - train[0] : (second - first) / period;
        _initialSeasonal = new double[period];
        if (period > 1)
            for (int i = 0; i < period; i++)
                _initialSeasonal[i] = train[i] - first;
    }

    /// <summary>
    /// The parameters: level smoothing α, trend smoothing β (0 without a trend), seasonal smoothing γ (0 when m = 1),
    /// trend damping φ (1 without a trend) and whether there is a trend.
    /// </summary>
    public (double Alpha, double Beta, double Gamma, double Phi, bool HasTrend) Parameters => _p;

    /// <summary>The initial states: level, trend and seasonal indices (a copy), as the smoothing starts from them.</summary>
    public (double Level, double Trend, double[] Seasonal) InitialStates => (_initialLevel, _initialTrend, (double[])_initialSeasonal.Clone());

    /// <summary>
    /// Chooses α, β ≤ α, γ and φ on a grid (and the same without a trend) by the sum of squared one-step errors over
    /// the whole training series, the smoothing starting from the initial states.
    /// </summary>
    public static HoltWinters Fit(ReadOnlySpan<float> train, int period)
    {
        double[] gammas = period > 1 ? Grid : [0.0];
        HoltWinters? best = null;
        double bestSse = double.PositiveInfinity;
        foreach (double alpha in Grid)
            foreach (double gamma in gammas)
            {
                Consider(new HoltWinters(train, period, alpha, 0, gamma, 1, hasTrend: false), train);
                foreach (double beta in Grid)
                    if (beta <= alpha)
                        foreach (double phi in DampingGrid)
                            Consider(new HoltWinters(train, period, alpha, beta, gamma, phi, hasTrend: true), train);
            }
        return best!;

        void Consider(HoltWinters candidate, ReadOnlySpan<float> series)
        {
            double sse = candidate.Run(series, out _, out _, out _);
            if (sse < bestSse)
                (bestSse, best) = (sse, candidate);
        }
    }

    /// <summary>
    /// Smooths over the whole <paramref name="history"/> (which starts with the training series and may extend past it)
    /// with the fitted parameters and forecasts <paramref name="horizon"/> values.
    /// </summary>
    public float[] Forecast(ReadOnlySpan<float> history, int horizon)
    {
        Run(history, out double level, out double trend, out double[] seasonal);
        var forecast = new float[horizon];
        double damped = 0, phiPower = 1;
        for (int h = 1; h <= horizon; h++)
        {
            phiPower *= _p.Phi;
            damped += phiPower;
            // Step h is index n + h - 1; seasonal[i] is the latest seasonal component of the indices t with t % m == i.
            forecast[h - 1] = (float)(level + damped * trend + seasonal[(history.Length + h - 1) % _period]);
        }
        return forecast;
    }

    /// <summary>Runs the recursions over <paramref name="series"/>; returns the SSE of its one-step errors and the final states.</summary>
    private double Run(ReadOnlySpan<float> series, out double level, out double trend, out double[] seasonal)
    {
        (level, trend) = (_initialLevel, _initialTrend);
        seasonal = (double[])_initialSeasonal.Clone();
        double sse = 0;
        for (int t = 0; t < series.Length; t++)
        {
            int i = t % _period;
            double baseline = level + _p.Phi * trend;
            double error = series[t] - (baseline + seasonal[i]);
            sse += error * error;
            double newLevel = _p.Alpha * (series[t] - seasonal[i]) + (1 - _p.Alpha) * baseline;
            trend = _p.HasTrend ? _p.Beta * (newLevel - level) + (1 - _p.Beta) * _p.Phi * trend : 0;
            seasonal[i] = _p.Gamma * (series[t] - baseline) + (1 - _p.Gamma) * seasonal[i];
            level = newLevel;
        }
        return sse;
    }
}
