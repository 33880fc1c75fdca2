namespace MLDeepExtensions;

/// <summary>
/// What a fit shows on the console while it trains (see <see cref="NetworkTrainingOptions.ShowProgress"/>), besides the
/// one line per epoch it always logs through MLContext.Log. Console output goes to standard error.
/// </summary>
public enum ProgressDisplay
{
    /// <summary>
    /// A progress bar per epoch when the process runs in an interactive console (neither standard output nor standard
    /// error redirected, not under a test host) and no <see cref="NetworkTrainingOptions.Progress"/> is given; otherwise
    /// nothing. The default.
    /// </summary>
    Auto,

    /// <summary>A progress bar per epoch, redrawn in place; one plain line per epoch instead when the console is redirected.</summary>
    Bar,

    /// <summary>One plain line per epoch, interactive console or not (e.g. for a log file of standard error).</summary>
    Lines,

    /// <summary>Nothing on the console; the epochs still go to MLContext.Log and <see cref="NetworkTrainingOptions.Progress"/>.</summary>
    None,
}
