using System.Collections.Generic;
using System.IO;
using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using TorchSharp;

namespace MLDeepExtensions;

/// <summary>
/// The shape of a network, independent of the data: layer sizes, activations, regularization. The input size
/// and output size are not part of it; the estimator takes them from the schema (feature vector size, number of
/// classes, label vector size).
/// </summary>
/// <remarks>Built-in architectures: <see cref="MlpArchitecture"/>, <see cref="CnnArchitecture"/>.</remarks>
public abstract class NetworkArchitecture
{
    private protected NetworkArchitecture()
    {
    }

    /// <summary>A short name saved with the model to find the architecture again when loading.</summary>
    internal abstract string Kind { get; }

    /// <summary>Adds one message per invalid setting (naming the property, the value seen and the fix).</summary>
    internal abstract void Validate(ICollection<string> errors);

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

    /// <summary>Floats per encoded row for this (resolved) architecture and feature column.</summary>
    internal virtual int EncodedWidth(DataViewSchema.Column featureColumn) => ((VectorDataViewType)featureColumn.Type).Size;

    /// <summary>How feature rows are encoded for this (resolved) architecture, given the encoded width.</summary>
    internal virtual FeatureEncoder CreateEncoder(int inputWidth) => new DenseEncoder(inputWidth);

    /// <summary>Builds a freshly initialised module mapping [batch, inputSize] to [batch, outputSize].</summary>
    internal abstract torch.nn.Module<torch.Tensor, torch.Tensor> CreateModule(int inputSize, int outputSize);

    /// <summary>
    /// A lower bound of the weights (each 4 bytes or more) <see cref="CreateModule"/> would allocate for these sizes,
    /// computed without building anything. The loader checks it against the bytes left in the model file before it
    /// builds the module, so damaged settings cannot make it allocate gigabytes. A double, because damaged settings
    /// overflow a long. Default: 0 (no check); an architecture should override it.
    /// </summary>
    internal virtual double MinimumWeightCount(int inputSize, int outputSize) => 0;

    /// <summary>The weight matrices (biases left out) of dense layers from <paramref name="inputSize"/> through <paramref name="layers"/> to <paramref name="outputSize"/>.</summary>
    private protected static double DenseWeightCount(double inputSize, IEnumerable<int> layers, double outputSize)
    {
        double count = 0, width = inputSize;
        foreach (int units in layers)
        {
            count += width * units;
            width = units;
        }
        return count + width * outputSize;
    }

    /// <summary>
    /// <paramref name="architecture"/> as read from a model file, or an <see cref="InvalidDataException"/> listing what
    /// <see cref="Validate"/> (and <paramref name="otherError"/>, if any) found wrong with it.
    /// </summary>
    private protected static T Checked<T>(T architecture, string what, string? otherError = null)
        where T : NetworkArchitecture
    {
        var errors = new List<string>();
        architecture.Validate(errors);
        if (otherError is not null)
            errors.Add(otherError);
        if (errors.Count > 0)
            throw new InvalidDataException($"The model file's {what} settings are corrupt: " + string.Join(" ", errors));
        return architecture;
    }

    /// <summary>Writes the settings (not the weights); <see cref="Read"/> must read back exactly this.</summary>
    internal abstract void WriteSettings(BinaryWriter writer);

    /// <summary>Reads an architecture written by <see cref="WriteSettings"/> after its <see cref="Kind"/>.</summary>
    internal static NetworkArchitecture Read(BinaryReader reader)
    {
        // ReadString grows its buffer only as bytes arrive, so a damaged length prefix cannot make it allocate more than the entry holds.
        string kind = reader.ReadString();
        return kind switch
        {
            MlpArchitecture.KindName => MlpArchitecture.ReadSettings(reader),
            CnnArchitecture.KindName => CnnArchitecture.ReadSettings(reader),
            AutoencoderArchitecture.KindName => AutoencoderArchitecture.ReadSettings(reader, convolutional: false),
            AutoencoderArchitecture.ConvolutionalKindName => AutoencoderArchitecture.ReadSettings(reader, convolutional: true),
            RnnArchitecture.KindName => RnnArchitecture.ReadSettings(reader),
            // A name like ours comes from another version; anything else is damage.
            _ when kind.Length is > 0 and <= 32 && kind.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_') => throw new InvalidDataException(
                $"The model file names network architecture '{kind}', which this version of MLDeepExtensions does not know. " +
                "Load it with the version that saved it, or a newer one."),
            _ => throw new InvalidDataException(
                "The model file's deep network is corrupt: its architecture name is unreadable. Save the model again, or check that the file was copied whole."),
        };
    }

    /// <summary>Writes <see cref="Kind"/> then the settings.</summary>
    internal void Write(BinaryWriter writer)
    {
        writer.Write(Kind);
        WriteSettings(writer);
    }
}
