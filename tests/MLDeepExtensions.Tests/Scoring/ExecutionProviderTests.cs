using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Scoring;
using TorchSharp;

namespace MLDeepExtensions.Tests.Scoring;

/// <summary>
/// Where ONNX Runtime runs a fitted or loaded network, end to end: on this machine (ONNX Runtime's CPU package, no GPU)
/// the CPU, reported by <see cref="NetworkTransformerBase.ActiveExecutionProvider"/> and logged once with the reason;
/// and, in the Gpu category, CUDA where the CUDA build of ONNX Runtime and a GPU are present.
/// </summary>
[TestClass]
public sealed class ExecutionProviderTests
{
    private const string Line = "ONNX Runtime scores this DeepNetworkTransformer on ";

    private static void RequireCpuOnly()
    {
        if (OnnxRuntimeEngine.AvailableProviders.Contains(ExecutionProviderChooser.CudaProviderName) || torch.cuda.is_available())
            Assert.Inconclusive("CUDA is present; these tests check the CPU-only behaviour.");
    }

    private static string[] ProviderLines(List<string> log)
    {
        lock (log)
            return log.Where(m => m.Contains(Line, StringComparison.Ordinal)).ToArray();
    }

    [TestMethod]
    public void FittedModel_OnThisMachine_OnnxRuntimeRunsOnTheCpu_AndSaysWhyOnce()
    {
        RequireCpuOnly();
        var (ml, data, log) = TestData.LoggedContext(64);
        using var model = ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(null)).Fit(data);

        Assert.AreEqual(ScoringEngine.OnnxRuntime, model.ActiveScoringEngine);
        Assert.AreEqual(OnnxExecutionProvider.Cpu, model.ActiveExecutionProvider);
        _ = TestData.ReadScores(model.Transform(data));
        using (var engine = ml.Model.CreatePredictionEngine<GeneratedRow, ScoreOutput>(model, new PredictionEngineOptions { OwnsTransformer = false }))
            _ = engine.Predict(TestData.Generate(1, seed: 4)[0]);

        var lines = ProviderLines(log);
        Assert.HasCount(1, lines, "one line per model, when its session opens: " + string.Join(" | ", lines));
        StringAssert.Contains(lines[0], Line + "the CPU: the network's device is Auto (a GPU when there is one), but this ONNX Runtime build has no CUDA execution provider");
        StringAssert.Contains(lines[0], "Microsoft.ML.OnnxRuntime.Gpu.Linux");
        Assert.IsFalse(lines[0].Contains("Warning", StringComparison.OrdinalIgnoreCase), "the CPU package is no failure: " + lines[0]);

        model.ScoringEngine = ScoringEngine.Torch;
        Assert.IsNull(model.ActiveExecutionProvider, "no ONNX Runtime provider while libtorch scores");
    }

    [TestMethod]
    public void CpuDevice_SaysSo_AndALoadedModel_FollowsTheLoadingContextsGpuDeviceId()
    {
        RequireCpuOnly();
        var (ml, data, log) = TestData.LoggedContext(64);
        using var model = ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(ComputeDevice.Cpu)).Fit(data);
        Assert.AreEqual(OnnxExecutionProvider.Cpu, model.ActiveExecutionProvider);
        StringAssert.EndsWith(ProviderLines(log).Single(), Line + "the CPU: the network's device is the CPU.");

        using var file = new MemoryStream();
        ml.Model.Save(model, data.Schema, file);
        file.Position = 0;
        var loading = new MLContext(seed: 1) { GpuDeviceId = 1, FallbackToCpu = true };
        var loadLog = new List<string>();
        loading.Log += (_, e) => { lock (loadLog) loadLog.Add(e.Message); };
        using var loaded = (DeepNetworkTransformer)loading.Model.Load(file, out _);

        Assert.AreEqual(OnnxExecutionProvider.Cpu, loaded.ActiveExecutionProvider);
        StringAssert.Contains(ProviderLines(loadLog).Single(), Line + "the CPU: the network's device is cuda:1, but this ONNX Runtime build has no CUDA execution provider");
    }

    [TestMethod]
    [TestCategory("Gpu")]
    public void Gpu_CudaBuildOfOnnxRuntime_ScoresOnTheGpu_AsLibtorchDoes()
    {
        if (!OnnxRuntimeEngine.AvailableProviders.Contains(ExecutionProviderChooser.CudaProviderName) || !torch.cuda.is_available())
            Assert.Inconclusive("Needs a GPU, the CUDA backend of TorchSharp and the CUDA build of ONNX Runtime (Microsoft.ML.OnnxRuntime.Gpu.Linux, " +
                "with Microsoft.ML.OnnxRuntime's native assets excluded) in place of the CPU packages this project references.");
        var (ml, data, log) = TestData.LoggedContext(64);
        using var model = ml.Regression.Trainers.DeepNetwork(TestData.TinyOn(ComputeDevice.Cuda(0))).Fit(data);

        Assert.AreEqual(ScoringEngine.OnnxRuntime, model.ActiveScoringEngine, string.Join(" | ", ProviderLines(log)));
        Assert.AreEqual(OnnxExecutionProvider.Cuda, model.ActiveExecutionProvider);
        StringAssert.Contains(ProviderLines(log).Single(), Line + "GPU 0 (CUDA execution provider): the network is on cuda:0");
        var onnx = TestData.ReadScores(model.Transform(data));
        model.ScoringEngine = ScoringEngine.Torch;
        var libtorch = TestData.ReadScores(model.Transform(data));
        for (int i = 0; i < onnx.Length; i++)
            Assert.AreEqual(libtorch[i][0], onnx[i][0], 1e-4f, $"row {i}");
    }
}
