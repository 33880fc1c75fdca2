using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// Finds an architecture's settings reader by the stable name saved in a model file. Each architecture registers once,
/// with the version of the settings layout it writes; files from older versions of its layout stay readable by its
/// reader, and a file with a newer layout gets an error that says so.
/// </summary>
/// <remarks>
/// The "Network" entry of a model file starts with the architecture's name, then (since model format 0x00020001) its
/// settings version, then the settings; files of format 0x00010001 have no settings version: it is 1.
/// </remarks>
internal static class ArchitectureRegistry
{
    /// <summary>Reads the settings of one layout version into a new architecture (validated by the reader).</summary>
    internal delegate NetworkArchitecture SettingsReader(BinaryReader reader, int settingsVersion);

    private sealed record Entry(int CurrentVersion, SettingsReader Read);

    private static readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    static ArchitectureRegistry()
    {
        // The built-in architectures. A new one adds one line here (see README.md beside this file).
        Register(MlpArchitecture.RegisteredName, MlpArchitecture.CurrentSettingsVersion, MlpArchitecture.ReadSettings);
        Register(CnnArchitecture.RegisteredName, CnnArchitecture.CurrentSettingsVersion, CnnArchitecture.ReadSettings);
        Register(RnnArchitecture.RegisteredName, RnnArchitecture.CurrentSettingsVersion, RnnArchitecture.ReadSettings);
        Register(AutoencoderArchitecture.DenseName, AutoencoderArchitecture.CurrentSettingsVersion, (r, v) => AutoencoderArchitecture.ReadSettings(r, v, convolutional: false));
        Register(CustomArchitecture.RegisteredName, CustomArchitecture.CurrentSettingsVersion, CustomArchitecture.ReadSettings);
        Register(AutoencoderArchitecture.CustomName, AutoencoderArchitecture.CurrentSettingsVersion, AutoencoderArchitecture.ReadCustomSettings);
        Register(TransformerArchitecture.RegisteredName, TransformerArchitecture.CurrentSettingsVersion, TransformerArchitecture.ReadSettings);
        Register(ForecastArchitecture.RegisteredName, ForecastArchitecture.CurrentSettingsVersion, ForecastArchitecture.ReadSettings);
        Register(AutoencoderArchitecture.ConvolutionalName, AutoencoderArchitecture.CurrentSettingsVersion, (r, v) => AutoencoderArchitecture.ReadSettings(r, v, convolutional: true));
        Register(ResidualCnnArchitecture.RegisteredName, ResidualCnnArchitecture.CurrentSettingsVersion, ResidualCnnArchitecture.ReadSettings);
        Register(FtTransformerArchitecture.RegisteredName, FtTransformerArchitecture.CurrentSettingsVersion, FtTransformerArchitecture.ReadSettings);
    }

    /// <summary>Registers the reader of the architecture saved under <paramref name="name"/>; a name registers once.</summary>
    public static void Register(string name, int currentVersion, SettingsReader read)
    {
        if (!IsWellFormed(name))
            throw new ArgumentException($"Architecture name '{name}' must be 1 to 32 characters of a–z, 0–9, '-' and '_'.", nameof(name));
        ArgumentOutOfRangeException.ThrowIfLessThan(currentVersion, 1);
        if (!_entries.TryAdd(name, new Entry(currentVersion, read)))
            throw new InvalidOperationException($"An architecture named '{name}' is registered already.");
    }

    /// <summary>The names registered so far (the built-ins and any added since).</summary>
    public static IReadOnlyCollection<string> Names => _entries.Keys.ToArray();

    /// <summary>Writes the architecture's name, its settings version and its settings.</summary>
    public static void Write(BinaryWriter writer, NetworkArchitecture architecture)
    {
        writer.Write(architecture.Name);
        writer.Write(architecture.WrittenSettingsVersion ?? _entries[architecture.Name].CurrentVersion);
        architecture.WriteSettings(writer);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, or (<paramref name="versioned"/> false) a 0.1.0 file's name and settings.</summary>
    public static NetworkArchitecture Read(BinaryReader reader, bool versioned)
    {
        // ReadString grows its buffer only as bytes arrive, so a damaged length prefix cannot make it allocate more than the entry holds.
        string name = reader.ReadString();
        if (!_entries.TryGetValue(name, out var entry))
        {
            // A name like ours comes from another version; anything else is damage.
            throw new InvalidDataException(IsWellFormed(name)
                ? $"The model file names network architecture '{name}', which this version of MLDeepExtensions does not know. " +
                  "Load it with the version that saved it, or a newer one."
                : "The model file's deep network is corrupt: its architecture name is unreadable. Save the model again, or check that the file was copied whole.");
        }
        int version = versioned ? reader.ReadInt32() : 1;
        if (version > entry.CurrentVersion)
            throw new InvalidDataException(FormattableString.Invariant(
                $"The model file's '{name}' network settings have layout version {version}, newer than this version of MLDeepExtensions reads (up to {entry.CurrentVersion}). ") +
                "Load it with the version of MLDeepExtensions that saved it, or a newer one.");
        if (version < 1)
            throw new InvalidDataException(FormattableString.Invariant($"The model file's deep network is corrupt: '{name}' settings version {version}."));
        return entry.Read(reader, version);
    }

    private static bool IsWellFormed(string name)
        => name.Length is > 0 and <= 32 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');
}
