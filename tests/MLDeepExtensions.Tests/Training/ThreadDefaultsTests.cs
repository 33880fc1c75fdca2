using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Model;
using TorchSharp;

namespace MLDeepExtensions.Tests.Training;

[TestClass]
[DoNotParallelize] // libtorch's thread count is process-wide
public sealed class ThreadDefaultsTests
{
    private sealed class ThreadCounter : TrainingCallback
    {
        public List<int> Seen { get; } = new();

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => Seen.Add(torch.get_num_threads());
    }

    [TestMethod]
    public void MultiplyAdds_OfAnMlp_AreItsWeights_AndAConvolutionsRepeatOverItsOutputPositions()
    {
        // 784 → 128 → 64 → 10: (784 + 1)·128 + (128 + 1)·64 + (64 + 1)·10 weights, each used once per row.
        Assert.AreEqual(109_386, ThreadDefaults.MultiplyAddsPerRow(new MlpArchitecture(128, 64), 784, 10));

        var cnn = new CnnArchitecture(new ImageShape(1, 28, 28));
        double cnnWork = ThreadDefaults.MultiplyAddsPerRow(cnn, 784, 10);
        long cnnWeights = 0;
        using (var module = cnn.CreateModule(784, 10))
            foreach (var (_, parameter) in module.named_parameters())
                cnnWeights += parameter.numel();
        Assert.IsGreaterThan(8.0 * cnnWeights, cnnWork, $"a 28×28 CNN reuses its convolution weights at every position: {cnnWork} multiply-adds, {cnnWeights} weights");
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(16)]
    public void Choose_OneThreadForASmallBatch_OnePerProcessorForALargeOne(int processors)
    {
        var (small, why) = ThreadDefaults.Choose(new MlpArchitecture(128, 64), 784, 10, 128, processors);
        Assert.AreEqual(1, small, why);
        StringAssert.Contains(why, "too little to share");
        var (large, reason) = ThreadDefaults.Choose(new CnnArchitecture(new ImageShape(1, 28, 28)), 784, 10, 128, processors);
        Assert.AreEqual(processors, large, reason);
        Assert.AreEqual(1, ThreadDefaults.Choose(new CnnArchitecture(new ImageShape(1, 28, 28)), 784, 10, 128, processors: 1).Threads);
    }

    [TestMethod]
    public void OpenMpWaitPolicy_IsPassiveInTheCEnvironment_UnlessTheProcessChoseOne()
    {
        MLDeepExtensions.Interop.TorchNative.EnsureInitialized();
        bool chosen = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null;
        Assert.AreEqual(!chosen, MLDeepExtensions.Interop.OpenMpWaitPolicy.SetPassive);
        if (!chosen)
            Assert.AreEqual("PASSIVE", MLDeepExtensions.Interop.NativeEnvironment.Get("OMP_WAIT_POLICY"), "libgomp reads the C library's environment");
    }

    [TestMethod]
    public void Fit_ThreadsUnset_TrainsWithTheChosenCount_AndPutsLibtorchsSettingBack()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(300, seed: 1));
        int before = torch.get_num_threads();
        int expected = ThreadDefaults.Choose(new MlpArchitecture(32, 16), 4, 1, 32, Environment.ProcessorCount).Threads;
        try
        {
            torch.set_num_threads(3);
            var counter = new ThreadCounter();
            var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 2);
            options.Callbacks.Add(counter);
            ml.Regression.Trainers.DeepNetwork(options).Fit(data);
            CollectionAssert.AreEqual(new[] { expected, expected }, counter.Seen);
            Assert.AreEqual(3, torch.get_num_threads(), "libtorch's setting is put back after the fit");

            var explicitCounter = new ThreadCounter();
            var explicitOptions = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1) with { NumberOfThreads = 2 };
            explicitOptions.Callbacks.Add(explicitCounter);
            ml.Regression.Trainers.DeepNetwork(explicitOptions).Fit(data);
            CollectionAssert.AreEqual(new[] { 2 }, explicitCounter.Seen, "NumberOfThreads overrides the choice");
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }
}
