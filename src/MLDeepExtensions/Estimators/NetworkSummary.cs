using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MLDeepExtensions;

/// <summary>
/// One layer of a <see cref="NetworkSummary"/>: a module of the network that holds weights, or a leaf module without
/// (an activation, pooling, dropout), in the order the input flows through the network.
/// </summary>
/// <param name="Name">
/// The layer's name as in the PyTorch state_dict without the weight's own name (<c>features.conv0</c>, <c>head.output</c>):
/// for layers with weights, the names <see cref="NetworkTransformerBase.LayerNames"/> lists and <see cref="LayerSelection"/> selects.
/// </param>
/// <param name="Type">The TorchSharp module type, e.g. <c>Linear</c>, <c>Conv2d</c>, <c>LSTM</c>, <c>ReLU</c>.</param>
/// <param name="OutputShape">
/// The shape of the layer's output for one row (the batch dimension left out), e.g. [8] or [4, 2, 2], measured by running
/// a batch of placeholder rows through the network; null where the layer did not run as a module call of its own (a
/// recurrent layer over variable-length sequences runs on a packed sequence; a layer your own module runs with <c>layer.forward(x)</c>
/// rather than <c>layer.call(x)</c>, which runs TorchSharp's forward hooks).
/// </param>
/// <param name="ParameterCount">The number of weights the layer holds itself, ≥ 0.</param>
/// <param name="Frozen">True when the layer's weights do not train (see <see cref="NetworkTrainingOptions.FrozenLayers"/>); false for a layer without weights.</param>
public sealed record LayerSummary(string Name, string Type, IReadOnlyList<long>? OutputShape, long ParameterCount, bool Frozen)
{
    /// <summary>The output shape as text, e.g. "(batch, 4, 2, 2)", or "?" when it was not measured.</summary>
    public string FormatShape() => NetworkSummary.FormatShape(OutputShape);
}

/// <summary>
/// What a network is made of, like Keras's <c>model.summary()</c>: its layers with their output shapes and weight counts,
/// the totals, the columns it reads and writes, and its task. <see cref="ToString"/> renders it as an aligned text table.
/// Made by <c>Summary()</c> on a fitted transformer and by <c>Summary(schema)</c> on an estimator (before any training).
/// </summary>
public sealed class NetworkSummary
{
    internal NetworkSummary(string architecture, string task, int inputSize, IReadOnlyList<long> outputShape, IReadOnlyList<LayerSummary> layers,
        IReadOnlyList<string> inputColumns, string? labelColumn, IReadOnlyList<string> outputColumns)
    {
        Architecture = architecture;
        Task = task;
        InputSize = inputSize;
        OutputShape = outputShape;
        Layers = layers;
        InputColumns = inputColumns;
        LabelColumn = labelColumn;
        OutputColumns = outputColumns;
    }

    /// <summary>The architecture, as its <c>ToString()</c> describes it (e.g. "MLP 16 → [64, 32] ReLU").</summary>
    public string Architecture { get; }

    /// <summary>The task the network's head solves, e.g. "multiclass classification of 3 classes" or "forecasting 2 steps, mean".</summary>
    public string Task { get; }

    /// <summary>Values per network input row (see <see cref="NetworkTransformerBase.InputSize"/>).</summary>
    public int InputSize { get; }

    /// <summary>The shape of the network's output for one row (the batch dimension left out).</summary>
    public IReadOnlyList<long> OutputShape { get; }

    /// <summary>The layers, from input to output.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>The columns the network reads when it scores: the feature column, then any categorical columns.</summary>
    public IReadOnlyList<string> InputColumns { get; }

    /// <summary>The label column the network learns from; null for autoencoders and forecasting (they learn from their input).</summary>
    public string? LabelColumn { get; }

    /// <summary>The columns scoring adds, e.g. Score, PredictedLabel.</summary>
    public IReadOnlyList<string> OutputColumns { get; }

    /// <summary>Every weight of the network: the sum over <see cref="Layers"/>, equal to <see cref="NetworkTransformerBase.ParameterCount"/>.</summary>
    public long ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <summary>The weights that train: those of layers that are not <see cref="LayerSummary.Frozen"/>.</summary>
    public long TrainableParameterCount => Layers.Where(l => !l.Frozen).Sum(l => l.ParameterCount);

    /// <summary>The weights of frozen layers.</summary>
    public long FrozenParameterCount => ParameterCount - TrainableParameterCount;

    /// <summary>The summary as an aligned text table: one line per layer (name, type, output shape, weights, trainable or frozen), then the totals, columns and task.</summary>
    public override string ToString()
    {
        string[] header = { "Layer", "Type", "Output shape", "Weights", "Trains" };
        var rows = Layers.Select(l => new[] { l.Name, l.Type, l.FormatShape(), Count(l.ParameterCount), l.ParameterCount == 0 ? "-" : l.Frozen ? "frozen" : "yes" }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var rule = new string('-', widths.Sum() + 2 * (widths.Length - 1));
        var text = new StringBuilder();
        text.AppendLine($"{Architecture}: {Task}");
        text.AppendLine(rule);
        AppendRow(text, header, widths);
        text.AppendLine(rule);
        foreach (var row in rows)
            AppendRow(text, row, widths);
        text.AppendLine(rule);
        text.AppendLine($"Weights: {Count(ParameterCount)} ({Count(TrainableParameterCount)} trainable, {Count(FrozenParameterCount)} frozen)");
        text.AppendLine($"Input: {Count(InputSize)} values per row from {string.Join(", ", InputColumns)}; output: {FormatShape(OutputShape)}");
        if (LabelColumn is not null)
            text.AppendLine($"Label column: {LabelColumn}");
        text.Append($"Output columns: {string.Join(", ", OutputColumns)}");
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            // Counts align right, text left; the last column carries no trailing blanks.
            string cell = i == 3 ? cells[i].PadLeft(widths[i]) : i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i]);
            text.Append(cell);
            if (i < cells.Length - 1)
                text.Append("  ");
        }
        text.AppendLine();
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    internal static string FormatShape(IReadOnlyList<long>? shape)
        => shape is null ? "?" : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)).Prepend("batch")) + ")";
}
