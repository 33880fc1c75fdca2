using System;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Interop;

[TestClass]
public sealed class CpuKernelTests
{
    [TestMethod]
    public void Backend_FindsItsConvolutionSwitchesOnX64()
    {
        TorchNative.EnsureInitialized();
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64 && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
            Assert.IsTrue(CpuKernels.Available, "libtorch's oneDNN and NNPACK switches were not found");
    }

    [TestMethod]
    [DataRow(8)]
    [DataRow(16)]
    [DataRow(48)]
    [DataRow(64)]
    public void Lstm_ScoresLikeADoublePrecisionReference(int hidden)
    {
        // oneDNN's AVX-512 LSTM kernels scored 8, 16 and 48 (not 64) with errors up to 1.1 (see CpuKernels).
        TorchNative.EnsureInitialized();
        using var scope = NewDisposeScope();
        var lstm = nn.LSTM(3, hidden, 1, batchFirst: true);
        lstm.eval();
        var x = randn(6, 5, 3);
        Tensor output;
        using (no_grad())
            output = lstm.call(x).Item1;

        var weights = lstm.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to(float64));
        var input = x.to(float64);
        var h = zeros(6, hidden, float64);
        var c = zeros(6, hidden, float64);
        for (int t = 0; t < 5; t++)
        {
            var gates = input.select(1, t).matmul(weights["weight_ih_l0"].t()) + weights["bias_ih_l0"] + h.matmul(weights["weight_hh_l0"].t()) + weights["bias_hh_l0"];
            var chunks = gates.chunk(4, 1); // PyTorch's order: input, forget, cell, output
            c = chunks[1].sigmoid() * c + chunks[0].sigmoid() * chunks[2].tanh();
            h = chunks[3].sigmoid() * c.tanh();
            double difference = (output.select(1, t).to(float64) - h).abs().max().item<double>();
            Assert.IsLessThan(1e-5, difference, $"hidden {hidden}, step {t}");
        }
    }

    [TestMethod]
    public void Backend_CapsOneDnnAtAvx2UnlessTheProcessChoseACap()
    {
        TorchNative.EnsureInitialized();
        bool processChose = !CpuKernels.OneDnnCapped
            && (Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA")) is not null;
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
            Assert.IsTrue(CpuKernels.OneDnnCapped || processChose);
    }

    [TestMethod]
    public void NeedsNativeKernelsToTrain_OnlyForChannelCountsOneDnnGetsWrong()
    {
        var image = new ImageShape(1, 8, 8);
        var pooled = new ConvolutionBlock(32) { Pooling = PoolingKind.Max };
        using var wide = new CnnArchitecture(image) { ConvolutionBlocks = [pooled, pooled with { Filters = 64 }] }.CreateModule(64, 10);
        using var narrow = new CnnArchitecture(image) { ConvolutionBlocks = [pooled with { Filters = 4 }] }.CreateModule(64, 10);
        using var autoencoder = AutoencoderArchitecture.Convolutional(image, latentSize: 4).CreateModule(64, 64);
        using var mlp = new MlpArchitecture(5).CreateModule(64, 3);
        // The first convolution reads the image (1 channel): its input needs no gradient, so that count does not matter.
        Assert.IsFalse(CpuKernels.NeedsNativeKernelsToTrain(wide));
        Assert.IsTrue(CpuKernels.NeedsNativeKernelsToTrain(narrow));
        Assert.IsTrue(CpuKernels.NeedsNativeKernelsToTrain(autoencoder), "its last convolution goes back to 1 channel");
        Assert.IsFalse(CpuKernels.NeedsNativeKernelsToTrain(mlp));
    }

    [TestMethod]
    public void NativeKernelScopes_Nest_AndEndWhenTheLastIsDisposed()
    {
        TorchNative.EnsureInitialized();
        int before = CpuKernels.OpenScopes;
        var outer = CpuKernels.NativeKernels();
        var inner = CpuKernels.NativeKernels();
        Assert.AreEqual(before + 2, CpuKernels.OpenScopes);
        inner.Dispose();
        inner.Dispose();
        Assert.AreEqual(before + 1, CpuKernels.OpenScopes, "disposing a scope twice counts once");
        outer.Dispose();
        Assert.AreEqual(before, CpuKernels.OpenScopes);
    }

    [TestMethod]
    public void FewChannelConvolutions_TrainedOnNativeKernels_GetTheGradientsOfADoublePrecisionReference()
    {
        // oneDNN's kernels returned NaN gradients here in more than half of these passes on an AVX-512 machine (see
        // CpuKernels); a fit of such a network runs under this scope. Each pass gets fresh tensors.
        TorchNative.EnsureInitialized();
        var first = ImageInput.Conv(() => nn.Conv2d(1, 4, 3, padding: 1));
        var second = ImageInput.Conv(() => nn.Conv2d(4, 1, 3, padding: 1));
        try
        {
            using var kernels = CpuKernels.NativeKernels();
            for (int pass = 0; pass < 40; pass++)
            {
                using var scope = NewDisposeScope();
                first.zero_grad();
                var x = randn(16, 1, 6, 6);
                var output = second.forward(nn.functional.relu(first.forward(x)));
                (output - x).square().mean().backward();

                var w1 = first.weight!.detach().to(float64).requires_grad_();
                var w2 = second.weight!.detach().to(float64).requires_grad_();
                var x64 = x.to(float64);
                var reference = nn.functional.conv2d(nn.functional.relu(nn.functional.conv2d(x64, w1, first.bias!.detach().to(float64), padding: new long[] { 1, 1 })),
                    w2, second.bias!.detach().to(float64), padding: new long[] { 1, 1 });
                (reference - x64).square().mean().backward();

                double difference = (first.weight.grad!.to(float64) - w1.grad!).abs().max().item<double>();
                Assert.IsTrue(difference < 1e-4, $"pass {pass}: the first convolution's weight gradient is off by {difference}");
            }
        }
        finally
        {
            first.Dispose();
            second.Dispose();
        }
    }
}
