namespace MLDeepExtensions;

/// <summary>What runs a fitted network's forward pass when it scores (Transform, PredictionEngine, Forecast).</summary>
public enum ScoringEngine
{
    /// <summary>
    /// ONNX Runtime when the network can be written as an ONNX graph (every built-in architecture and head), unless its
    /// module is on a GPU that ONNX Runtime's CUDA execution provider cannot run on; libtorch otherwise (your own modules,
    /// a network on CUDA with a CPU-only ONNX Runtime). The default.
    /// </summary>
    Auto = 0,

    /// <summary>libtorch, through TorchSharp: the module the fit trained.</summary>
    Torch,

    /// <summary>ONNX Runtime, on the network's ONNX graph (built from the trained module once, when first needed); a network that cannot be exported is an error.</summary>
    OnnxRuntime,
}
