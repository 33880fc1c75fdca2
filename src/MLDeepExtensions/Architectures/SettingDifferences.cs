using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// Names the settings in which two architectures differ, each with both values, for messages such as a refused
/// continuation. It reads the records' properties, so a setting added to an architecture is covered without listing it.
/// </summary>
internal static class SettingDifferences
{
    /// <summary>"Name: was → now" for each setting of <paramref name="was"/> and <paramref name="now"/> that differs; empty when they are equal.</summary>
    public static IReadOnlyList<string> Between(NetworkArchitecture was, NetworkArchitecture now)
    {
        if (was.GetType() != now.GetType())
            return [$"kind: {was.GetType().Name} → {now.GetType().Name}"];
        var differences = new List<string>();
        foreach (var property in Settings(was.GetType()))
        {
            object? a = property.GetValue(was), b = property.GetValue(now);
            if (!Equals(a, b))
                differences.Add($"{property.Name}: {Format(a)} → {Format(b)}");
        }
        return differences;
    }

    /// <summary>The settings of an architecture type: its init-only properties, public or internal (what a record compares, but its equality contract).</summary>
    private static IEnumerable<PropertyInfo> Settings(Type type)
        => type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.GetIndexParameters().Length == 0 && p.SetMethod is { } set
                && set.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)))
            .OrderBy(p => p.MetadataToken);

    private static string Format(object? value) => value switch
    {
        null => "none",
        string text => text,
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Format)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
