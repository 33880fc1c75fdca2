using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLDeepExtensions.ModelRunner;

/// <summary>
/// The networks of the PyTorch fixtures (tools/pytorch/equivalents.py, fixtures()) as .NET architectures, and the
/// .NET → PyTorch round trip (<c>ModelRunner export-pytorch &lt;folder&gt;</c>): each is trained briefly here, its weights
/// exported with ExportWeights, and its inputs and our outputs saved beside them for tools/pytorch/check_export.py.
/// </summary>
internal static class PyTorchExport
{
    public static readonly string[] Names = ["mlp", "cnn", "lstm", "gru", "transformer", "resnet", "ft-transformer"];

    public const int Outputs = 3;

    public static NetworkArchitecture Architecture(string name) => name switch
    {
        "mlp" => new MlpArchitecture(16, 8) { Activation = Activation.GELU, BatchNormalization = true },
        "cnn" => new CnnArchitecture(new ImageShape(2, 6, 6))
        {
            ConvolutionBlocks = [new ConvolutionBlock(4) { BatchNormalization = true, Pooling = PoolingKind.Max }, new ConvolutionBlock(8) { Pooling = PoolingKind.Average }],
            HiddenLayers = [16],
            Dropout = 0,
        },
        "lstm" => new RnnArchitecture { Cell = RecurrentCell.Lstm, HiddenSize = 8, RecurrentLayers = 2, Bidirectional = true, Pooling = SequencePooling.Last, HiddenLayers = [8], InputShape = new SequenceShape(5, 3) },
        "gru" => new RnnArchitecture { Cell = RecurrentCell.Gru, HiddenSize = 8, RecurrentLayers = 2, Bidirectional = true, Pooling = SequencePooling.Mean, HiddenLayers = [8], InputShape = new SequenceShape(5, 3) },
        "transformer" => new TransformerArchitecture
        {
            ModelSize = 8, Heads = 2, EncoderLayers = 2, FeedForwardSize = 16, Pooling = SequencePooling.ClassToken, HiddenLayers = [8], InputShape = new SequenceShape(5, 3),
        },
        "ft-transformer" => new FtTransformerArchitecture { ModelSize = 8, Heads = 2, EncoderLayers = 2, FeedForwardSize = 16, HiddenLayers = [8] },
        "resnet" => new ResidualCnnArchitecture(new ImageShape(2, 7, 6)) { StemChannels = 4, Stages = [4, 8], BlocksPerStage = 2, HiddenLayers = [6], Activation = Activation.ELU },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static int InputWidth(string name) => name switch { "mlp" or "ft-transformer" => 6, "cnn" => 72, "resnet" => 84, _ => 15 };

    public sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float[] Targets { get; set; } = [];
    }

    /// <summary>Rows of <paramref name="width"/> features and <see cref="Outputs"/> targets.</summary>
    public static IDataView View(MLContext ml, IEnumerable<Row> rows, int width)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(Row.Targets)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Outputs);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    public static int Run(string folder)
    {
        Directory.CreateDirectory(folder);
        var ml = new MLContext(seed: 5);
        var random = new Random(5);
        foreach (string name in Names)
        {
            int width = InputWidth(name);
            // Targets that depend on the features, so that training moves every weight.
            var rows = Enumerable.Range(0, 256).Select(_ =>
            {
                var x = Enumerable.Range(0, width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                return new Row { Features = x, Targets = [x.Take(width / 2).Sum(), x.Skip(width / 2).Sum(), x[0] * x[^1]] };
            }).ToArray();
            var data = View(ml, rows, width);
            var options = new DeepNetworkOptions { LabelColumnName = nameof(Row.Targets), Architecture = Architecture(name), Epochs = 3, BatchSize = 32, Seed = 5 };
            using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
            model.ExportWeights(Path.Combine(folder, name + ".pt"));
            var test = rows.Take(20).ToArray();
            var scores = model.Transform(View(ml, test, width)).GetColumn<float[]>("Score").ToArray();
            using var input = tensor(test.SelectMany(r => r.Features).ToArray(), [test.Length, width]);
            using var output = tensor(scores.SelectMany(s => s).ToArray(), [test.Length, Outputs]);
            using var file = File.Create(Path.Combine(folder, name + "-io.pt"));
            PyTorchPickler.PickleStateDict(file, new Dictionary<string, Tensor> { ["input"] = input, ["output"] = output });
            Console.WriteLine($"exported {name}: {model.ParameterCount} weights, final training loss {model.History[^1].TrainingLoss:F4}");
        }
        return 0;
    }
}
