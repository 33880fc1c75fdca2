namespace MLDeepExtensions.Scoring;

/// <summary>The execution provider a network's ONNX Runtime session runs on, and why (see <see cref="ExecutionProviderChooser"/>).</summary>
/// <param name="Provider">The provider.</param>
/// <param name="CudaDevice">The GPU, for <see cref="OnnxExecutionProvider.Cuda"/>; null for the CPU.</param>
/// <param name="Reason">Why this provider, in words, for the log.</param>
/// <param name="FellBack">True when CUDA was listed and tried but did not start, so the CPU runs instead (logged as a warning).</param>
internal sealed record ExecutionProviderChoice(OnnxExecutionProvider Provider, int? CudaDevice, string Reason, bool FellBack)
{
    /// <summary>Where the session runs, in words: "the CPU", or "GPU 0 (CUDA execution provider)".</summary>
    public string Where => Provider == OnnxExecutionProvider.Cuda ? $"GPU {CudaDevice} (CUDA execution provider)" : "the CPU";

    /// <inheritdoc/>
    public override string ToString() => $"{Where}: {Reason}";
}
