using System.Collections.Generic;
using System.Linq;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Training;
using static TorchSharp.torch;

namespace MLDeepExtensions.Estimators;

/// <summary>Builds a <see cref="NetworkSummary"/> of a fitted network or of the network an estimator would train.</summary>
internal static class NetworkSummaries
{
    /// <summary>
    /// The summary of the network <paramref name="architecture"/> builds for <paramref name="inputSize"/> and
    /// <paramref name="head"/>. Weight counts and frozen layers are read from <paramref name="fitted"/>, or, without one,
    /// from a fresh module with <paramref name="frozenLayers"/> frozen (which throws, as a fit would, when the selection
    /// names no layer or every layer). Shapes are measured on a fresh module; the caller's random stream is left as it was.
    /// </summary>
    public static NetworkSummary Create(NetworkArchitecture architecture, int inputSize, NetworkHead head, string featureColumnName,
        nn.Module<Tensor, Tensor>? fitted, LayerSelection? frozenLayers)
        => LayerShapes.MeasureFresh(architecture, inputSize, head.NetworkOutputSize(inputSize), (fresh, shapes, output) =>
        {
            if (fitted is null)
                NetworkLayers.Freeze(fresh, frozenLayers);
            var inputColumns = architecture.Categorical.Select(c => c.Name).Prepend(featureColumnName).ToArray();
            return new NetworkSummary(architecture.ToString(), head.Describe(), inputSize, output, Layers(fitted ?? fresh, shapes), inputColumns,
                head.Label?.ColumnName, head.Columns.Select(c => c.Name).ToArray());
        });

    /// <summary>
    /// One row per module that holds weights of its own or is a leaf. Rows with weights come in state_dict order (that of
    /// <see cref="NetworkLayers.Names"/>; weights held by the root module itself are each a layer of their own), and each
    /// leaf without weights follows the layer with weights that comes before it in module order.
    /// </summary>
    private static List<LayerSummary> Layers(nn.Module module, IReadOnlyDictionary<string, long[]> shapes)
    {
        var weighted = new Dictionary<string, LayerSummary>();
        var following = new Dictionary<string, List<LayerSummary>> { [""] = new() };
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
            weighted[name] = new LayerSummary(name, "Parameter", null, parameter.numel(), !parameter.requires_grad);
        string previous = "";
        foreach (var (name, layer) in module.named_modules())
        {
            var own = layer.named_parameters(recurse: false).Select(p => p.parameter).ToList();
            if (own.Count == 0 && layer.children().Any())
                continue;
            var row = new LayerSummary(name, layer.GetType().Name, shapes.TryGetValue(name, out var shape) ? shape : null,
                own.Sum(p => p.numel()), own.Count > 0 && own.All(p => !p.requires_grad));
            if (own.Count > 0)
            {
                weighted[name] = row;
                following[previous = name] = new();
            }
            else
                following[previous].Add(row);
        }
        var layers = new List<LayerSummary>(following[""]);
        foreach (var name in NetworkLayers.Names(module))
        {
            layers.Add(weighted[name]);
            layers.AddRange(following.GetValueOrDefault(name) ?? new());
        }
        return layers;
    }
}
