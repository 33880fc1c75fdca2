using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.ModelRunner;
using MLDeepExtensions.Tests.Estimators;

namespace MLDeepExtensions.Tests.Scoring;

/// <summary>
/// Serving without libtorch: tests/MLDeepExtensions.ServingRunner references our library and ONNX Runtime but no
/// TorchSharp backend, so its output folder holds no libtorch. Models of every built-in architecture and head, trained
/// and saved here, load there with ml.Model.Load and score what libtorch scores here (within 1e-5), and libtorch is never
/// loaded into that process; a model with your own module is refused with a message that says libtorch is needed.
/// </summary>
[TestClass]
public sealed class ScoringWithoutLibTorchTests
{
    private const string Runner = "MLDeepExtensions.ServingRunner";

    [ClassInitialize]
    public static void RegisterModules(TestContext _) => ExampleModules.Register();

    [TestMethod]
    public void ServingApp_HasNoLibTorch_AndScoresEveryBuiltInNetwork_AsLibtorchDoesHere()
    {
        string folder = ModelRunnerProcess.OutputFolder(Runner);
        var natives = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.IsFalse(natives.Any(name => name!.StartsWith("libtorch", StringComparison.Ordinal) || name == "torch.dll"),
            "the serving app's output holds no libtorch: " + string.Join(", ", natives.Where(n => n!.Contains("torch", StringComparison.OrdinalIgnoreCase))));

        string work = Path.Combine(Path.GetTempPath(), $"mlde-serving-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var names = ConformanceCase.Names.Where(n => !n.StartsWith("control", StringComparison.Ordinal) && n != "custom-module").ToArray();
            var expected = new Dictionary<string, (int Inputs, List<(string, double[][])> Outputs)>();
            var arguments = new List<string> { "score" };
            foreach (string name in names)
            {
                var c = ConformanceCase.Create(name);
                using var model = (NetworkTransformerBase)c.Estimator.Fit(c.Data);
                model.ScoringEngine = ScoringEngine.Torch;
                expected[name] = (c.Data.Schema.Count, ScoringEngineTests.Outputs(model.Transform(c.Data), c.Data.Schema.Count));
                string zip = Path.Combine(work, name + ".zip"), input = Path.Combine(work, name + ".idv");
                c.Ml.Model.Save(model, c.Data.Schema, zip);
                using (var stream = File.Create(input))
                    c.Ml.Data.SaveAsBinary(c.Data, stream, keepHidden: false);
                arguments.AddRange([zip, input, Path.Combine(work, name + ".scored.idv")]);
            }

            string output = ModelRunnerProcess.Finish(ModelRunnerProcess.StartProgram(Runner, new Dictionary<string, string>(), [.. arguments]));

            // Asking that app for the libtorch engine says what to add, rather than failing inside TorchSharp.
            string torch = ModelRunnerProcess.Finish(ModelRunnerProcess.StartProgram(Runner, new Dictionary<string, string>(), "torch-engine",
                Path.Combine(work, "mlp-regression.zip"), Path.Combine(work, "mlp-regression.idv")), exitCode: 3);
            StringAssert.Contains(torch, "refused: InvalidOperationException: No TorchSharp backend found: add the package TorchSharp-cpu");
            StringAssert.Contains(output, "libtorch loaded: no");
            var ml = new MLContext(seed: 1);
            foreach (string name in names)
            {
                StringAssert.Contains(output, $"{name}.zip: scored by OnnxRuntime");
                var scored = ml.Data.LoadFromBinary(Path.Combine(work, name + ".scored.idv"));
                // The network's columns come last; the saved input leaves out hidden columns, so count from the end.
                var (_, outputs) = expected[name];
                ScoringEngineTests.AssertClose(outputs, ScoringEngineTests.Outputs(scored, scored.Schema.Count - outputs.Count), 1e-5, $"{name}, served without libtorch");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [TestMethod]
    public void CustomModuleModel_IsRefusedWhereLibTorchIsMissing_SayingLibTorchIsNeeded()
    {
        var c = ConformanceCase.Create("custom-module");
        using var model = (NetworkTransformerBase)c.Estimator.Fit(c.Data);
        string zip = Path.Combine(Path.GetTempPath(), $"mlde-serving-custom-{Guid.NewGuid():N}.zip");
        try
        {
            c.Ml.Model.Save(model, c.Data.Schema, zip);
            string output = ModelRunnerProcess.Finish(ModelRunnerProcess.StartProgram(Runner, new Dictionary<string, string>(), "load", zip), exitCode: 3);
            StringAssert.Contains(output, "refused: InvalidOperationException: Loading this model needs libtorch");
            StringAssert.Contains(output, "TorchSharp-cpu");
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
