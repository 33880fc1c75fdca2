using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions;

/// <summary>
/// A network you write yourself as a TorchSharp <c>nn.Module&lt;Tensor, Tensor&gt;</c>, registered by name with
/// <see cref="CustomModules.Register"/>, trained by DeepNetwork with every option (optimizers, schedules, early
/// stopping, checkpoints, frozen layers) and saved in the model zip: the file holds the name, the input shape and the
/// weights; loading rebuilds the module with the registered factory.
/// </summary>
/// <remarks>
/// The feature column must be a known-size Single vector. A custom module cannot be exported to ONNX
/// (<c>ConvertToOnnx</c> says so). Its weights can be exported to PyTorch like any other network's.
/// </remarks>
/// <example><code>
/// CustomModules.Register("residual-mlp", context => new ResidualMlp(context.InputSize, 64, context.OutputSize));
/// var options = new DeepNetworkOptions { Architecture = new CustomArchitecture("residual-mlp") };
/// </code></example>
public sealed record CustomArchitecture : NetworkArchitecture
{
    internal const string RegisteredName = "custom";

    /// <summary>Version 1: module name, input shape. Version 2 adds the categorical inputs.</summary>
    internal const int CurrentSettingsVersion = 2;

    private readonly ValueList<int>? _inputShape;

    /// <summary>A network built by the factory registered under <paramref name="moduleName"/>.</summary>
    public CustomArchitecture(string moduleName)
    {
        ModuleName = moduleName;
    }

    /// <summary>The name the module's factory is registered under (<see cref="CustomModules.Register"/>); saved in the model file.</summary>
    public string ModuleName { get; init; }

    /// <summary>The feature column's dimensions; filled in from the training data (leave it null).</summary>
    public IReadOnlyList<int>? InputShape { get => _inputShape; init => _inputShape = value is null ? null : SettingChecks.Own(value); }

    internal override string Name => RegisteredName;

    internal override void Validate(ValidationErrors errors)
    {
        const string name = nameof(CustomArchitecture) + ".";
        CustomModules.Validate(errors, name + nameof(ModuleName), ModuleName, "YourModule");
        if (InputShape is { } shape && (shape.Count == 0 || shape.Any(d => d < 1)))
            errors.Add($"{name}{nameof(InputShape)} is [{SettingChecks.Sizes(shape)}]; leave it null: the training data's feature column sets it.");
    }

    internal override NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
    {
        SchemaChecks.CheckDenseFeatureColumn(featureColumn);
        var type = (VectorDataViewType)featureColumn.Type;
        var dimensions = type.Dimensions.Length > 1 ? type.Dimensions.ToArray() : [type.Size];
        if (InputShape is { } declared && !declared.SequenceEqual(dimensions))
            throw new ArgumentException($"Column '{featureColumn.Name}' has dimensions [{SettingChecks.Sizes(dimensions)}], but {nameof(CustomArchitecture)}.{nameof(InputShape)} " +
                $"is [{SettingChecks.Sizes(declared)}]. Leave {nameof(InputShape)} null: the data sets it.");
        return this with { InputShape = dimensions };
    }

    private protected override nn.Module<Tensor, Tensor> BuildModule(int inputSize, int outputSize)
        => CustomModules.Build(ModuleName, new CustomModuleContext(inputSize, InputShape ?? [inputSize - Categorical.Count], outputSize) { Categorical = Categorical },
            autoencoder: false);

    // The number of weights is known only once the user's factory has built the module; the weight reader checks each tensor's bytes.
    internal override double MinimumWeightCount(int inputSize, int outputSize) => 0;

    internal override void WriteSettings(BinaryWriter writer)
    {
        var shape = InputShape ?? throw new InvalidOperationException("Only a resolved custom architecture can be saved.");
        writer.Write(ModuleName);
        writer.WriteSizes(shape);
        CategoricalInput.WriteAll(writer, Categorical);
    }

    internal static CustomArchitecture ReadSettings(BinaryReader reader, int version)
    {
        string moduleName = reader.ReadString();
        var shape = reader.ReadSizes("custom module", "input dimensions");
        string? problem = null;
        var categorical = version >= 2 ? CategoricalInput.ReadAll(reader, "custom module", out problem) : [];
        CustomModules.CheckSaved(moduleName, "custom module");
        return Checked(new CustomArchitecture(moduleName) { InputShape = shape, Categorical = categorical }, "custom module", problem);
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"custom module '{ModuleName}'" + (InputShape is { } shape ? $" [{SettingChecks.Sizes(shape)}]" : "") + CategoricalInput.Describe(Categorical);
}
