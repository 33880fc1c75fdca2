using Microsoft.VisualStudio.TestTools.UnitTesting;

// Tests share the process-wide libtorch thread pool and seed; run them one at a time.
[assembly: DoNotParallelize]

// SchemaShape.Create and other ML.NET internals used by the contract tests (see src/MLDeepExtensions/Interop).
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
