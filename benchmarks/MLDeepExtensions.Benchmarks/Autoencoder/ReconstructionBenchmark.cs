using System;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// Test-set reconstruction error (mean squared error per pixel) of the autoencoder against PCA with as many
/// components as the latent size: PCA fitted on the centred training pixels (eigenvectors of their covariance,
/// in double precision), each test image reconstructed as mean + (x − mean)·V·Vᵀ.
/// </summary>
internal static class ReconstructionBenchmark
{
    public static void Run(BenchmarkData data, int epochs, Report report)
    {
        int latent = AutoencoderSection.LatentSize;
        report.Section($"Autoencoder reconstruction of {data.TestImages.Length} test images: dense {AutoencoderSection.Architecture} and " +
            $"{AutoencoderSection.ConvolutionalArchitecture} vs PCA with {latent} components");

        long start = Stopwatch.GetTimestamp();
        double pcaError = PcaError(data.TrainFeatures, data.TestFeatures, latent);
        double pcaSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        report.Add($"PCA, {latent} components", $"test MSE {pcaError:F5} per pixel (fit {pcaSeconds:F1} s)");

        foreach (var (name, architecture) in AutoencoderSection.Networks)
        {
            var options = AutoencoderSection.Options(epochs, architecture);
            options.Progress = new ClassifierRun.EpochPrinter();
            Timing.Settle();
            var ((model, oursSeconds), before, peak) = ResidentMemory.PeakDuring(() =>
            {
                long clock = Stopwatch.GetTimestamp();
                var fitted = data.MLContext.Transforms.Autoencoder(options).Fit(data.RawTrain);
                return (fitted, Stopwatch.GetElapsedTime(clock).TotalSeconds);
            });
            using var owned = model;
            double oursError = model.Transform(data.RawTest).GetColumn<float>("Score").Average(v => (double)v);

            report.Add($"{name} autoencoder, Adam 0.002 + cosine, {epochs} epochs", $"test MSE {oursError:F5} per pixel (fit {oursSeconds:F1} s)");
            report.Add($"MSE ratio {name} autoencoder/PCA", $"{oursError / pcaError:F2} (target < 1)");
            report.Add($"peak resident set during the {name} autoencoder's fit", $"{Timing.Megabytes(peak)} (before the fit: {Timing.Megabytes(before)})");
            report.Results.Add(new FitMemory(Architectures.Autoencoder, "ours", $"{name} reconstruction fit, {epochs} epochs", before, peak));
            report.Results.Add(new QualityResult(Architectures.Autoencoder,
                $"Test reconstruction MSE per pixel, {architecture}, {epochs} epochs (ratio to PCA {oursError / pcaError:F2})",
                "MSE", "F5", oursError, oursSeconds, new[] { new Reference($"PCA, {latent} components", pcaError) }, "below PCA (ratio < 1)", oursError < pcaError));
        }
    }

    /// <summary>Mean squared error per value of the test rows' rank-<paramref name="components"/> PCA reconstructions.</summary>
    public static double PcaError(Tensor train, Tensor test, int components)
    {
        using var scope = NewDisposeScope();
        var x = train.to_type(ScalarType.Float64);
        var mean = x.mean(new long[] { 0 }, keepdim: true);
        var centred = x - mean;
        var covariance = centred.t().matmul(centred) / (x.shape[0] - 1);
        var (_, vectors) = linalg.eigh(covariance); // eigenvalues ascending: the last columns are the top components
        var top = vectors.narrow(1, vectors.shape[1] - components, components);
        var testCentred = test.to_type(ScalarType.Float64) - mean;
        var reconstruction = testCentred.matmul(top).matmul(top.t());
        return (testCentred - reconstruction).square().mean().item<double>();
    }
}
