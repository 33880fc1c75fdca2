using System;
using System.Linq;
using System.Runtime.InteropServices;
using MLDeepExtensions.Tests;
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
    public void Backend_CapsOneDnnAtAvx2_InTheNativeEnvironmentOneDnnReads()
    {
        // A new process whose environment names no cap: what oneDNN will read is the C library's environment (getenv),
        // which .NET's Environment does not write on Unix. On x64 it must hold AVX2; elsewhere (no AVX) nothing is set.
        string output = ModelRunnerProcess.Finish(ModelRunnerProcess.Start(
            new System.Collections.Generic.Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = "", ["DNNL_MAX_CPU_ISA"] = "" }, "onednn-cap"));
        string expected = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "AVX2" : "(unset)";
        StringAssert.Contains(output, $"native ONEDNN_MAX_CPU_ISA={expected};");
    }

    [TestMethod]
    public void Backend_KeepsTheCapAProcessChose()
    {
        string output = ModelRunnerProcess.Finish(ModelRunnerProcess.Start(
            new System.Collections.Generic.Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = "SSE41" }, "onednn-cap"));
        StringAssert.Contains(output, "native ONEDNN_MAX_CPU_ISA=SSE41;");
    }

    [TestMethod]
    public void FewChannelConvolutions_InTraining_GetTheGradientsOfADoublePrecisionReference()
    {
        // oneDNN's gradients were NaN for these channel counts in 30–78 of 100 passes on an AVX-512 machine (see CpuKernels);
        // in training, ImageInput.Forward pads such convolutions' output channels. Each pass gets fresh tensors.
        TorchNative.EnsureInitialized();
        using var layers = nn.Sequential(("conv0", ImageInput.Conv(() => nn.Conv2d(1, 4, 3, padding: 1))), ("act0", nn.ReLU()),
            ("conv1", ImageInput.Conv(() => nn.Conv2d(4, 1, 3, TorchSharp.Padding.Same))));
        var first = (TorchSharp.Modules.Conv2d)layers.children().First();
        var second = (TorchSharp.Modules.Conv2d)layers.children().Last();
        for (int pass = 0; pass < 40; pass++)
        {
            using var scope = NewDisposeScope();
            layers.zero_grad();
            var x = randn(16, 1, 6, 6);
            var output = ImageInput.Forward(layers, x, training: true);
            (output - x).square().mean().backward();

            var w1 = first.weight!.detach().to(float64).requires_grad_();
            var w2 = second.weight!.detach().to(float64).requires_grad_();
            var x64 = x.to(float64);
            var hidden = nn.functional.relu(nn.functional.conv2d(x64, w1, first.bias!.detach().to(float64), padding: new long[] { 1, 1 }));
            var reference = nn.functional.conv2d(hidden, w2, second.bias!.detach().to(float64), padding: new long[] { 1, 1 });
            (reference - x64).square().mean().backward();

            Assert.IsLessThan(1e-6, (output.to(float64) - reference).abs().max().item<double>(), $"pass {pass}: output");
            Assert.IsLessThan(1e-4, (first.weight.grad!.to(float64) - w1.grad!).abs().max().item<double>(), $"pass {pass}: first weights' gradient");
            Assert.IsLessThan(1e-4, (second.weight.grad!.to(float64) - w2.grad!).abs().max().item<double>(), $"pass {pass}: second weights' gradient");
        }
    }

    [TestMethod]
    public void SmallConvolutionalNetworks_TrainToFiniteWeights_OnAvx512Kernels()
    {
        // At AVX-512 oneDNN's unpadded gradients were NaN in about half of all passes, so these fits diverged within an
        // epoch. A new process, since oneDNN reads its instruction-set cap once (where the CPU lacks AVX-512, it uses less).
        string output = ModelRunnerProcess.Finish(ModelRunnerProcess.Start(
            new System.Collections.Generic.Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = "AVX512_CORE" }, "train-small-convolutions"));
        StringAssert.Contains(output, "trained: CNN with 4 filters, convolutional autoencoder");
    }
}
