using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Makes TorchSharp's native library load on Linux hosts whose libstdc++ lacks GLIBCXX_3.4.32 when the build targets
/// never patched it: in applications that reference this library by project reference (which does not import
/// <c>build/MLDeepExtensions.targets</c>), in <c>dotnet fsi</c> scripts and .NET Interactive notebooks (which load native
/// libraries straight from the NuGet package folder).
/// </summary>
/// <remarks>
/// <para>
/// Before TorchSharp initialises, and only when the host's libstdc++ lacks that version (asked of the loader with
/// <c>dlvsym</c>) and the libLibTorchSharp.so the process would load still needs it, a copy with the need marked weak is
/// written to a per-user cache, <c>$XDG_CACHE_HOME/mldeepextensions/native/&lt;SHA-256 of the original&gt;/</c> (default
/// <c>~/.cache</c>), and loaded from there after the libtorch it depends on. The original, the NuGet package folder and
/// the system are never written. Each process writes its own temporary file and renames it into place, so processes
/// that do this at once all end up loading a complete copy.
/// </para>
/// <para>
/// In a script, libtorch is taken from the NuGet package folder's libtorch-cpu package (the CPU backend); an application
/// whose output folder holds libtorch (CPU or CUDA) uses that one.
/// </para>
/// </remarks>
internal static class LibTorchSharpFallback
{
    /// <summary>The version need that libLibTorchSharp.so declares but never uses.</summary>
    public const string WeakVersion = "GLIBCXX_3.4.32";

    /// <summary>std::ios_base_library_init(), the only libstdc++ symbol that carries <see cref="WeakVersion"/>.</summary>
    private const string MarkerSymbol = "_ZSt21ios_base_library_initv";

    private const string FileName = "libLibTorchSharp.so";

    /// <summary>Gets what the fallback did or why it could not help; null when it was not needed.</summary>
    public static string? Outcome { get; private set; }

    /// <summary>Gets the path of the patched copy that was loaded, or null when none was.</summary>
    public static string? LoadedCopy { get; private set; }

    /// <summary>Loads a patched copy when needed; never throws (a failure is kept in <see cref="Outcome"/>).</summary>
    public static void BeforeLoad()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64 || HostHasVersion())
            return;
        try
        {
            Outcome = TryLoadPatchedCopy();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DllNotFoundException or BadImageFormatException)
        {
            Outcome = $"the runtime fallback failed: {ex.Message}";
        }
    }

    /// <summary>Finds the original, writes or reuses its patched copy, loads libtorch and then the copy.</summary>
    private static string? TryLoadPatchedCopy()
    {
        string? original = NativeDirectories().Select(folder => Path.Combine(folder, FileName)).FirstOrDefault(File.Exists);
        if (original is null)
            return $"the runtime fallback found no {FileName} (looked in '{string.Join("', '", NativeDirectories())}')";
        byte[] bytes = File.ReadAllBytes(original);
        List<int> offsets = ElfVersionNeeds.FindStrongNeeds(bytes, WeakVersion, out string? problem);
        if (problem is not null)
            return $"the runtime fallback left '{original}' alone: {problem}";
        if (offsets.Count == 0)
            return null; // already patched (by the build targets): the ordinary load works
        string? libtorch = FindLibTorch(Path.GetDirectoryName(original)!);
        if (libtorch is null)
            return $"the runtime fallback found no libtorch.so next to '{original}' or in a libtorch-cpu-linux-x64 package; "
                + "reference TorchSharp-cpu";
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        ElfVersionNeeds.MarkWeak(bytes, offsets);
        string copy = WriteOnce(Path.Combine(CacheRoot(), hash, FileName), bytes);
        NativeLibrary.Load(libtorch);
        IntPtr handle = NativeLibrary.Load(copy);
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly,
                (name, _, _) => name == "LibTorchSharp" ? handle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // Someone else resolves TorchSharp's imports; the loaded copy still answers to its soname.
        }

        LoadedCopy = copy;
        return $"the runtime fallback loaded a copy of '{original}' with {WeakVersion} marked weak from '{copy}'";
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/> unless a file with exactly these bytes is there:
    /// through a temporary file of this process renamed into place, so no process ever sees a partial file.
    /// </summary>
    private static string WriteOnce(string path, byte[] bytes)
    {
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        return path;
    }

    /// <summary>Gets the per-user cache folder: $XDG_CACHE_HOME, else ~/.cache, then mldeepextensions/native.</summary>
    private static string CacheRoot()
    {
        string? root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root) || !Path.IsPathRooted(root))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home))
                throw new IOException("no cache folder for the patched copy: set XDG_CACHE_HOME or HOME");
            root = Path.Combine(home, ".cache");
        }

        return Path.Combine(root, "mldeepextensions", "native");
    }

    /// <summary>
    /// Lists, in the order the process would use them, the folders that may hold TorchSharp's native library: the
    /// host's native search folders, the application's folder, TorchSharp's folder, and TorchSharp's package folder.
    /// </summary>
    internal static IEnumerable<string> NativeDirectories()
    {
        var roots = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searched)
            roots.AddRange(searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        roots.Add(AppContext.BaseDirectory);
        string? torchSharpFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharpFolder))
        {
            roots.Add(torchSharpFolder);
            roots.Add(Path.Combine(torchSharpFolder, "..", ".."));
        }

        string rid = RuntimeInformation.RuntimeIdentifier, portable = PortableRuntimeIdentifier();
        return roots
            .SelectMany(root => new[] { root, Path.Combine(root, "runtimes", rid, "native"), Path.Combine(root, "runtimes", portable, "native") })
            .Select(Path.GetFullPath)
            .Distinct(StringComparer.Ordinal);
    }

    /// <summary>Gets the portable runtime identifier (for example linux-x64) that NuGet's runtimes folders use.</summary>
    internal static string PortableRuntimeIdentifier()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
    }

    /// <summary>
    /// Finds libtorch.so next to the original, else in the NuGet package folder (four levels above TorchSharp.dll):
    /// the libtorch-cpu-linux-x64 version TorchSharp was built for, or the only one there.
    /// </summary>
    private static string? FindLibTorch(string originalFolder)
    {
        string beside = Path.Combine(originalFolder, "libtorch.so");
        if (File.Exists(beside))
            return beside;
        string? torchSharpFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (string.IsNullOrEmpty(torchSharpFolder))
            return null;
        string package = Path.GetFullPath(Path.Combine(torchSharpFolder, "..", "..", "..", "..", "libtorch-cpu-linux-x64"));
        if (!Directory.Exists(package))
            return null;
        string[] candidates = Directory.GetDirectories(package)
            .Select(version => Path.Combine(version, "runtimes", "linux-x64", "native", "libtorch.so"))
            .Where(File.Exists)
            .ToArray();
        string? wanted = LibTorchVersion();
        return candidates.FirstOrDefault(path => wanted is not null && path.Contains($"{Path.DirectorySeparatorChar}{wanted}{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            ?? (candidates.Length == 1 ? candidates[0] : null);
    }

    /// <summary>Gets the libtorch package version TorchSharp was built for (its private constant, "2.10.0.0" → "2.10.0").</summary>
    private static string? LibTorchVersion()
    {
        FieldInfo? field = typeof(torch).GetField("libtorchPackageVersion", BindingFlags.NonPublic | BindingFlags.Static);
        if (field?.IsLiteral != true || field.GetRawConstantValue() is not string version)
            return null;
        while (version.Count(c => c == '.') > 2 && version.EndsWith(".0", StringComparison.Ordinal))
            version = version[..^2];
        return version;
    }

    /// <summary>True when the host's libstdc++ defines <see cref="WeakVersion"/> (or this cannot be asked: not glibc).</summary>
    private static bool HostHasVersion()
    {
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out IntPtr libstdcxx))
            return true;
        IntPtr dlvsym = IntPtr.Zero;
        if (!(NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) && NativeLibrary.TryGetExport(libc, "dlvsym", out dlvsym))
            && !(NativeLibrary.TryLoad("libdl.so.2", out IntPtr libdl) && NativeLibrary.TryGetExport(libdl, "dlvsym", out dlvsym)))
            return true;
        var lookUp = Marshal.GetDelegateForFunctionPointer<VersionedSymbol>(dlvsym);
        return lookUp(libstdcxx, MarkerSymbol, WeakVersion) != IntPtr.Zero;
    }

    /// <summary>glibc's <c>void *dlvsym(void *handle, const char *symbol, const char *version)</c>.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr VersionedSymbol(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string symbol,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string version);
}
