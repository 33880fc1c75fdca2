using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// Measures the output shape of every layer of a module: hooks each of its layers and runs two placeholder rows through
/// it in eval mode without gradients. Measure a module of your own (the shapes do not depend on the weights): the hooks
/// stay until it is disposed, and a fitted module may be scoring on another thread.
/// </summary>
internal static class LayerShapes
{
    /// <summary>The shapes (batch dimension left out) by layer name, and the module's output shape.</summary>
    /// <param name="module">A module nothing else uses; left in eval mode.</param>
    /// <param name="placeholderRow">An encoded input row the module accepts (<see cref="NetworkArchitecture.PlaceholderRow"/>).</param>
    public static (IReadOnlyDictionary<string, long[]> Layers, long[] Output) Measure(nn.Module<Tensor, Tensor> module, float[] placeholderRow)
    {
        module.eval();
        var shapes = new Dictionary<string, long[]>();
        foreach (var (name, layer) in module.named_modules())
            Hook(name, layer, shapes);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = tensor(placeholderRow.Concat(placeholderRow).ToArray(), new long[] { 2, placeholderRow.Length });
        var output = module.forward(batch);
        return (shapes, output.shape[1..]);
    }

    /// <summary>
    /// Builds a fresh module of <paramref name="architecture"/>, measures it, and hands both to <paramref name="use"/>;
    /// then frees the module. The caller's random stream is left as it was (building draws initial weights from it).
    /// </summary>
    public static T MeasureFresh<T>(NetworkArchitecture architecture, int inputSize, int outputSize,
        System.Func<nn.Module<Tensor, Tensor>, IReadOnlyDictionary<string, long[]>, long[], T> use)
    {
        using var generator = random.get_rng_state();
        nn.Module<Tensor, Tensor>? fresh = null;
        try
        {
            fresh = architecture.CreateModule(inputSize, outputSize);
            var (shapes, output) = Measure(fresh, architecture.PlaceholderRow(inputSize));
            return use(fresh, shapes, output);
        }
        finally
        {
            fresh?.Dispose();
            random.set_rng_state(generator);
        }
    }

    /// <summary>Records the output shape of <paramref name="layer"/> under <paramref name="name"/> each time it runs as a module call.</summary>
    private static void Hook(string name, nn.Module layer, Dictionary<string, long[]> shapes)
    {
        switch (layer)
        {
            case nn.Module<Tensor, Tensor> plain:
                plain.register_forward_hook((_, _, output) => Keep(output, output));
                break;
            case LSTM lstm:
                lstm.register_forward_hook((_, _, _, output) => Keep(output.Item1, output));
                break;
            case GRU gru:
                gru.register_forward_hook((_, _, _, output) => Keep(output.Item1, output));
                break;
            case RNN rnn:
                rnn.register_forward_hook((_, _, _, output) => Keep(output.Item1, output));
                break;
            case nn.Module<Tensor, Tensor?, Tensor> masked: // a Transformer's attention and encoder layers: input and padding mask
                masked.register_forward_hook((_, _, _, output) => Keep(output, output));
                break;
        }

        T Keep<T>(Tensor output, T result)
        {
            shapes[name] = output.shape[1..];
            return result;
        }
    }
}
