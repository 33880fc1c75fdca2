using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Onnx;

/// <summary>
/// ONNX for the TorchSharp layers our modules are built from, in eval mode: a <see cref="Sequential"/> of linear,
/// convolution, batch-norm, activation, pooling, upsampling, flatten and dropout layers. The shape of one row (without
/// the batch dimension) is followed from layer to layer, as upsampling and pooling need it. A layer of another kind is
/// an error naming it, never a skipped step.
/// </summary>
internal static class OnnxLayers
{
    /// <summary>Runs <paramref name="layers"/> on <paramref name="input"/>, rows of shape <paramref name="shape"/>; returns the output and its row shape.</summary>
    public static (string Output, long[] Shape) Sequential(OnnxGraph graph, Sequential layers, string input, long[] shape)
    {
        foreach (var (name, layer) in layers.named_children())
            (input, shape) = Layer(graph, name, layer, input, shape);
        return (input, shape);
    }

    /// <summary>Runs one layer named <paramref name="name"/> (its weights' name prefix) on <paramref name="x"/>, rows of shape <paramref name="shape"/>.</summary>
    public static (string Output, long[] Shape) Layer(OnnxGraph graph, string name, nn.Module layer, string x, long[] shape)
    {
        switch (layer)
        {
            case Linear linear:
                return (graph.Op("Gemm", [x, graph.Weights(linear.weight!, name + ".weight"), Bias(graph, linear.bias, linear.weight!.shape[0], name)], ("transB", 1L)),
                    [linear.weight!.shape[0]]);
            case Conv2d conv:
                return Convolution(graph, name, conv, x, shape);
            case BatchNorm1d or BatchNorm2d:
                var norm = (BatchNorm)layer;
                long features = norm.num_features;
                string scale = norm.weight is { } w ? graph.Weights(w, name + ".weight") : graph.Floats(Enumerable.Repeat(1f, (int)features).ToArray(), [features], name + ".weight");
                string shift = Bias(graph, norm.bias, features, name);
                if (norm.running_mean is null || norm.running_var is null)
                    throw Unsupported(graph, name, layer, "batch normalization without running statistics (track_running_stats = false)");
                return (graph.Op("BatchNormalization", [x, scale, shift, graph.Weights(norm.running_mean, name + ".running_mean"), graph.Weights(norm.running_var, name + ".running_var")],
                    ("epsilon", (float)norm.eps)), shape);
            case ReLU:
                return (graph.Op("Relu", x), shape);
            case LeakyReLU leaky:
                return (graph.Op("LeakyRelu", x, ("alpha", (float)leaky.negative_slope)), shape);
            case ELU elu:
                return (graph.Op("Elu", x, ("alpha", (float)elu.alpha)), shape);
            case Tanh:
                return (graph.Op("Tanh", x), shape);
            case Sigmoid:
                return (graph.Op("Sigmoid", x), shape);
            case GELU gelu:
                return (Gelu(graph, x, gelu.approximate == GELU.Approximate.tanh), shape);
            case Dropout or Dropout2d or AlphaDropout:
                return (x, shape);
            case Flatten:
                return (graph.Op("Flatten", x, ("axis", 1L)), [shape.Aggregate(1L, (a, b) => a * b)]);
            case MaxPool2d max:
                if (max.dilation is { } d && d.Any(v => v != 1) || max.ceil_mode)
                    throw Unsupported(graph, name, layer, "max pooling with dilation or ceil_mode");
                return Pool(graph, "MaxPool", x, shape, max.kernel_size, max.stride, max.padding);
            case AvgPool2d avg:
                if (avg.ceil_mode || avg.divisor_override is not null)
                    throw Unsupported(graph, name, layer, "average pooling with ceil_mode or divisor_override");
                return Pool(graph, "AveragePool", x, shape, avg.kernel_size, avg.stride, avg.padding, ("count_include_pad", avg.count_include_pad ? 1L : 0L));
            case AdaptiveAvgPool2d adaptive:
                if (adaptive.output_size.Any(size => size != 1))
                    throw Unsupported(graph, name, layer, "adaptive average pooling to more than 1×1 (only global average pooling is exported)");
                return (graph.Op("GlobalAveragePool", x), [shape[0], 1, 1]);
            case Upsample up:
                return Nearest(graph, name, up, x, shape);
            default:
                throw Unsupported(graph, name, layer, $"a {layer.GetType().Name} layer");
        }
    }

    private static string Bias(OnnxGraph graph, Tensor? bias, long size, string name)
        => bias is not null ? graph.Weights(bias, name + ".bias") : graph.Floats(new float[size], [size], name + ".bias");

    private static (string, long[]) Convolution(OnnxGraph graph, string name, Conv2d conv, string x, long[] shape)
    {
        if (conv.groups != 1 || conv.padding_mode != PaddingModes.Zeros)
            throw Unsupported(graph, name, conv, "a grouped convolution or one padded otherwise than with zeros");
        long[] kernel = conv.kernel_size, stride = conv.stride, dilation = conv.dilation;
        long[] begin = new long[2], end = new long[2];
        for (int i = 0; i < 2; i++)
        {
            if (conv.padding_type == Padding.Same)
            {
                // PyTorch's "same": the total padding split with the smaller half first.
                long total = dilation[i] * (kernel[i] - 1);
                begin[i] = total / 2;
                end[i] = total - begin[i];
            }
            else if (conv.padding_type != Padding.Valid)
            {
                begin[i] = end[i] = conv.padding is { Length: > 0 } p ? p[Math.Min(i, p.Length - 1)] : 0;
            }
        }
        var output = new long[3];
        output[0] = conv.out_channels;
        for (int i = 0; i < 2; i++)
            output[1 + i] = (shape[1 + i] + begin[i] + end[i] - dilation[i] * (kernel[i] - 1) - 1) / stride[i] + 1;
        string y = graph.Op("Conv", [x, graph.Weights(conv.weight!, name + ".weight"), Bias(graph, conv.bias, conv.out_channels, name)],
            ("kernel_shape", kernel), ("strides", stride), ("dilations", dilation), ("pads", new[] { begin[0], begin[1], end[0], end[1] }));
        return (y, output);
    }

    private static (string, long[]) Pool(OnnxGraph graph, string op, string x, long[] shape, long[] kernel, long[]? stride, long[]? padding,
        params (string, object)[] extra)
    {
        stride = stride is { Length: > 0 } ? stride : kernel;
        padding = padding is { Length: > 0 } ? padding : [0, 0];
        var output = new[] { shape[0], (shape[1] + 2 * padding[0] - kernel[0]) / stride[0] + 1, (shape[2] + 2 * padding[1] - kernel[1]) / stride[1] + 1 };
        var attributes = new (string, object)[] { ("kernel_shape", kernel), ("strides", stride), ("pads", new[] { padding[0], padding[1], padding[0], padding[1] }) }.Concat(extra).ToArray();
        return (graph.Op(op, x, attributes), output);
    }

    /// <summary>GELU from Erf (exact) or Tanh (the tanh approximation); ONNX has no Gelu op before opset 20.</summary>
    public static string Gelu(OnnxGraph graph, string x, bool tanhApproximation)
    {
        string inner = tanhApproximation
            ? graph.Op("Tanh", graph.Mul(graph.Add(x, graph.Mul(graph.Float(0.044715f), graph.Mul(x, graph.Mul(x, x)))), graph.Float(MathF.Sqrt(2f / MathF.PI))))
            : graph.Op("Erf", graph.Mul(x, graph.Float(1f / MathF.Sqrt(2f))));
        return graph.Mul(graph.Mul(x, graph.Float(0.5f)), graph.Add(inner, graph.Float(1f)));
    }

    /// <summary>
    /// Nearest upsampling as two Gathers of the rows and columns PyTorch picks (source = ⌊destination · in/out⌋ in
    /// single precision), which is exact in every opset, where Resize changed its rounding rules between opsets.
    /// </summary>
    private static (string, long[]) Nearest(OnnxGraph graph, string name, Upsample up, string x, long[] shape)
    {
        if (up.mode != UpsampleMode.Nearest)
            throw Unsupported(graph, name, up, $"{up.mode} upsampling (only nearest is exported)");
        var size = up.size.ToArray();
        var factors = up.scale_factor.ToArray();
        var output = new long[] { shape[0], 0, 0 };
        string y = x;
        for (int i = 0; i < 2; i++)
        {
            long from = shape[1 + i];
            long to = size.Length > 0 ? size[Math.Min(i, size.Length - 1)] : (long)Math.Floor(from * factors[Math.Min(i, factors.Length - 1)]);
            float scale = size.Length > 0 ? (float)from / to : (float)(1.0 / factors[Math.Min(i, factors.Length - 1)]);
            var indices = new long[to];
            for (long j = 0; j < to; j++)
                indices[j] = Math.Min((long)MathF.Floor(j * scale), from - 1);
            y = graph.Gather(y, 2 + i, indices);
            output[1 + i] = to;
        }
        return (y, output);
    }

    private static NotSupportedException Unsupported(OnnxGraph graph, string name, nn.Module layer, string what)
        => new($"The {graph.Owner} cannot be exported to ONNX: layer '{name}' is {what}, which the exporter does not write. " +
               $"Score this model with the {graph.Owner} itself, or build the network from exportable layers.");
}
