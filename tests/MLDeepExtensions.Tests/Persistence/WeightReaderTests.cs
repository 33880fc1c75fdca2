using MLDeepExtensions.Data;
using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Persistence;

/// <summary>Our weight reader against TorchSharp's writer (module.save), for every kind of module we build.</summary>
[TestClass]
public sealed class WeightReaderTests
{
    private static readonly (string Name, NetworkArchitecture Architecture, int Inputs, int Outputs)[] Networks =
    {
        ("MLP with batch norm (int64 buffers)", new MlpArchitecture(8, 4) { BatchNormalization = true }, 5, 3),
        ("CNN with batch norm", new CnnArchitecture(new ImageShape(2, 8, 8)) { ConvolutionBlocks = new[] { new ConvolutionBlock(4) { Pooling = PoolingKind.Max, BatchNormalization = true } }, HiddenLayers = new[] { 8 } }, 128, 2),
        ("bidirectional 2-layer LSTM", new RnnArchitecture { RecurrentLayers = 2, Bidirectional = true, HiddenLayers = new[] { 4 }, Input = SequenceInput.Fixed(3, 2) }, 6, 1),
        ("GRU over embedded tokens", new RnnArchitecture { Cell = RecurrentCell.Gru, Input = SequenceInput.Tokens(10, 5, 4) }, 6, 2),
        ("plain RNN over variable-length input", new RnnArchitecture { Cell = RecurrentCell.Rnn, Input = SequenceInput.Variable(2, 4) }, 9, 1),
        ("autoencoder", new AutoencoderArchitecture(2, 8), 6, 6),
        ("convolutional autoencoder with batch norm", new AutoencoderArchitecture(3, 5)
        {
            InputShape = new ImageShape(2, 6, 5),
            ConvolutionBlocks = new[] { new ConvolutionBlock(4) { Pooling = PoolingKind.Max, BatchNormalization = true }, new ConvolutionBlock(3) { Pooling = PoolingKind.None } },
        }, 60, 60),
    };

    private static byte[] Save(nn.Module module)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
            module.save(writer);
        return memory.ToArray();
    }

    [TestMethod]
    public void Read_ReadsExactlyWhatModuleSaveWrites_ForEveryArchitecture()
    {
        TorchSharp.torch.InitializeDeviceType(DeviceType.CPU);
        foreach (var (name, architecture, inputs, outputs) in Networks)
        {
            random.manual_seed(1);
            using var original = architecture.CreateModule(inputs, outputs);
            // Move every tensor, buffers included (batch norm's statistics and int64 batch count), off its initial value.
            using (no_grad())
            {
                foreach (var tensor in original.state_dict().Values)
                    tensor.add_(3);
            }
            byte[] saved = Save(original);

            random.manual_seed(2);
            using var reloaded = architecture.CreateModule(inputs, outputs);
            using var memory = new MemoryStream(saved);
            WeightReader.Read(new BinaryReader(memory), reloaded, "Network");

            Assert.AreEqual(saved.Length, memory.Position, $"{name}: the reader stopped early");
            CollectionAssert.AreEqual(saved, Save(reloaded), $"{name}: the reloaded module saves different bytes");
        }
    }

    [TestMethod]
    public void MinimumWeightCount_NeverExceedsTheModulesWeights()
    {
        TorchSharp.torch.InitializeDeviceType(DeviceType.CPU);
        foreach (var (name, architecture, inputs, outputs) in Networks)
        {
            using var module = architecture.CreateModule(inputs, outputs);
            long actual = module.state_dict().Values.Sum(t => t.NumberOfElements);
            double bound = architecture.MinimumWeightCount(inputs, outputs);
            Assert.IsLessThanOrEqualTo(actual, bound, $"{name}: a bound above the real count would reject valid files");
            Assert.IsGreaterThan(actual / 2.0, bound, $"{name}: the bound ({bound} of {actual}) should catch oversized settings");
        }
    }

    [TestMethod]
    public void Read_FromAStreamThatCannotSeek_StillChecksEverySize()
    {
        TorchSharp.torch.InitializeDeviceType(DeviceType.CPU);
        var architecture = new MlpArchitecture(8);
        using var module = architecture.CreateModule(4, 2);
        byte[] saved = Save(module);
        using var cut = new NonSeekable(saved.AsSpan(0, saved.Length - 3).ToArray());
        var error = Assert.ThrowsExactly<EndOfStreamException>(() => WeightReader.Read(new BinaryReader(cut), module, "Network"));
        Assert.IsNotNull(error);
    }

    private sealed class NonSeekable(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }
}
