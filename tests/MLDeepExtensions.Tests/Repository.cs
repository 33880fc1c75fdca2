using System;
using System.IO;

namespace MLDeepExtensions.Tests;

/// <summary>Finds files of this repository from a test's output folder.</summary>
internal static class Repository
{
    /// <summary>Gets the repository root: the first folder above the test assembly that holds MLDeepExtensions.sln.</summary>
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (System.IO.File.Exists(Path.Combine(directory.FullName, "MLDeepExtensions.sln")))
                    return directory.FullName;
            }
            throw new InvalidOperationException($"No MLDeepExtensions.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Gets the full path of <paramref name="relativePath"/> (forward slashes) under the root.</summary>
    public static string File(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));
}
