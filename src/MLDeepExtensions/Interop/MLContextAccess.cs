using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLDeepExtensions.Interop;

/// <summary>The ML.NET internals the catalog and estimators read, behind our own names.</summary>
internal static class MLContextAccess
{
    /// <summary>
    /// The environment (the MLContext) behind a catalog such as mlContext.Transforms or mlContext.Regression.Trainers;
    /// first checks that the loaded ML.NET is one we support (<see cref="MLNetVersionGuard"/>).
    /// </summary>
    public static IHostEnvironment GetEnvironment(object catalog)
    {
        System.ArgumentNullException.ThrowIfNull(catalog);
        MLNetVersionGuard.EnsureSupported();
        return ((IInternalCatalog)catalog).GetEnvironment();
    }

    /// <summary>The seed the MLContext was created with, or null when it has none.</summary>
    public static int? GetSeed(IHostEnvironment env) => (env as IHostEnvironmentInternal)?.Seed;
}
