using System;
using System.Collections.Generic;
using System.Linq;

namespace MLDeepExtensions.Architectures;

/// <summary>The checks architectures share; each adds one message (naming the setting and the value seen) per problem.</summary>
internal static class SettingChecks
{
    public static void AtLeastOne(ValidationErrors errors, string name, int value)
    {
        if (value < 1)
            errors.Add($"{name} is {value}; it must be ≥ 1.");
    }

    /// <summary>A dropout-like probability in [0, 1).</summary>
    public static void Probability(ValidationErrors errors, string name, float value)
    {
        if (!(value >= 0 && value < 1))
            errors.Add($"{name} is {value}; it must be in [0, 1) (0 turns it off).");
    }

    public static void Defined<TEnum>(ValidationErrors errors, string name, TEnum value)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            errors.Add($"{name} is {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)}, which is not a member of {typeof(TEnum).Name}.");
    }

    /// <summary>A list of layer sizes: not null, each ≥ 1.</summary>
    public static void LayerSizes(ValidationErrors errors, string name, IReadOnlyList<int>? sizes, string whenNull)
    {
        if (sizes is null)
        {
            errors.Add($"{name} is null; {whenNull}");
            return;
        }
        for (int i = 0; i < sizes.Count; i++)
        {
            if (sizes[i] < 1)
                errors.Add($"{name}[{i}] is {sizes[i]}; each layer needs at least 1 unit.");
        }
    }

    /// <summary>Sizes as "128, 64", the same in every culture (for descriptions and messages).</summary>
    public static string Sizes(IEnumerable<int> sizes) => string.Join(", ", sizes.Select(size => size.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A copy of a list given to an init accessor, so a record owns its lists and compares them by value (null stays null for Validate to report).</summary>
    public static ValueList<T> Own<T>(IEnumerable<T>? list) => list is null ? null! : new ValueList<T>(list);
}
