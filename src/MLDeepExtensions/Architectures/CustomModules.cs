using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>What a custom module's factory is told: the sizes the data and the task decided.</summary>
/// <param name="InputSize">Values per input row: the module's <c>forward</c> receives [batch, InputSize] float32 tensors.</param>
/// <param name="InputShape">The feature column's dimensions (e.g. [28, 28] for images saved with their shape; [InputSize] for a plain vector); their product is InputSize.</param>
/// <param name="OutputSize">Values per output row the task needs: classes (multiclass), 1 (binary or scalar regression), the label's size (vector regression).</param>
public sealed record CustomModuleContext(int InputSize, IReadOnlyList<int> InputShape, int OutputSize);

/// <summary>
/// The registry of user-written TorchSharp modules that <see cref="CustomArchitecture"/> trains: a stable name, chosen
/// by you and saved in the model file, and the factory that builds the module for given sizes. Register every module
/// once per process (e.g. at start-up) before fitting, and before loading a model that uses it.
/// </summary>
/// <remarks>
/// Like ML.NET's <c>CustomMapping</c> contract names: the model file stores the name only, so the factory must build the
/// same layers (same field names, the saved weight keys) for the same sizes in every version of your code that loads
/// the model. A module maps [batch, InputSize] float32 rows to [batch, OutputSize] raw outputs (logits for
/// classification, values for regression: the task's loss and post-processing are ours); it must not dispose its input,
/// and its <c>forward</c> may run on several threads at once when the fitted model scores (as TorchSharp's layers can).
/// </remarks>
/// <example><code>
/// CustomModules.Register("residual-mlp", context => new ResidualMlp(context.InputSize, 64, context.OutputSize));
/// var options = new DeepNetworkOptions { Architecture = new CustomArchitecture("residual-mlp") };
/// </code></example>
public static class CustomModules
{
    private static readonly ConcurrentDictionary<string, Func<CustomModuleContext, torch.nn.Module<torch.Tensor, torch.Tensor>>> _factories = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers <paramref name="factory"/> under <paramref name="name"/>: 1 to 64 characters of letters, digits,
    /// '-', '_' and '.'. Registering the same factory again does nothing; another factory under a registered name is an error.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not well formed.</exception>
    /// <exception cref="InvalidOperationException">Another factory is registered under the name.</exception>
    public static void Register(string name, Func<CustomModuleContext, torch.nn.Module<torch.Tensor, torch.Tensor>> factory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!IsWellFormed(name))
            throw new ArgumentException($"Custom module name '{name}' must be 1 to 64 characters of letters, digits, '-', '_' and '.'.", nameof(name));
        var registered = _factories.GetOrAdd(name, factory);
        if (!registered.Equals(factory))
            throw new InvalidOperationException($"A custom module named '{name}' is registered already, with another factory. Choose another name for this module.");
    }

    /// <summary>Whether a module is registered under <paramref name="name"/>.</summary>
    public static bool IsRegistered(string name) => name is not null && _factories.ContainsKey(name);

    internal static bool IsWellFormed(string? name)
        => name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The factory registered under <paramref name="name"/>; the exception says how to register it.</summary>
    internal static Func<CustomModuleContext, torch.nn.Module<torch.Tensor, torch.Tensor>> Factory(string name)
        => _factories.TryGetValue(name, out var factory) ? factory : throw NotRegistered(name);

    internal static CustomModuleNotRegisteredException NotRegistered(string name)
        => new($"No custom module is registered under the name '{name}' in this process. Call CustomModules.Register(\"{name}\", context => new YourModule(...)) " +
               "with the factory that built it, before fitting or loading a model that uses it.");
}

/// <summary>A model or options name a custom module that this process has not registered (see <see cref="CustomModules.Register"/>).</summary>
public sealed class CustomModuleNotRegisteredException : InvalidOperationException
{
    /// <summary>Creates the exception with its message.</summary>
    public CustomModuleNotRegisteredException(string message)
        : base(message)
    {
    }
}
