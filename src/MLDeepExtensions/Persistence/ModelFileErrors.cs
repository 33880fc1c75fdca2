using System;
using System.IO;

namespace MLDeepExtensions.Persistence;

/// <summary>How a damaged model file is reported, by every reader of its parts.</summary>
internal static class ModelFileErrors
{
    /// <summary>An error saying the file is corrupt or truncated, with what was found.</summary>
    public static InvalidDataException Corrupt(string detail, Exception? inner = null)
        => new($"The model file's deep network is corrupt or truncated: {detail} Save the model again, or check that the file was copied whole.", inner);
}
