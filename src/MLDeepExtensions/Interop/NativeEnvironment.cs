using System;
using System.Runtime.InteropServices;

namespace MLDeepExtensions.Interop;

/// <summary>
/// Environment variables that native libraries read (oneDNN, OpenMP): on Windows the process's, which .NET sets; on Unix
/// the C library's, which <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not change.
/// </summary>
internal static class NativeEnvironment
{
    /// <summary>Whether the process started with <paramref name="name"/> set (the process's own choice).</summary>
    public static bool IsSet(string name) => Environment.GetEnvironmentVariable(name) is not null;

    /// <summary>The value of <paramref name="name"/> where native libraries read it, or null.</summary>
    public static string? Get(string name)
        => OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable(name) : Marshal.PtrToStringAnsi(getenv(name));

    /// <summary>Sets <paramref name="name"/> where native libraries read it, unless it is set there; true when it was set here.</summary>
    public static bool SetDefault(string name, string value)
    {
        if (OperatingSystem.IsWindows())
        {
            if (IsSet(name))
                return false;
            Environment.SetEnvironmentVariable(name, value);
            return true;
        }
        return getenv(name) == IntPtr.Zero && setenv(name, value, overwrite: 0) == 0;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr getenv(string name);
}
