using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Interop;

namespace MLDeepExtensions.Tests.Interop;

[TestClass]
public sealed class MLNetVersionGuardTests
{
    [TestMethod]
    [DataRow("5.0.1+a4f730ec0c9106c2c9ef9e1fa34011374115fb98")]
    [DataRow("5.0.2")]
    [DataRow("6.0.0+0123abc")]
    [DataRow("6.3.1")]
    public void Check_VersionInTheRange_IsSupported(string informationalVersion)
        => Assert.IsNull(MLNetVersionGuard.Check(informationalVersion, "Microsoft.ML.Data"));

    [TestMethod]
    [DataRow("4.0.2", "4.0.2")]
    [DataRow("5.0.0", "5.0.0")]
    [DataRow("5.0.1-preview.1", "5.0.1-preview.1")]
    [DataRow("7.0.0+0123abc", "7.0.0")]
    [DataRow("7.0.0-preview.2.25101.1", "7.0.0-preview.2.25101.1")]
    [DataRow("8.1.0", "8.1.0")]
    public void Check_UntestedVersion_NamesTheRangeTheLoadedVersionAndTheWayOut(string informationalVersion, string shown)
    {
        string? problem = MLNetVersionGuard.Check(informationalVersion, "Microsoft.ML.Data");
        Assert.IsNotNull(problem);
        StringAssert.Contains(problem, "supports ML.NET [5.0.1, 7.0.0)");
        StringAssert.Contains(problem, $"ML.NET {shown} is loaded");
        StringAssert.Contains(problem, "Reference Microsoft.ML 5.0.1 or later before 7.0.0");
        StringAssert.Contains(problem, MLNetVersionGuard.AllowUntestedSwitch);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("dev")]
    public void Check_UnreadableVersion_SaysSoAndNamesTheRange(string? informationalVersion)
    {
        string? problem = MLNetVersionGuard.Check(informationalVersion, "Microsoft.ML.Data");
        Assert.IsNotNull(problem);
        StringAssert.Contains(problem, "could not read the version of the loaded Microsoft.ML.Data");
        StringAssert.Contains(problem, "[5.0.1, 7.0.0)");
    }

    [TestMethod]
    public void LoadedMLNet_IsTheVersionThisBuildSelected_AndSupported()
    {
        // The build selects ML.NET with MicrosoftMLVersion (Directory.Packages.props); .ci/run runs this suite on both
        // ends of the supported range, so each run must really load the version it asked for.
        string selected = typeof(MLNetVersionGuardTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "MicrosoftMLVersion").Value!;
        foreach (var assembly in new[] { typeof(MLContext).Assembly, typeof(SchemaShape).Assembly, typeof(Microsoft.ML.Runtime.IHostEnvironment).Assembly })
        {
            string loaded = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
            Assert.AreEqual(selected, loaded.Split('+')[0], $"{assembly.GetName().Name} is {loaded}, but the build selected ML.NET {selected}.");
            Assert.IsNull(MLNetVersionGuard.Check(assembly), $"{assembly.GetName().Name} {loaded}");
        }
        MLNetVersionGuard.EnsureSupported();
    }

    [TestMethod]
    public void SupportedRange_IsThePackagesDependencyRange()
    {
        // The package's Microsoft.ML dependency and the run-time guard must state the same range.
        string props = File.ReadAllText(Repository.File("Directory.Packages.props"));
        Assert.AreEqual(MLNetVersionGuard.MinimumVersion, Property(props, "MicrosoftMLMinimumVersion"));
        Assert.AreEqual(MLNetVersionGuard.VersionLimit, Property(props, "MicrosoftMLVersionLimit"));
        StringAssert.Contains(props, "<PackageVersion Include=\"Microsoft.ML\" Version=\"[$(MicrosoftMLVersion), $(MicrosoftMLVersionLimit))\" />");
    }

    private static string Property(string project, string name)
    {
        Match match = Regex.Match(project, $"<{name}>([^<]*)</{name}>");
        Assert.IsTrue(match.Success, $"Directory.Packages.props sets no {name}.");
        return match.Groups[1].Value;
    }
}
