using System;
using System.Reflection;
using Microsoft.ML;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Refuses, with a message that names the supported range, to run on an ML.NET whose internals we have not compared
/// and tested: we compile against ML.NET internals (see README.md next to this file), which carry no compatibility
/// promise, so an untested major version could fail later with a <see cref="MissingMethodException"/> or, worse, save
/// a model wrongly.
/// </summary>
/// <remarks>
/// Checked where the library first touches ML.NET internals: when a catalog method creates an estimator
/// (<see cref="MLContextAccess.GetEnvironment"/>) and when ML.NET loads one of our transformers from a model file.
/// The range is the package's dependency range in Directory.Packages.props; a test keeps the two equal.
/// </remarks>
internal static class MLNetVersionGuard
{
    /// <summary>The lowest supported ML.NET version (inclusive).</summary>
    public const string MinimumVersion = "5.0.1";

    /// <summary>The first ML.NET version no longer supported (exclusive).</summary>
    public const string VersionLimit = "7.0.0";

    /// <summary>
    /// The <see cref="AppContext"/> switch that lets an application run on an untested ML.NET version at its own risk
    /// (<c>AppContext.SetSwitch("MLDeepExtensions.AllowUntestedMLNetVersion", true)</c>, or a
    /// <c>RuntimeHostConfigurationOption</c> item in the project file).
    /// </summary>
    public const string AllowUntestedSwitch = "MLDeepExtensions.AllowUntestedMLNetVersion";

    /// <summary>The supported range in NuGet's notation.</summary>
    public const string SupportedRange = "[" + MinimumVersion + ", " + VersionLimit + ")";

    private static readonly Lazy<string?> _problem = new(() => Check(typeof(MLContext).Assembly));

    /// <summary>Throws unless the loaded ML.NET is in the supported range (or the switch allows any).</summary>
    /// <exception cref="NotSupportedException">The loaded ML.NET version is outside the supported range.</exception>
    public static void EnsureSupported()
    {
        if (_problem.Value is { } problem && !(AppContext.TryGetSwitch(AllowUntestedSwitch, out bool allowed) && allowed))
            throw new NotSupportedException(problem);
    }

    /// <summary>Returns the problem with the ML.NET in <paramref name="assembly"/>, or null when it is supported.</summary>
    internal static string? Check(Assembly assembly) =>
        Check(assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion, assembly.GetName().Name);

    /// <summary>Returns the problem with an ML.NET of <paramref name="informationalVersion"/>, or null when it is supported.</summary>
    internal static string? Check(string? informationalVersion, string? assemblyName)
    {
        string text = informationalVersion?.Split('+', 2)[0] ?? string.Empty;
        string release = text.Split('-', 2)[0];
        if (!Version.TryParse(release, out Version? version))
            return $"MLDeepExtensions supports ML.NET {SupportedRange} but could not read the version of the loaded "
                + $"{assemblyName} ('{informationalVersion}'). Reference Microsoft.ML {MinimumVersion} or later before "
                + $"{VersionLimit}, or set the AppContext switch {AllowUntestedSwitch} to run at your own risk.";
        bool supported = version >= Version.Parse(MinimumVersion) && version < Version.Parse(VersionLimit)
            && !(text.Contains('-', StringComparison.Ordinal) && version == Version.Parse(MinimumVersion));
        if (supported)
            return null;
        return $"MLDeepExtensions supports ML.NET {SupportedRange}, but ML.NET {text} is loaded. MLDeepExtensions uses "
            + "ML.NET internals that can change between major versions, and this one has not been tested. Reference "
            + $"Microsoft.ML {MinimumVersion} or later before {VersionLimit} (for example 6.0.0), use a release of "
            + $"MLDeepExtensions that supports ML.NET {version.Major}, or set the AppContext switch {AllowUntestedSwitch} "
            + "to true to run at your own risk.";
    }
}
