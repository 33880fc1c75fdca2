using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Persistence;

namespace MLDeepExtensions.Heads;

/// <summary>
/// The class order of imported classifier weights against the label's: output <c>i</c> of the imported network is the
/// class the label numbers key <c>i + 1</c>. PyTorch numbers classes by index, ML.NET's MapValueToKey by order of
/// appearance, so the two agree only when the label is mapped in the weights' order; a mismatch would score every row
/// with a permuted class, so it is an error. The weights' order comes from the class file an export writes beside them
/// (<see cref="ClassOrderFile"/>) and from <see cref="DeepNetworkOptions.InitialWeightsClasses"/>.
/// </summary>
internal static class ImportedClasses
{
    /// <summary>Checks every class order known for <paramref name="weightsPath"/> against the label's, or warns that none is known.</summary>
    /// <param name="weightsPath">The weights file (InitialWeights).</param>
    /// <param name="stated">The order InitialWeightsClasses states, or null.</param>
    /// <param name="labelClasses">The label's class names in key order, or null when its key type has none.</param>
    /// <param name="labelColumn">The label column's name, for messages.</param>
    /// <param name="channel">Where warnings go.</param>
    public static void Check(string weightsPath, IReadOnlyList<string>? stated, IReadOnlyList<string>? labelClasses, string labelColumn, IChannel channel)
    {
        var exported = ClassOrderFile.Read(weightsPath);
        string classFile = ClassOrderFile.PathFor(weightsPath);
        if (exported is null && stated is null)
        {
            channel.Warning($"'{weightsPath}' comes without its class order ('{Path.GetFileName(classFile)}') and {"InitialWeightsClasses"} is not set: " +
                $"output i of the imported network is taken as key i + 1 of the label column '{labelColumn}'" +
                (labelClasses is null ? "." : $", i.e. the classes in the order {ClassOrderFile.Describe(labelClasses)}.") +
                " PyTorch numbers classes by index and MapValueToKey by order of appearance: if they differ, every prediction names the wrong class. " +
                $"Set {"InitialWeightsClasses"} to the classes in PyTorch's index order (e.g. dataset.classes) to have it checked.");
            return;
        }
        if (labelClasses is null)
        {
            channel.Warning($"The label column '{labelColumn}' is a key type without class names (KeyValues), so the class order of '{weightsPath}' " +
                $"({ClassOrderFile.Describe((exported ?? stated)!)}) cannot be checked: key i + 1 is taken as output i. Map the label from its values with MapValueToKey to have it checked.");
            return;
        }
        if (exported is not null && Problem(exported, labelClasses, labelColumn) is { } fileProblem)
            throw new InvalidDataException($"The weights in '{weightsPath}' are for the classes in the order {ClassOrderFile.Describe(exported)} ('{classFile}'), {fileProblem}");
        if (stated is not null && Problem(stated, labelClasses, labelColumn) is { } statedProblem)
            throw new ArgumentException($"{"InitialWeightsClasses"} gives the classes of the weights in '{weightsPath}' in the order {ClassOrderFile.Describe(stated)}, {statedProblem}",
                "InitialWeightsClasses");
    }

    /// <summary>What is wrong when the weights' order differs from the label's, with the fix; null when they agree.</summary>
    private static string? Problem(IReadOnlyList<string> weights, IReadOnlyList<string> label, string labelColumn)
    {
        if (weights.SequenceEqual(label, StringComparer.Ordinal))
            return null;
        if (weights.Count != label.Count || !weights.Order(StringComparer.Ordinal).SequenceEqual(label.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            return $"but the label column '{labelColumn}' has the classes {ClassOrderFile.Describe(label)}: the weights were trained for other classes. " +
                "Prepare the label as it was when the weights were trained.";
        return $"but the label column '{labelColumn}' numbers them {ClassOrderFile.Describe(label)}: imported as they are, the network would name the wrong class for every row. " +
            $"Map the label in the weights' order: mlContext.Transforms.Conversion.MapValueToKey(\"{labelColumn}\", keyData: a one-column IDataView of the class names in that order)" +
            (IsSorted(weights) ? ", or with keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue, which sorts them so." : ".");
    }

    /// <summary>Whether the names are in the order MapValueToKey's ByValue gives: numeric for numbers, ordinal for text.</summary>
    private static bool IsSorted(IReadOnlyList<string> names)
    {
        var numbers = names.Select(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : (double?)null).ToArray();
        if (numbers.All(n => n is not null))
            return numbers.Zip(numbers.Skip(1)).All(p => p.First < p.Second);
        return names.Zip(names.Skip(1)).All(p => string.CompareOrdinal(p.First, p.Second) < 0);
    }
}
