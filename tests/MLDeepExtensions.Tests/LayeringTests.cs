using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests;

/// <summary>
/// The library's folders form layers: a folder uses only folders listed before it in src/MLDeepExtensions/README.md.
/// Read from the sources: every top-level type belongs to its file's folder, and a file that names a type of a later
/// folder (in code, not in comments or strings) breaks the layering.
/// </summary>
[TestClass]
public sealed class LayeringTests
{
    private static readonly string Source = Repository.File("src/MLDeepExtensions");

    private static readonly Regex TopLevelType = new(
        @"^(?:public |internal |file )?(?:(?:static|sealed|abstract|readonly|partial|ref) )*(?:class|record struct|record|struct|enum|interface|delegate [\w<>?,\s\[\]]+?)\s+([A-Z]\w*)",
        RegexOptions.Multiline);

    /// <summary>The layer order as README writes it: "Layers, lowest first: A → B → …".</summary>
    private static string[] Layers()
    {
        var line = File.ReadLines(Path.Combine(Source, "README.md")).Single(l => l.StartsWith("Layers, lowest first:", StringComparison.Ordinal));
        return line["Layers, lowest first:".Length..].Split('→', StringSplitOptions.TrimEntries);
    }

    /// <summary>Every .cs file of the library with its top folder, comments and string literals removed.</summary>
    private static Dictionary<string, (string Folder, string Code)> Files()
    {
        var files = new Dictionary<string, (string, string)>();
        foreach (var folder in Directory.GetDirectories(Source).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj" or "build")))
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Source, folder!), "*.cs", SearchOption.AllDirectories))
                files[Path.GetRelativePath(Source, file)] = (folder!, CodeOnly(File.ReadAllText(file)));
        }
        return files;
    }

    private static string CodeOnly(string source)
    {
        source = Regex.Replace(source, @"/\*.*?\*/", "", RegexOptions.Singleline);
        source = Regex.Replace(source, @"//.*", "");
        source = Regex.Replace(source, "@\"(?:[^\"]|\"\")*\"", "\"\"");
        return Regex.Replace(source, "\\$?\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"");
    }

    [TestMethod]
    public void EveryFolder_IsALayer()
    {
        var layers = Layers();
        var folders = Files().Values.Select(f => f.Folder).Distinct().Order().ToArray();
        CollectionAssert.AreEquivalent(folders, layers, "src/MLDeepExtensions/README.md lists every folder once");
    }

    [TestMethod]
    public void EveryFolder_UsesOnlyTheLayersBelowIt()
    {
        var layers = Layers();
        var files = Files();
        var owner = new Dictionary<string, HashSet<string>>();
        foreach (var (folder, code) in files.Values)
        {
            foreach (Match match in TopLevelType.Matches(code))
            {
                if (!owner.TryGetValue(match.Groups[1].Value, out var set))
                    owner[match.Groups[1].Value] = set = [];
                set.Add(folder);
            }
        }
        Assert.IsGreaterThan(100, owner.Count, "the scan finds the library's types");
        var violations = new List<string>();
        foreach (var (path, (folder, code)) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            foreach (var name in Regex.Matches(code, @"\b[A-Z]\w*\b").Select(m => m.Value).Distinct())
            {
                if (owner.TryGetValue(name, out var folders) && folders.Count == 1 && folders.Single() is var other && other != folder
                    && Array.IndexOf(layers, other) > Array.IndexOf(layers, folder))
                    violations.Add($"{path} ({folder}) uses {name} ({other})");
            }
        }
        Assert.IsEmpty(violations, "A folder uses a later layer:\n" + string.Join("\n", violations));
    }
}
