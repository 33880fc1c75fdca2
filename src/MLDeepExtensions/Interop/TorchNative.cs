using System;
using System.Collections.Generic;
using System.IO;
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

    /// <summary>Loads the CPU backend; returns null on success, or the exception to throw.</summary>
    private static InvalidOperationException? Initialize()
    {
        try
        {
            CpuKernels.BeforeLoad();
            LibTorchSharpFallback.BeforeLoad();
            torch.InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception ex) when (ex is TypeInitializationException or NotSupportedException or DllNotFoundException
            or EntryPointNotFoundException or BadImageFormatException)
        {
            return new InvalidOperationException(DescribeFailure(ex), ex);
        }
    }

    /// <summary>Builds the message: the loader's reason, TorchSharp's first line, and the fixes.</summary>
    private static string DescribeFailure(Exception failure)
    {
        Exception innermost = failure;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        string fallback = LibTorchSharpFallback.Outcome is { } outcome ? $"Before loading, {outcome}. " : string.Empty;
        return $"TorchSharp could not load its native library {NativeFileName}. Loader: {ProbeLoader()}. {fallback}"
            + "On Linux hosts whose libstdc++ predates GCC 13 (for example Debian 12 or Ubuntu 22.04), that library "
            + "needs a patch, which MLDeepExtensions applies at run time in a per-user cache ($XDG_CACHE_HOME, default "
            + "~/.cache) and, in applications that reference the MLDeepExtensions package, at build time in the output "
            + "folder (a project reference can import build/MLDeepExtensions.targets). The application or script must "
            + "also reference a TorchSharp backend package: TorchSharp-cpu, or the CUDA bundle (TorchSharp-cuda-linux / "
            + $"TorchSharp-cuda-windows). TorchSharp's own message: {FirstLine(innermost.Message)}";
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
