using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Packaging;

/// <summary>
/// One source for the docs: nuget/README-package.md (the package's README on NuGet) is generated from the sections of
/// README.md between <c>&lt;!-- package:begin --&gt;</c> and <c>&lt;!-- package:end --&gt;</c>, so the two cannot drift.
/// After editing those sections, regenerate with <c>MLDE_WRITE_PACKAGE_README=1 dotnet test tests/MLDeepExtensions.Tests
/// -c Release --filter FullyQualifiedName~PackageReadme</c>.
/// </summary>
[TestClass]
public sealed class PackageReadmeTests
{
    private const string ProjectUrl = "https://github.com/mldeepextensions/MLDeepExtensions";

    [TestMethod]
    public void PackageReadme_IsGeneratedFromTheMainReadme()
    {
        string expected = Generate(File.ReadAllText(Repository.File("README.md")));
        string path = Repository.File("nuget/README-package.md");
        if (Environment.GetEnvironmentVariable("MLDE_WRITE_PACKAGE_README") == "1")
            File.WriteAllText(path, expected);
        Assert.AreEqual(expected, File.ReadAllText(path).ReplaceLineEndings("\n"),
            "nuget/README-package.md differs from README.md's package sections; regenerate it (see PackageReadmeTests).");
    }

    [TestMethod]
    public void PackageReadme_CoversEveryArchitectureAndHead_AndTheBackendPackage()
    {
        string package = Generate(File.ReadAllText(Repository.File("README.md")));
        foreach (string name in new[]
        {
            "MlpArchitecture", "CnnArchitecture", "RnnArchitecture", "LSTM", "GRU", "AutoencoderArchitecture", // architectures
            "MulticlassClassification", "BinaryClassification", "regression", "AnomalyDetection", "Forecasting", // heads
            "dotnet add package TorchSharp-cpu", "MLDeepExtensionsKeepAllPlatforms",
        })
            StringAssert.Contains(package, name);
    }

    [TestMethod]
    public void PackageReadme_NeverNormalizesWithMLNetsZeroFixingDefault()
    {
        // NormalizeMeanVariance keeps zero fixed unless fixZero is false: it scales without centering, which an MLP's own
        // standardization makes unnecessary anyway (README, Quick start).
        string package = Generate(File.ReadAllText(Repository.File("README.md")));
        var calls = Regex.Matches(package, @"NormalizeMeanVariance\(""[^)]*\)").Select(m => m.Value).ToArray();
        Assert.IsEmpty(calls.Where(call => !call.Contains("fixZero: false", StringComparison.Ordinal)).ToArray(), string.Join(", ", calls));
    }

    [TestMethod]
    public void Generate_WithoutSections_Throws()
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => Generate("# Title\n\nNo sections.\n"));
        StringAssert.Contains(ex.Message, "<!-- package:begin -->");
    }

    /// <summary>The package README: a title, README.md's package sections in order (links made absolute), a footer.</summary>
    internal static string Generate(string readme)
    {
        var sections = Regex.Matches(readme.ReplaceLineEndings("\n"), @"<!-- package:begin -->\n(.*?)<!-- package:end -->", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value.Trim())
            .ToArray();
        if (sections.Length == 0)
            throw new InvalidDataException("README.md has no section between <!-- package:begin --> and <!-- package:end -->.");
        string body = string.Join("\n\n", sections);
        // Links within the repository point at GitHub from the package page.
        body = Regex.Replace(body, @"\]\(#", $"]({ProjectUrl}#");
        body = Regex.Replace(body, @"\]\((?!https?:|#)([^)]+)\)", m => $"]({ProjectUrl}/blob/main/{m.Groups[1].Value})");
        return "<!-- Generated from README.md by tests/MLDeepExtensions.Tests/Packaging/PackageReadmeTests.cs: edit README.md. -->\n"
            + "# MLDeepExtensions\n\n" + body + "\n\n"
            + $"Options, optimizers, determinism, data larger than memory, ONNX export, PyTorch weights, the platform notes and the\n"
            + $"samples: [the project README]({ProjectUrl}#readme). MIT licensed.\n";
    }
}
