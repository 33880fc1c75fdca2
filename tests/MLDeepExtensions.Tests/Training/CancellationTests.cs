using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Training;

[TestClass]
public sealed class CancellationTests
{
    /// <summary>Counts training batches, signals after the first few, and counts those that ended after cancellation.</summary>
    private sealed class BatchCounter(CancellationToken token, int signalAfter, ManualResetEventSlim reached) : TrainingCallback
    {
        public int Batches;
        public int BatchesAfterCancel;

        public override void OnBatchEnd(TrainingContext context, int epoch, int batch)
        {
            if (token.IsCancellationRequested)
                BatchesAfterCancel++;
            if (++Batches == signalAfter)
                reached.Set();
        }
    }

    private static DeepNetworkOptions Options(int epochs)
    {
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs);
        options.BatchSize = 16;
        return options;
    }

    [TestMethod]
    public void Cancel_FromAnotherThread_StopsWithinOneBatch_AndTheNextFitEqualsAnUncancelledOne()
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(400, seed: 21));
        byte[] Fit(DeepNetworkOptions options)
        {
            using var model = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
            return TestData.SavedNetwork(ml, model, data.Schema);
        }
        byte[] uncancelled = Fit(Options(3));

        using var source = new CancellationTokenSource();
        using var reached = new ManualResetEventSlim();
        var counter = new BatchCounter(source.Token, signalAfter: 5, reached);
        var options = Options(1000); // 25 batches an epoch: far more than run before the cancel lands.
        options.CancellationToken = source.Token;
        options.Callbacks.Add(counter);
        var canceller = Task.Run(() =>
        {
            Assert.IsTrue(reached.Wait(TimeSpan.FromMinutes(1)), "the fit never reached batch 5");
            source.Cancel();
        });
        Assert.ThrowsExactly<OperationCanceledException>(() => Fit(options));
        canceller.GetAwaiter().GetResult();

        // The batch running when Cancel() was called may finish; no other may start.
        Assert.IsLessThanOrEqualTo(1, counter.BatchesAfterCancel, $"{counter.BatchesAfterCancel} batches ended after Cancel()");
        Assert.IsLessThan(1000 * 25, counter.Batches);
        CollectionAssert.AreEqual(uncancelled, Fit(Options(3)), "a fit after the cancelled one differs from one before it");
    }
}
