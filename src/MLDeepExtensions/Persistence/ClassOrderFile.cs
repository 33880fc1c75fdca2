using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MLDeepExtensions.Persistence;

/// <summary>
/// The class names of a classifier's exported weights, in the order of its outputs, beside the weights file:
/// <c>&lt;weights file&gt;.classes.json</c>, e.g. <c>net.pt.classes.json</c> holding
/// <c>{"version": 1, "classes": ["cat", "dog", "bird"]}</c>. Output <c>i</c> of the network (PyTorch's class index
/// <c>i</c>) is <c>classes[i]</c>, ML.NET's key <c>i + 1</c>. Names are text (numbers in invariant culture). Read in
/// Python with <c>json.load(open("net.pt.classes.json"))["classes"]</c>.
/// </summary>
/// <remarks>Format version 1: an object with "version" (1) and "classes" (an array of strings); other members are ignored.</remarks>
internal static class ClassOrderFile
{
    private const int CurrentVersion = 1;

    /// <summary>Largest class file read: a name list of a million classes fits well within it.</summary>
    private const long MaxBytes = 64L << 20;

    /// <summary>Where the class names of the weights in <paramref name="weightsPath"/> go.</summary>
    public static string PathFor(string weightsPath) => weightsPath + ".classes.json";

    /// <summary>Writes <paramref name="classes"/> beside <paramref name="weightsPath"/>; with null, removes a class file left there by an earlier export.</summary>
    public static void Write(string weightsPath, IReadOnlyList<string>? classes)
    {
        string path = PathFor(weightsPath);
        if (classes is null)
        {
            File.Delete(path);
            return;
        }
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("version", CurrentVersion);
        json.WriteStartArray("classes");
        foreach (string name in classes)
            json.WriteStringValue(name);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The class names beside <paramref name="weightsPath"/>, or null when there is no class file; an <see cref="InvalidDataException"/> when it is damaged.</summary>
    public static IReadOnlyList<string>? Read(string weightsPath)
    {
        string path = PathFor(weightsPath);
        if (!File.Exists(path))
            return null;
        if (new FileInfo(path).Length > MaxBytes)
            throw new InvalidDataException($"'{path}' is too large to be a class list; export the weights again.");
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = json.RootElement;
            int version = root.GetProperty("version").GetInt32();
            if (version > CurrentVersion)
                throw new InvalidDataException(FormattableString.Invariant($"'{path}' is a class list of format {version}, newer than this library reads ({CurrentVersion}); update MLDeepExtensions."));
            var classes = root.GetProperty("classes").EnumerateArray().Select(e => e.GetString() ?? throw new InvalidDataException($"'{path}' holds a null class name.")).ToArray();
            if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Length)
                throw new InvalidDataException($"'{path}' names a class twice: {Describe(classes)}.");
            return classes;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is not a class list, or is damaged ({e.Message}); it must hold {{\"version\": 1, \"classes\": [\"name of class 0\", …]}}.", e);
        }
    }

    /// <summary>Class names for messages: "cat, dog, bird" (at most 20 named).</summary>
    public static string Describe(IReadOnlyList<string> classes)
        => classes.Count <= 20 ? string.Join(", ", classes) : string.Join(", ", classes.Take(20)) + FormattableString.Invariant($", … ({classes.Count} classes)");
}
