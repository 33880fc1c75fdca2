namespace MLDeepExtensions.Onnx;

/// <summary>
/// A module that can write its forward pass (in eval mode) into an ONNX graph. It sits beside the module's forward,
/// so a change to the math changes its ONNX in the same file, and the export tests compare the two on real data.
/// </summary>
internal interface IOnnxModule
{
    /// <summary>The module's output, [rows, outputs], for <paramref name="rows"/>, the encoded feature rows [rows, <paramref name="inputSize"/>].</summary>
    string ExportOnnx(OnnxGraph graph, string rows, int inputSize);
}
