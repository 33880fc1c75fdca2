using Microsoft.VisualStudio.TestTools.UnitTesting;

// Tests share the process-wide libtorch thread pool and seed; run them one at a time.
[assembly: DoNotParallelize]
