// MLDeepExtensions calls and implements ML.NET members that ML.NET declares internal (model save/load
// contexts, VersionInfo, LoadableClassAttribute, AnnotationUtils, the non-generic ISingleFeaturePredictionTransformer,
// ...; see Interop/README.md). The build
// compiles this assembly against copies of Microsoft.ML.Core and Microsoft.ML.Data whose internals are
// public (see MLNetInternals.targets), but the real assemblies are loaded at run time. Without the
// attributes below the runtime would refuse each such access with a MethodAccessException,
// FieldAccessException or TypeLoadException; with them it skips its access checks for calls from this
// assembly into the named ones. The attribute type is not shipped by .NET: the runtime looks it up by its
// full name in the calling assembly, so every assembly that uses it declares its own copy.

[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices;

/// <summary>
/// Tells the runtime to skip its accessibility checks when this assembly uses non-public members of the
/// named assembly. Recognized by name by the .NET runtime; not a public API of MLDeepExtensions.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    /// <summary>Initializes a new instance naming the assembly whose internals this assembly uses.</summary>
    /// <param name="assemblyName">The simple name of that assembly, e.g. "Microsoft.ML.Core".</param>
    public IgnoresAccessChecksToAttribute(string assemblyName)
    {
        AssemblyName = assemblyName;
    }

    /// <summary>Gets the simple name of the assembly whose internals this assembly uses.</summary>
    public string AssemblyName { get; }
}
