using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// The bare TorchSharp twins of the networks our estimator builds: the same layers in the same order (so the same
/// parameters and the same work per batch), each reading rows of 784 pixels.
/// </summary>
internal static class BareModels
{
    /// <summary>MLP 784-256-128-10 with ReLU, as <c>new MlpArchitecture(256, 128)</c>.</summary>
    public static nn.Module<Tensor, Tensor> Mlp()
        => nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10));

    /// <summary>
    /// The default <c>CnnArchitecture(new ImageShape(1, 28, 28))</c>: 2 × (conv 3×3 padding 1, ReLU, max-pool 2) with
    /// 32 and 64 filters, flatten, dropout 0.25, dense 128 + ReLU, dropout 0.25, output 10. With
    /// <paramref name="channelsLast"/>, each batch is laid out N×H×W×C in memory (the shape stays N×C×H×W).
    /// </summary>
    public static nn.Module<Tensor, Tensor> Cnn(bool channelsLast = false)
    {
        var layers = new (string, nn.Module<Tensor, Tensor>)[]
        {
            ("image", nn.Unflatten(1, new long[] { 1, 28, 28 })),
            ("layout", channelsLast ? new ChannelsLastLayout() : nn.Identity()),
            ("conv0", nn.Conv2d(1, 32, 3, padding: 1)), ("act0", nn.ReLU()), ("pool0", nn.MaxPool2d(2)),
            ("conv1", nn.Conv2d(32, 64, 3, padding: 1)), ("act1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("drop0", nn.Dropout(0.25)), ("dense0", nn.Linear(64 * 7 * 7, 128)), ("act2", nn.ReLU()),
            ("dropout", nn.Dropout(0.25)), ("output", nn.Linear(128, 10)),
        };
        var model = nn.Sequential(layers);
        if (channelsLast)
            ChannelsLastLayout.ConvertWeights(model);
        return model;
    }

    /// <summary>One-layer LSTM over the 28 rows of an image (28 features per step), last hidden state → output 10.</summary>
    public static nn.Module<Tensor, Tensor> RowLstm(int hiddenSize) => new RowLstmClassifier(hiddenSize);

    /// <summary>Reads each image as 28 steps of 28 pixels, as <c>RnnArchitecture { InputShape = new SequenceShape(28, 28) }</c>.</summary>
    private sealed class RowLstmClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly LSTM rnn;
        private readonly Linear output;

        public RowLstmClassifier(int hiddenSize)
            : base(nameof(RowLstmClassifier))
        {
            rnn = nn.LSTM(28, hiddenSize, batchFirst: true);
            output = nn.Linear(hiddenSize, 10);
            RegisterComponents();
        }

        public override Tensor forward(Tensor rows)
        {
            using var scope = NewDisposeScope();
            var (_, hidden, _) = rnn.call(rows.view(-1, 28, 28));
            return output.forward(hidden[-1]).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// TorchSharp 0.107 has no <c>memory_format</c> argument, so channels-last is made by strides: permute to N×H×W×C,
    /// copy contiguous, permute back. libtorch's convolutions follow the strides of their input and weight.
    /// </summary>
    private sealed class ChannelsLastLayout : nn.Module<Tensor, Tensor>
    {
        public ChannelsLastLayout()
            : base(nameof(ChannelsLastLayout))
        {
        }

        public override Tensor forward(Tensor input) => ToChannelsLast(input);

        private static Tensor ToChannelsLast(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

        /// <summary>Gives every 4-D weight (the convolution kernels) channels-last strides, in place.</summary>
        public static void ConvertWeights(nn.Module model)
        {
            using var noGrad = no_grad();
            foreach (var parameter in model.parameters().Where(p => p.dim() == 4))
            {
                using var converted = ToChannelsLast(parameter);
                parameter.set_(converted);
            }
        }
    }
}
