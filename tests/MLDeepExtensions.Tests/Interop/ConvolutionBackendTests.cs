using System;
using System.Runtime.InteropServices;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Interop;

[TestClass]
public sealed class ConvolutionBackendTests
{
    [TestMethod]
    public void Backend_RunsConvolutionsWithoutOneDnnOnX64()
    {
        TorchNative.EnsureInitialized();
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64 && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
            Assert.IsTrue(ConvolutionBackends.NativeKernelsOnly, "oneDNN and NNPACK were not switched off");
    }

    [TestMethod]
    public void FewChannelConvolutions_GetTheGradientsOfADoublePrecisionReference()
    {
        // oneDNN's kernels returned NaN gradients for channel counts that are not a multiple of their blocking, in more
        // than half of these passes on an AVX-512 machine (see ConvolutionBackends). Each pass gets fresh tensors.
        TorchNative.EnsureInitialized();
        var first = ImageInput.Conv(() => nn.Conv2d(1, 4, 3, padding: 1));
        var second = ImageInput.Conv(() => nn.Conv2d(4, 1, 3, padding: 1));
        try
        {
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
