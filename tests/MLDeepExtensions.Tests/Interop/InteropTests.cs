using System;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Interop;
using TorchSharp;

namespace MLDeepExtensions.Tests.Interop;

[TestClass]
public sealed class InteropTests
{
    [TestMethod]
    public void TorchNative_InitialisesInTheTestProcess()
    {
        // On Debian 12 / Ubuntu 22.04 this passes only because the build patched libLibTorchSharp.so in the output folder.
        TorchNative.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(2, 3, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Assert.AreEqual(6f, y.item<float>());
        CollectionAssert.AreEqual(new[] { 2f, 2f, 2f, 2f, 2f, 2f }, x.grad!.data<float>().ToArray());
    }

    [TestMethod]
    public void MissingBackend_FirstLineSaysWhichPackageToAdd()
    {
        var failure = new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64, Version=2.10.0.");
        string message = TorchNative.DescribeFailure(new TypeInitializationException("TorchSharp.torch", failure), libTorchFound: false);
        string first = message.Split(Environment.NewLine)[0];
        StringAssert.StartsWith(first, "No TorchSharp backend found: add the package TorchSharp-cpu");
        StringAssert.Contains(first, "MLDeepExtensions.Cuda");
        StringAssert.Contains(message, "TorchSharp's own message: This application or script uses TorchSharp");
    }

    [TestMethod]
    public void BackendPresentButRefused_FirstLineGivesTheLoadersReason()
    {
        string message = TorchNative.DescribeFailure(new DllNotFoundException("libLibTorchSharp.so"), libTorchFound: true);
        string first = message.Split(Environment.NewLine)[0];
        StringAssert.StartsWith(first, "TorchSharp could not load its native library");
        StringAssert.Contains(first, "Loader: ");
        Assert.DoesNotContain("No TorchSharp backend found", message);
    }

    [TestMethod]
    public void Library_DeclaresIgnoresAccessChecksToForBothMLNetAssemblies()
    {
        var names = typeof(DeepNetworkTransformer).Assembly.GetCustomAttributes()
            .Where(a => a.GetType().FullName == "System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute")
            .Select(a => (string)a.GetType().GetProperty("AssemblyName")!.GetValue(a)!)
            .ToArray();
        CollectionAssert.AreEquivalent(new[] { "Microsoft.ML.Core", "Microsoft.ML.Data" }, names);
    }
}
