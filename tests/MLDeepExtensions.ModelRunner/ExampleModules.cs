using System;
using MLDeepExtensions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLDeepExtensions.ModelRunner;

/// <summary>
/// Two modules written as a user would, outside the library: a residual MLP and a small self-attention network. The
/// tests train them through DeepNetwork; the runner registers them too, to load and score their models in a new process.
/// </summary>
internal static class ExampleModules
{
    public const string ResidualMlpName = "tests.residual-mlp";
    public const string AttentionName = "tests.attention";
    public const string AutoencoderName = "tests.autoencoder";

    /// <summary>Registers both modules (again: a no-op).</summary>
    public static void Register()
    {
        CustomModules.Register(ResidualMlpName, CreateResidualMlp);
        CustomModules.Register(AttentionName, CreateAttention);
        CustomModules.Register(AutoencoderName, CreateAutoencoder);
    }

    private static nn.Module<Tensor, Tensor> CreateAutoencoder(CustomModuleContext context) => new TanhAutoencoder(context.InputSize, 64, context.LatentSize);

    private static nn.Module<Tensor, Tensor> CreateResidualMlp(CustomModuleContext context) => new ResidualMlp(context.InputSize, 32, context.OutputSize);

    private static nn.Module<Tensor, Tensor> CreateAttention(CustomModuleContext context) => new TokenAttention(context.InputSize, 16, context.OutputSize);

    /// <summary>input → width, two blocks x + W2·relu(W1·x) with layer norm, → output.</summary>
    internal sealed class ResidualMlp : nn.Module<Tensor, Tensor>
    {
        // Field names are the saved weight keys.
        private readonly Linear input;
        private readonly ModuleList<Sequential> blocks;
        private readonly Linear output;

        public ResidualMlp(int inputSize, int width, int outputSize)
            : base(nameof(ResidualMlp))
        {
            input = nn.Linear(inputSize, width);
            blocks = nn.ModuleList(
                nn.Sequential(("norm", nn.LayerNorm(width)), ("dense0", nn.Linear(width, width)), ("act", nn.ReLU()), ("dense1", nn.Linear(width, width))),
                nn.Sequential(("norm", nn.LayerNorm(width)), ("dense0", nn.Linear(width, width)), ("act", nn.ReLU()), ("dense1", nn.Linear(width, width))));
            output = nn.Linear(width, outputSize);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var h = input.forward(x);
            foreach (var block in blocks)
                h = h + block.forward(h);
            return output.forward(nn.functional.relu(h)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Each input value a token: value·e + position embedding → one head of scaled dot-product self-attention with a residual → mean → output.</summary>
    internal sealed class TokenAttention : nn.Module<Tensor, Tensor>
    {
        private readonly Linear embed;
        private readonly Parameter position;
        private readonly Linear query, key, value;
        private readonly LayerNorm norm;
        private readonly Linear output;
        private readonly int _tokens, _width;

        public TokenAttention(int tokens, int width, int outputSize)
            : base(nameof(TokenAttention))
        {
            _tokens = tokens;
            _width = width;
            embed = nn.Linear(1, width);
            position = nn.Parameter(randn(tokens, width) * 0.1f);
            query = nn.Linear(width, width);
            key = nn.Linear(width, width);
            value = nn.Linear(width, width);
            norm = nn.LayerNorm(width);
            output = nn.Linear(width, outputSize);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var tokens = embed.forward(x.reshape(-1, _tokens, 1)) + position;
            var scores = query.forward(tokens).matmul(key.forward(tokens).transpose(1, 2)) / MathF.Sqrt(_width);
            var attended = tokens + nn.functional.softmax(scores, -1).matmul(value.forward(tokens));
            return output.forward(norm.forward(attended).mean([1])).MoveToOuterDisposeScope();
        }
    }

    /// <summary>input → 64 tanh → latent → 64 tanh → input, the output squashed to [0, 1] like pixels.</summary>
    internal sealed class TanhAutoencoder : CustomAutoencoderModule
    {
        private readonly Sequential encoder;
        private readonly Sequential decoder;

        public TanhAutoencoder(int inputSize, int width, int latentSize)
            : base(nameof(TanhAutoencoder))
        {
            encoder = nn.Sequential(("hidden", nn.Linear(inputSize, width)), ("act", nn.Tanh()), ("latent", nn.Linear(width, latentSize)));
            decoder = nn.Sequential(("hidden", nn.Linear(latentSize, width)), ("act", nn.Tanh()), ("output", nn.Linear(width, inputSize)), ("squash", nn.Sigmoid()));
            RegisterComponents();
        }

        public override Tensor Encode(Tensor input) => encoder.forward(input);

        public override Tensor Decode(Tensor latent) => decoder.forward(latent);
    }
}
