using System;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Interop;
using TorchSharp;

namespace MLDeepExtensions.Tests.Interop;

/// <summary>
/// The ELF reader behind the run-time GLIBCXX fallback, on TorchSharp's own libLibTorchSharp.so from the NuGet package
/// folder (the unpatched original). The fallback end to end (a project reference without the build targets, an F# script)
/// is exercised by nuget/consumer-check.sh (PackageConsumerTests).
/// </summary>
[TestClass]
public sealed class ElfVersionNeedsTests
{
    private static byte[] Original()
    {
        // TorchSharp.dll is copied to the test output; the package folder is found the way NuGet lays it out.
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(torch).Assembly.GetName().Version!.ToString(3);
        string path = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path))
            Assert.Inconclusive($"no unpatched libLibTorchSharp.so at {path}");
        return File.ReadAllBytes(path);
    }

    [TestMethod]
    public void Original_HasOneStrongNeed_MarkWeakClearsItAndChangesOnlyThoseBytes()
    {
        byte[] original = Original();
        var offsets = ElfVersionNeeds.FindStrongNeeds(original, LibTorchSharpFallback.WeakVersion, out string? problem);
        Assert.IsNull(problem);
        Assert.HasCount(1, offsets);

        byte[] patched = (byte[])original.Clone();
        ElfVersionNeeds.MarkWeak(patched, offsets);
        Assert.IsEmpty(ElfVersionNeeds.FindStrongNeeds(patched, LibTorchSharpFallback.WeakVersion, out problem));
        Assert.IsNull(problem);
        int[] changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        CollectionAssert.AreEqual(new[] { offsets[0] }, changed, "only the low byte of vna_flags may change");
        Assert.AreEqual(original[offsets[0]] | 0x2, patched[offsets[0]]);
    }

    [TestMethod]
    public void OtherVersionNames_AreNotFound()
    {
        Assert.IsEmpty(ElfVersionNeeds.FindStrongNeeds(Original(), "GLIBCXX_9.9.99", out string? problem));
        Assert.IsNull(problem);
    }

    [TestMethod]
    public void DamagedFiles_GiveAProblemOrNothing_NeverAnException()
    {
        byte[] original = Original();
        Assert.IsEmpty(ElfVersionNeeds.FindStrongNeeds([1, 2, 3], LibTorchSharpFallback.WeakVersion, out string? problem));
        Assert.AreEqual("not an ELF file", problem);

        var random = new Random(3);
        foreach (int length in new[] { 16, 64, 4096, original.Length / 2, original.Length - 1 })
        {
            ElfVersionNeeds.FindStrongNeeds(original.AsSpan(0, length).ToArray(), LibTorchSharpFallback.WeakVersion, out _);
        }

        for (int i = 0; i < 200; i++)
        {
            byte[] damaged = (byte[])original.Clone();
            // Overwrite a byte of the ELF header or of the section header table, where the reader takes its offsets.
            long sectionTable = BitConverter.ToInt64(original, 0x28);
            int at = i % 2 == 0 ? random.Next(0x18, 0x40) : (int)(sectionTable + random.Next(0, (int)(original.Length - sectionTable)));
            damaged[at] = (byte)random.Next(256);
            ElfVersionNeeds.FindStrongNeeds(damaged, LibTorchSharpFallback.WeakVersion, out _);
        }
    }
}
