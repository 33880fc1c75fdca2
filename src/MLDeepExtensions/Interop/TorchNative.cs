using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using TorchSharp;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Loads TorchSharp's native backend once per process and, when that fails, throws an exception that
/// states the operating system loader's own reason instead of TorchSharp's generic advice.
/// </summary>
/// <remarks>
/// On Linux hosts whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04), TorchSharp 0.107's
/// libLibTorchSharp.so is refused by the loader ("version `GLIBCXX_3.4.32' not found") unless it is patched:
/// by the MLDeepExtensions build targets in the application's output folder, or else at run time by
/// <see cref="LibTorchSharpFallback"/>. Unpatched, TorchSharp reports a misleading "doesn't contain a
/// reference to libtorch-cpu-linux-x64".
/// </remarks>
internal static class TorchNative
{
    /// <summary>The library name TorchSharp imports, without platform prefix or extension.</summary>
    private const string LibraryName = "LibTorchSharp";

    /// <summary>
    /// Null once the backend is loaded; otherwise the failure, thrown afresh on every call because TorchSharp
    /// cannot retry a failed native load within the same process.
    /// </summary>
    private static readonly Lazy<InvalidOperationException?> _failure =
        new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the file name of TorchSharp's native library on this operating system.</summary>
    private static string NativeFileName =>
        OperatingSystem.IsWindows() ? LibraryName + ".dll"
        : OperatingSystem.IsMacOS() ? "lib" + LibraryName + ".dylib"
        : "lib" + LibraryName + ".so";

    /// <summary>
    /// Makes sure TorchSharp's native CPU backend is loaded; safe to call from any thread, any number of times.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The native backend cannot be loaded; the message carries the loader's reason and the fix.
    /// </exception>
    public static void EnsureInitialized()
    {
        InvalidOperationException? failure = _failure.Value;
        if (failure is not null)
        {
            throw new InvalidOperationException(failure.Message, failure.InnerException);
        }
    }

    /// <summary>Gets the file name of libtorch's main library on this operating system.</summary>
    private static string LibTorchFileName =>
        OperatingSystem.IsWindows() ? "torch.dll" : OperatingSystem.IsMacOS() ? "libtorch.dylib" : "libtorch.so";

    /// <summary>Loads the CPU backend; returns null on success, or the exception to throw.</summary>
    private static InvalidOperationException? Initialize()
    {
        string? torchSharpFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        string[] before = Subfolders(torchSharpFolder);
        try
        {
            CpuKernels.BeforeLoad();
            OpenMpWaitPolicy.BeforeLoad();
            LibTorchSharpFallback.BeforeLoad();
            torch.InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception ex) when (ex is TypeInitializationException or NotSupportedException or DllNotFoundException
            or EntryPointNotFoundException or BadImageFormatException)
        {
            string removed = RemoveNewBackendCopies(torchSharpFolder, before);
            return new InvalidOperationException(DescribeFailure(ex, LibTorchFound()) + removed, ex);
        }
    }

    /// <summary>
    /// Builds the message. Its first line says what to do: add a backend package when no libtorch is anywhere the process
    /// looks, else why the loader refused the library. Then TorchSharp's first line and the other fixes.
    /// </summary>
    internal static string DescribeFailure(Exception failure, bool libTorchFound)
    {
        Exception innermost = failure;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        string fallback = LibTorchSharpFallback.Outcome is { } outcome ? $"Before loading, {outcome}. " : string.Empty;
        string loader = $"Loader: {ProbeLoader()}.";
        string first = libTorchFound
            ? $"TorchSharp could not load its native library {NativeFileName}. {loader}"
            : $"No TorchSharp backend found: add the package TorchSharp-cpu to the application (dotnet add package "
                + "TorchSharp-cpu; in a script #r \"nuget: TorchSharp-cpu\"), or MLDeepExtensions.Cuda for NVIDIA GPUs. "
                + $"MLDeepExtensions references TorchSharp without libtorch, and no {LibTorchFileName} was found.";
        return first + Environment.NewLine + (libTorchFound ? string.Empty : loader + " ") + fallback
            + "On Linux hosts whose libstdc++ predates GCC 13 (for example Debian 12 or Ubuntu 22.04), that library "
            + "needs a patch, which MLDeepExtensions applies at run time in a per-user cache ($XDG_CACHE_HOME, default "
            + "~/.cache) and, in applications that reference the MLDeepExtensions package, at build time in the output "
            + "folder (a project reference can import build/MLDeepExtensions.targets). The application or script must "
            + "also reference a TorchSharp backend package: TorchSharp-cpu, or the CUDA bundle (TorchSharp-cuda-linux / "
            + $"TorchSharp-cuda-windows). TorchSharp's own message: {FirstLine(innermost.Message)}";
    }

    /// <summary>
    /// True when libtorch's main library is in one of the folders the process loads native libraries from. Looks at files
    /// only: loads nothing. A model loaded where this is false scores with ONNX Runtime without touching libtorch.
    /// </summary>
    internal static bool LibTorchFound() =>
        LibTorchSharpFallback.NativeDirectories().Any(directory => File.Exists(Path.Combine(directory, LibTorchFileName)));

    /// <summary>Lists the subfolders of <paramref name="folder"/> (none when it is null or missing).</summary>
    private static string[] Subfolders(string? folder) =>
        string.IsNullOrEmpty(folder) || !Directory.Exists(folder) ? [] : Directory.GetDirectories(folder);

    /// <summary>
    /// Deletes the folders that appeared beside TorchSharp.dll during a failed load: TorchSharp's loader may copy a
    /// libtorch it finds in a package folder (about 0.5 GB) into a "cpu" or "cuda-..." folder there before it fails, and
    /// a failed run must not leave that behind. Returns a sentence for the message, empty when nothing was there.
    /// </summary>
    private static string RemoveNewBackendCopies(string? torchSharpFolder, string[] before)
    {
        var removed = new List<string>();
        foreach (string folder in Subfolders(torchSharpFolder).Except(before, StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            if (name != "cpu" && !name.StartsWith("cuda-", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
                removed.Add(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $" TorchSharp left a copy of its native files in '{folder}', which could not be deleted ({ex.Message}).";
            }
        }

        return removed.Count == 0 ? string.Empty : $" Deleted the copy of native files TorchSharp made in '{string.Join("', '", removed)}'.";
    }

    /// <summary>
    /// Loads the application's copy of the native library directly to capture the loader's reason (for example
    /// "version `GLIBCXX_3.4.32' not found", or a missing libtorch.so), which TorchSharp's own message leaves out.
    /// </summary>
    private static string ProbeLoader()
    {
        var searched = new List<string>();
        foreach (string directory in LibTorchSharpFallback.NativeDirectories())
        {
            string path = Path.Combine(directory, NativeFileName);
            if (searched.Contains(path))
            {
                continue;
            }

            searched.Add(path);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                NativeLibrary.Load(path);
                return $"'{path}' loads when loaded directly, so the loader is not the cause";
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                // .NET puts generic advice first and the loader's own words (dlerror on Unix) last.
                return LastLine(ex.Message);
            }
        }

        return $"no {NativeFileName} found (looked for '{string.Join("', '", searched)}')";
    }

    /// <summary>Returns the first non-empty line of <paramref name="text"/>, trimmed.</summary>
    private static string FirstLine(string text) =>
        Array.Find(Lines(text), line => line.Length > 0) ?? string.Empty;

    /// <summary>Returns the last non-empty line of <paramref name="text"/>, trimmed.</summary>
    private static string LastLine(string text) =>
        Array.FindLast(Lines(text), line => line.Length > 0) ?? string.Empty;

    /// <summary>Splits <paramref name="text"/> into trimmed lines.</summary>
    private static string[] Lines(string text) =>
        text.Split(['\r', '\n'], StringSplitOptions.TrimEntries);
}
