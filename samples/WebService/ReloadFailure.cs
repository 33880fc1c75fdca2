using System;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>A reload that did not replace the model: when, and why.</summary>
internal sealed record ReloadFailure(DateTimeOffset At, string Error);
