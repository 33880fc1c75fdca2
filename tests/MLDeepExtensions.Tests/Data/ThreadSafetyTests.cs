using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Data;

/// <summary>
/// One fitted transformer scored from eight threads at once — Transform with its cursors, and one PredictionEngine per
/// thread — must give exactly what one thread gives, for every architecture.
/// </summary>
[TestClass]
public sealed class ThreadSafetyTests
{
    private const int Threads = 8;

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    [DataRow("lstm")]
    [DataRow("gru")]
    [DataRow("transformer")]
    [DataRow("autoencoder")]
    [DataRow("conv-autoencoder")]
    [DataRow("resnet")]
    [DataRow("ft-transformer")]
    public void EightThreads_TransformAndOwnPredictionEngines_MatchOneThreadExactly(string kind)
    {
        var ml = new MLContext(seed: 1);
        var rows = TestNetworks.Rows(300, seed: 5);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = TestNetworks.Estimator(ml, kind).Fit(data);
        var batched = TestNetworks.Scores(model, data);
        var single = TestNetworks.Predict(ml, model, rows);

        var results = new (float[] Batched, float[] Single)[Threads];
        var failures = new ConcurrentQueue<Exception>();
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                // Half the threads start with Transform, half with their PredictionEngine, so both paths overlap.
                if (t % 2 == 0)
                    results[t] = (TestNetworks.Scores(model, data), TestNetworks.Predict(ml, model, rows));
                else
                {
                    var own = TestNetworks.Predict(ml, model, rows);
                    results[t] = (TestNetworks.Scores(model, data), own);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            Assert.IsTrue(thread.Join(TimeSpan.FromMinutes(2)), "a scoring thread hung");

        Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures));
        for (int t = 0; t < Threads; t++)
        {
            CollectionAssert.AreEqual(batched, results[t].Batched, $"{kind}: Transform on thread {t}");
            CollectionAssert.AreEqual(single, results[t].Single, $"{kind}: PredictionEngine on thread {t}");
        }
    }
}
