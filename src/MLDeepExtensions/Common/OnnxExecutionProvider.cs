namespace MLDeepExtensions;

/// <summary>
/// The ONNX Runtime execution provider that runs a network's graph when ONNX Runtime scores it
/// (<see cref="ScoringEngine.OnnxRuntime"/>).
/// </summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU: every ONNX Runtime build has it, and it is used whenever CUDA is not asked for or cannot run.</summary>
    Cpu = 0,

    /// <summary>
    /// An NVIDIA GPU, through ONNX Runtime's CUDA execution provider: needs an ONNX Runtime build that has it
    /// (<c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> or <c>.Gpu.Windows</c>), the NVIDIA driver and the CUDA and cuDNN
    /// libraries that build was made for.
    /// </summary>
    Cuda,
}
