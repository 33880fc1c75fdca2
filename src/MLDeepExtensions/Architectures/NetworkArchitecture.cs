using System.Linq;
using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Data;
using MLDeepExtensions.Interop;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>
/// The shape of a network, independent of the data: layer sizes, activations, regularization. Input and output sizes
/// are not part of it; the estimator takes them from the schema (feature vector size, number of classes, label size).
/// Architectures are immutable records: derive variants with <c>with { … }</c>.
/// </summary>
/// <remarks>
/// Built-in architectures: <see cref="MlpArchitecture"/> (dense layers), <see cref="FtTransformerArchitecture"/>
/// (tabular rows, one token per feature), <see cref="CnnArchitecture"/> and
/// <see cref="ResidualCnnArchitecture"/> (images),
/// <see cref="RnnArchitecture"/> (sequences and token sequences) for <see cref="DeepNetworkEstimator"/>, and
/// <see cref="AutoencoderArchitecture"/> (dense or convolutional) for <see cref="AutoencoderEstimator"/>. Every one
/// names its dense hidden layers <c>HiddenLayers</c>, their activation <c>Activation</c> and their dropout <c>Dropout</c>.
/// </remarks>
public abstract record NetworkArchitecture
{
    private protected NetworkArchitecture()
    {
    }

    /// <summary>The stable name saved with the model, under which the architecture's reader is registered.</summary>
    internal abstract string Name { get; }

    /// <summary>Adds one message per invalid setting (naming the property, the value seen and the fix).</summary>
    internal abstract void Validate(ValidationErrors errors);

    /// <summary>Checks the feature column's shape for the estimator's GetOutputSchema (default: a known-size vector of Single).</summary>
    internal virtual void CheckFeatureShape(SchemaShape inputSchema, string featureColumnName)
        => SchemaChecks.CheckFeatureColumn(inputSchema, featureColumnName);

    /// <summary>
    /// The architecture to train for this feature column, with anything the data decides filled in (an image shape
    /// from the column's dimensions, a maximum sequence length measured with <paramref name="measureMaxSteps"/>), or
    /// an exception naming the column when the two do not fit. Default: the column must be a known-size Single vector.
    /// </summary>
    internal virtual NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
    {
        SchemaChecks.CheckDenseFeatureColumn(featureColumn);
        return this;
    }

    /// <summary>
    /// For a resolved architecture whose input length was measured on the training data (a variable-length sequence's
    /// longest, in values or tokens), that length; null otherwise. A fit that continues this network resolves its options
    /// with it, so "the longest training sequence" keeps meaning the first fit's.
    /// </summary>
    internal virtual int? MeasuredLength => null;

    /// <summary>
    /// The categorical columns the fitted network reads after the feature vector (keys as floats), with their key counts
    /// and embedding sizes: filled in by the fit from <see cref="DeepNetworkOptions.CategoricalColumns"/> for the
    /// architectures that take them (MLP, custom modules); empty otherwise. Saved by those architectures' settings.
    /// </summary>
    internal IReadOnlyList<CategoricalInput> Categorical { get => _categorical; init => _categorical = SettingChecks.Own(value); }

    private readonly ValueList<CategoricalInput> _categorical = SettingChecks.Own(Array.Empty<CategoricalInput>());

    /// <summary>
    /// The embedding size every categorical column gets in this architecture regardless of the default rule (an
    /// FT-Transformer's tokens are all <see cref="FtTransformerArchitecture.ModelSize"/> wide); null where each column is
    /// sized by <see cref="CategoricalColumn.EmbeddingSize"/> or the default rule.
    /// </summary>
    internal virtual int? CategoricalEmbeddingSize => null;

    /// <summary>Floats per encoded row for this (resolved) architecture and feature column: its values, then one key per categorical column.</summary>
    internal virtual int InputSizeFor(DataViewSchema.Column featureColumn) => ((VectorDataViewType)featureColumn.Type).Size + Categorical.Count;

    /// <summary>How feature rows are encoded for this (resolved) architecture, given the encoded width.</summary>
    internal virtual FeatureEncoder CreateEncoder(int inputSize)
        => Categorical.Count == 0 ? new DenseEncoder(inputSize) : new TabularEncoder(inputSize - Categorical.Count, Categorical);

    /// <summary>Whether the network has convolutions (their activations are large: scoring on the CPU prefers small batches).</summary>
    internal virtual bool HasConvolutions => false;

    /// <summary>
    /// The module's last layer when it is known to be a linear layer with a bias whose outputs are the network's (every
    /// built-in supervised network ends in its dense stack's "output" layer), else null. A regression fit folds the
    /// label's standardization into it.
    /// </summary>
    internal virtual TorchSharp.Modules.Linear? OutputLayer(torch.nn.Module module) => null;

    /// <summary>The linear layer named <paramref name="name"/> in <paramref name="module"/> (as in its state_dict keys), if it has a bias.</summary>
    private protected static TorchSharp.Modules.Linear? NamedLinear(torch.nn.Module module, string name)
        => module.named_modules().Where(m => m.name == name).Select(m => m.module).OfType<TorchSharp.Modules.Linear>().FirstOrDefault(l => l.bias is not null);

    /// <summary>An encoded input row the module accepts, for measuring its layers' shapes (see <see cref="LayerShapes"/>): zeros by default.</summary>
    internal virtual float[] PlaceholderRow(int inputSize) => new float[inputSize];

    /// <summary>Builds a freshly initialised module mapping [batch, inputSize] to [batch, outputSize].</summary>
    internal torch.nn.Module<torch.Tensor, torch.Tensor> CreateModule(int inputSize, int outputSize)
    {
        // Loads the native backend (capping oneDNN first, see CpuKernels) before the first module is built.
        TorchNative.EnsureInitialized();
        return BuildModule(inputSize, outputSize);
    }

    /// <summary>Builds the module; called by <see cref="CreateModule"/> once the native backend is loaded.</summary>
    private protected abstract torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize);

    /// <summary>
    /// A lower bound of the weights (each 4 bytes or more) <see cref="CreateModule"/> would allocate for these sizes,
    /// computed without building anything. The loader checks it against the bytes left in the model file before it
    /// builds the module, so damaged settings cannot make it allocate gigabytes. A double, because damaged settings
    /// overflow a long.
    /// </summary>
    internal abstract double MinimumWeightCount(int inputSize, int outputSize);

    /// <summary>
    /// Writes the settings (not the weights) in the layout of the version the architecture registered as current; its
    /// registered reader must read back exactly this.
    /// </summary>
    internal abstract void WriteSettings(BinaryWriter writer);

    /// <summary>
    /// The settings version <see cref="WriteSettings"/> writes, when an architecture writes an older layout for settings
    /// that need nothing newer (so the readers before the current one still load them); null for the registered current one.
    /// </summary>
    internal virtual int? WrittenSettingsVersion => null;

    /// <summary>
    /// <paramref name="architecture"/> as read from a model file, or an <see cref="InvalidDataException"/> listing what
    /// <see cref="Validate"/> (and <paramref name="otherError"/>, if any) found wrong with it.
    /// </summary>
    private protected static T Checked<T>(T architecture, string what, string? otherError = null)
        where T : NetworkArchitecture
    {
        var errors = new ValidationErrors();
        architecture.Validate(errors);
        if (otherError is not null)
            errors.Add($"{otherError}");
        if (errors.Count > 0)
            throw new InvalidDataException($"The model file's {what} settings are corrupt: " + string.Join(" ", errors.Messages));
        return architecture;
    }

    /// <summary>A short description of the network, e.g. "MLP [128, 64] ReLU".</summary>
    public abstract override string ToString();
}
