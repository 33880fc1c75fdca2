using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Persistence;

/// <summary>
/// <c>LoadChecked</c> hands the user the exception that says what is wrong with a model file, with its own type,
/// where ML.NET's <c>Load</c> wraps it in a TargetInvocationException ("Exception has been thrown by the target of an
/// invocation"), and says when a zip was cut short.
/// </summary>
[TestClass]
public sealed class LoadCheckedTests
{
    // Two names of the same length, so that one can replace the other in a saved model's bytes.
    private const string Registered = "tests.load-registered";
    private const string Unregistered = "tests.load-unregister";

    [TestMethod]
    public void LoadChecked_ModelWhoseChecksumFails_ThrowsOurInvalidDataException_NotTargetInvocation()
    {
        string path = ModelZip.SaveTinyRegressor();
        try
        {
            var weights = ModelZip.Read(path, "Network");
            weights[weights.Length / 2] ^= 0x04;
            // The zip's own CRC is rewritten, so only our checksum can tell.
            ModelZip.Replace(path, "Network", weights, reseal: false);
            Assert.IsInstanceOfType<TargetInvocationException>(Record(() => new MLContext().Model.Load(path, out _)), "what ML.NET's Load throws");

            var error = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().Model.LoadChecked(path, out _));
            StringAssert.Contains(error.Message, "its 'Network' entry does not match the checksum saved with it");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void LoadChecked_ModelWithAnUnregisteredCustomModule_SaysWhichRegistrationIsMissing()
    {
        CustomModules.Register(Registered, Linear);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(64, seed: 3));
        string path = ModelZip.TempPath();
        try
        {
            using (var model = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1) with { Architecture = new CustomArchitecture(Registered) }).Fit(data))
                ml.Model.Save(model, data.Schema, path);
            // As a process that never registered the module sees the file.
            var network = ModelZip.Read(path, "Network");
            int at = ModelZip.IndexOf(network, Registered);
            ModelZip.Replace(path, "Network", ModelZip.Splice(network, at, Registered.Length, Encoding.ASCII.GetBytes(Unregistered)));

            var error = Assert.ThrowsExactly<CustomModuleNotRegisteredException>(() => new MLContext().Model.LoadChecked(path, out _));
            StringAssert.Contains(error.Message, $"CustomModules.Register(\"{Unregistered}\"");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void LoadChecked_TruncatedModelFile_SaysItWasCutShort()
    {
        string path = ModelZip.SaveTinyRegressor();
        try
        {
            var whole = File.ReadAllBytes(path);
            File.WriteAllBytes(path, whole[..(whole.Length * 2 / 3)]);
            var error = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().Model.LoadChecked(path, out _));
            StringAssert.Contains(error.Message, $"'{path}' is truncated or damaged");
            StringAssert.Contains(error.Message, "save the model again");

            // A file that is no zip at all is told apart.
            File.WriteAllText(path, "not a model");
            var foreign = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().Model.LoadChecked(path, out _));
            StringAssert.Contains(foreign.Message, "is not a model file");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static nn.Module<Tensor, Tensor> Linear(CustomModuleContext context) => nn.Linear(context.InputSize, context.OutputSize);

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
