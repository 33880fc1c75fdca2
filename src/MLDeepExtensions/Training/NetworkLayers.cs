using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>
/// A network's layers as users name them: the parts that hold trainable weights, named by their state_dict keys
/// without the last part (<c>features.conv0.weight</c> → <c>features.conv0</c>), in state_dict order, which is the
/// order the input flows through our modules. Layers of buffers only (an MLP's input standardization) are not listed:
/// there is nothing in them to train or freeze. Also freezes a selection of them for a fit.
/// </summary>
internal static class NetworkLayers
{
    public static IReadOnlyList<string> Names(nn.Module module)
    {
        var names = new List<string>();
        foreach (var (key, _) in module.named_parameters())
        {
            string layer = LayerOf(key);
            if (!names.Contains(layer))
                names.Add(layer);
        }
        return names;
    }

    /// <summary>
    /// Freezes the layers <paramref name="selection"/> picks: their weights stop requiring gradients, and the trainable
    /// weights are returned for the optimizer. Null freezes nothing.
    /// </summary>
    public static Frozen Freeze(nn.Module module, LayerSelection? selection)
    {
        if (selection is null)
            return new Frozen(module.parameters().ToList(), Array.Empty<string>(), Array.Empty<nn.Module>());
        var layers = selection.Select(Names(module), nameof(NetworkTrainingOptions.FrozenLayers));
        var trainable = new List<Parameter>();
        foreach (var (name, parameter) in module.named_parameters())
        {
            bool frozen = layers.Contains(LayerOf(name));
            parameter.requires_grad_(!frozen);
            if (!frozen)
                trainable.Add(parameter);
        }
        if (trainable.Count == 0)
            throw new ArgumentException($"{nameof(NetworkTrainingOptions.FrozenLayers)} ({selection}) freezes every layer that has weights, so nothing would train. " +
                $"Leave at least one layer trainable (see {nameof(LayerSelection)}.{nameof(LayerSelection.AllButLast)}).");
        var modules = module.named_modules().Where(m => layers.Contains(m.name)).Select(m => m.module).ToArray();
        return new Frozen(trainable, layers, modules);
    }

    private static string LayerOf(string key)
    {
        int dot = key.LastIndexOf('.');
        return dot < 0 ? key : key[..dot];
    }

    /// <summary>The outcome of <see cref="Freeze"/>: what trains, and what must stay in inference mode.</summary>
    public sealed record Frozen(IReadOnlyList<Parameter> Trainable, IReadOnlyList<string> Layers, IReadOnlyList<nn.Module> Modules)
    {
        /// <summary>
        /// Puts the frozen layers back in inference mode after the module was switched to training: batch normalization
        /// then uses and keeps its running statistics.
        /// </summary>
        public void KeepInInferenceMode()
        {
            foreach (var layer in Modules)
                layer.eval();
        }
    }
}
