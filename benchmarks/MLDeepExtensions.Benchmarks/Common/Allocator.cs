using System;
using System.Linq;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// Which settings the C allocator runs with. libtorch allocates its tensors with malloc; glibc's defaults hand large
/// freed blocks back to the kernel, so the next batch's tensors fault their pages in again (see benchmarks/README.md).
/// </summary>
internal static class Allocator
{
    private static readonly string[] Variables =
        { "MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES", "MALLOC_CONF", "LD_PRELOAD" };

    /// <summary>"default" or the allocator variables that are set, e.g. "MALLOC_MMAP_MAX_=0".</summary>
    public static string Describe()
    {
        var set = Variables.Select(name => (name, value: Environment.GetEnvironmentVariable(name))).Where(v => !string.IsNullOrEmpty(v.value)).ToArray();
        return set.Length == 0 ? "default" : string.Join(", ", set.Select(v => $"{v.name}={v.value}"));
    }
}
