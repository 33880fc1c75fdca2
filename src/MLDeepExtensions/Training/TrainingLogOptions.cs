using System;
using System.Collections.Generic;
using System.IO;

namespace MLDeepExtensions;

/// <summary>
/// Where a fit logs its epochs to files (see <see cref="NetworkTrainingOptions.Logging"/>): a TensorBoard event file
/// (<see cref="TensorBoardCallback"/>) and/or a CSV file (<see cref="CsvLogCallback"/>). For example
/// <c>Logging = new TrainingLogOptions { TensorBoardDirectory = "runs/mlp" }</c>, then <c>tensorboard --logdir runs</c>.
/// </summary>
public sealed record TrainingLogOptions
{
    /// <summary>The folder TensorBoard event files are written to, one file per fit; created when missing. Default: null (none).</summary>
    public string? TensorBoardDirectory { get; init; }

    /// <summary>Also writes histograms of every weight and gradient to the TensorBoard file each epoch. Default: false.</summary>
    public bool Histograms { get; init; }

    /// <summary>The CSV file each fit writes its history to, one row per epoch; replaced when it exists. Default: null (none).</summary>
    public string? CsvPath { get; init; }

    /// <summary>Adds one message per invalid setting (prefixed with <paramref name="option"/>, the options' property name).</summary>
    internal void Validate(ValidationErrors errors, string option)
    {
        if (TensorBoardDirectory is null && CsvPath is null)
            errors.Add($"{option} sets neither {nameof(TensorBoardDirectory)} nor {nameof(CsvPath)}; set one of them, or leave {option} null to log to no file.");
        if (TensorBoardDirectory is not null)
            CheckPath(errors, $"{option}.{nameof(TensorBoardDirectory)}", TensorBoardDirectory, isFile: false);
        if (CsvPath is not null)
            CheckPath(errors, $"{option}.{nameof(CsvPath)}", CsvPath, isFile: true);
        if (Histograms && TensorBoardDirectory is null)
            errors.Add($"{option}.{nameof(Histograms)} is true but {option}.{nameof(TensorBoardDirectory)} is null; histograms go to TensorBoard, so set the directory too.");
    }

    /// <summary>The callbacks these options ask for, fresh for one fit, in the order TensorBoard, CSV; none for null.</summary>
    internal static IEnumerable<TrainingCallback> Callbacks(TrainingLogOptions? options)
    {
        if (options?.TensorBoardDirectory is { } directory)
            yield return new TensorBoardCallback(directory, options.Histograms);
        if (options?.CsvPath is { } path)
            yield return new CsvLogCallback(path);
    }

    /// <summary>Adds a message naming <paramref name="option"/> when <paramref name="path"/> is empty, holds characters no path may hold, or (a file) is an existing folder.</summary>
    internal static void CheckPath(ValidationErrors errors, string option, string? path, bool isFile)
    {
        string what = isFile ? "file" : "folder";
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{option} is empty; give the {what} to write, e.g. {(isFile ? "\"logs/training.csv\"" : "\"runs/experiment1\"")}.");
            return;
        }
        string name = Path.GetFileName(path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        int bad = path.IndexOfAny(Path.GetInvalidPathChars());
        if (bad < 0)
            bad = name.IndexOfAny(Path.GetInvalidFileNameChars()) is int inName and >= 0 ? path.Length - name.Length + inName : -1;
        if (bad >= 0 || path.Contains('\0'))
        {
            errors.Add($"{option} is '{path.Replace("\0", "\\0", StringComparison.Ordinal)}', which holds a character a {what} path cannot hold (U+{(int)path[Math.Max(bad, 0)]:X4} at {Math.Max(bad, 0)}); remove it.");
            return;
        }
        try
        {
            string full = Path.GetFullPath(path);
            if (isFile && Directory.Exists(full))
                errors.Add($"{option} is '{path}', which is a folder; give a file in it, e.g. '{Path.Combine(path, "training.csv")}'.");
            if (isFile && name.Length == 0)
                errors.Add($"{option} is '{path}', which names a folder; give a file, e.g. '{Path.Combine(path, "training.csv")}'.");
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            errors.Add($"{option} is '{path}', which is not a valid {what} path ({e.Message}); give another.");
        }
    }
}
