using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>What a custom module's factory is told: the sizes the data and the task decided.</summary>
/// <param name="InputSize">Values per input row: the module's <c>forward</c> receives [batch, InputSize] float32 tensors.</param>
/// <param name="InputShape">The feature column's dimensions (e.g. [28, 28] for images saved with their shape; [InputSize] for a plain vector); their product is InputSize, less one value per <see cref="Categorical"/> input.</param>
/// <param name="OutputSize">Values per output row the task needs: classes (multiclass), 1 (binary or scalar regression), the label's size (vector regression); InputSize for an autoencoder.</param>
/// <param name="LatentSize">An autoencoder's latent size (<see cref="AutoencoderArchitecture.LatentSize"/>), which its <see cref="CustomAutoencoderModule.Encode"/> must return; 0 for other networks.</param>
public sealed record CustomModuleContext(int InputSize, IReadOnlyList<int> InputShape, int OutputSize, int LatentSize = 0)
{
    /// <summary>
    /// The categorical columns (<see cref="DeepNetworkOptions.CategoricalColumns"/>) whose keys follow the feature
    /// column's values in each row, in this order: InputSize is the feature column's size plus their count. Embed them
    /// yourself (e.g. <c>nn.Embedding(input.KeyCount + 1, input.EmbeddingSize)</c> on the key as an Int64). Default: none.
    /// </summary>
    public IReadOnlyList<CategoricalInput> Categorical { get; init; } = [];
}

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

    /// <summary>Adds a message when the option <paramref name="option"/> (e.g. "CustomArchitecture.ModuleName") is not a well-formed, registered name.</summary>
    internal static void Validate(ValidationErrors errors, string option, string? name, string example)
    {
        if (!IsWellFormed(name))
            errors.Add($"{option} is '{name}'; it must be 1 to 64 characters of letters, digits, '-', '_' and '.', the name given to CustomModules.Register.");
        else if (!IsRegistered(name!))
            errors.Add($"{option} is '{name}', which is not registered: call CustomModules.Register(\"{name}\", context => new {example}(...)) first.");
    }

    /// <summary>
    /// <paramref name="name"/> as read from a model file's <paramref name="what"/> settings: an <see cref="System.IO.InvalidDataException"/>
    /// when it is not well formed, a <see cref="CustomModuleNotRegisteredException"/> when this process has not registered it.
    /// </summary>
    internal static string CheckSaved(string name, string what)
    {
        if (!IsWellFormed(name))
            throw new System.IO.InvalidDataException($"The model file's {what} settings are corrupt: its module name is not well formed.");
        if (!IsRegistered(name))
            throw NotRegistered(name);
        return name;
    }

    /// <summary>The factory registered under <paramref name="name"/>; the exception says how to register it.</summary>
    internal static Func<CustomModuleContext, torch.nn.Module<torch.Tensor, torch.Tensor>> Factory(string name)
        => _factories.TryGetValue(name, out var factory) ? factory : throw NotRegistered(name);

    /// <summary>
    /// Builds the module registered under <paramref name="name"/> for <paramref name="context"/> and checks it before any
    /// training: float32 weights on the CPU, and a forward (for an autoencoder also Encode) that maps a batch of rows to
    /// the sizes the task needs. Touches no random state (the check runs in eval mode on zeros).
    /// </summary>
    internal static torch.nn.Module<torch.Tensor, torch.Tensor> Build(string name, CustomModuleContext context, bool autoencoder)
    {
        var module = Factory(name)(context) ?? throw new InvalidOperationException($"The factory of custom module '{name}' returned null; it must return a new module.");
        try
        {
            if (autoencoder && module is not CustomAutoencoderModule)
                throw new InvalidOperationException($"Custom module '{name}' is a {module.GetType().Name}; an autoencoder's module must derive from {nameof(CustomAutoencoderModule)} (Encode and Decode).");
            Check(name, module, context, autoencoder);
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    private const int ProbeRows = 2;

    private static void Check(string name, torch.nn.Module<torch.Tensor, torch.Tensor> module, CustomModuleContext context, bool autoencoder)
    {
        var parameters = module.named_parameters().ToList();
        if (parameters.Count == 0)
            throw new InvalidOperationException($"Custom module '{name}' has no weights to train: register its layers as fields (and call RegisterComponents() in its constructor).");
        foreach (var (weight, parameter) in parameters)
        {
            if (parameter.dtype != torch.ScalarType.Float32)
                throw new InvalidOperationException($"Custom module '{name}' has weight '{weight}' of type {parameter.dtype}; networks train in float32: build its layers with the default dtype.");
            if (parameter.device_type != DeviceType.CPU)
                throw new InvalidOperationException($"Custom module '{name}' has weight '{weight}' on {parameter.device}; build it on the CPU: the estimator moves it to its device.");
        }
        bool training = module.training;
        module.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var rows = torch.zeros(ProbeRows, context.InputSize);
            Expect(name, "maps", Run(name, () => module.forward(rows), context), context.OutputSize, "the task needs",
                "(CustomModuleContext.OutputSize: classes for multiclass, 1 for binary or scalar regression, the label's size for vector regression, the input size for an autoencoder)", context);
            if (autoencoder)
                Expect(name, "encodes", Run(name, () => ((CustomAutoencoderModule)module).Encode(rows), context), context.LatentSize, "the autoencoder's latent size needs",
                    "(CustomModuleContext.LatentSize)", context);
        }
        finally
        {
            module.train(training);
        }
    }

    private static torch.Tensor Run(string name, Func<torch.Tensor> forward, CustomModuleContext context)
    {
        try
        {
            return forward();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"Custom module '{name}' failed on a batch of {ProbeRows} rows of {context.InputSize} values ([{ProbeRows}, {context.InputSize}]): {e.Message}", e);
        }
    }

    private static void Expect(string name, string verb, torch.Tensor output, int width, string needs, string hint, CustomModuleContext context)
    {
        if (output.dtype != torch.ScalarType.Float32 || !output.shape.SequenceEqual(new long[] { ProbeRows, width }))
            throw new InvalidOperationException(FormattableString.Invariant(
                $"Custom module '{name}' {verb} a batch of [{ProbeRows}, {context.InputSize}] to {output.dtype} [{string.Join(", ", output.shape)}]; {needs} float32 [{ProbeRows}, {width}] ") + hint + ".");
    }

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
