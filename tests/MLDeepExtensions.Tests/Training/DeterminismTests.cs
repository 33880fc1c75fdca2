using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.ModelRunner;
using TorchSharp;

namespace MLDeepExtensions.Tests.Training;

/// <summary>Same seed, data and thread count on the CPU → bitwise-identical weights and predictions, in this process and in others.</summary>
[TestClass]
public sealed class DeterminismTests
{
    private static (string Network, string Scores) Parse(string output)
    {
        string Value(string key) => output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(key + "=")).Substring(key.Length + 1);
        return (Value("network-sha256"), Value("scores-sha256"));
    }

    [TestMethod]
    public void SameSeed_SameWeightsAndPredictions_InThisProcessAndInTwoNewOnes()
    {
        // Both new processes fit while this one does.
        var first = ModelRunnerProcess.Start("fit", "11");
        var second = ModelRunnerProcess.Start("fit", "11");
        int threads = torch.get_num_threads();
        (string Network, string Scores) here, again, otherSeed;
        try
        {
            here = DeterministicFit.Run(11);
            again = DeterministicFit.Run(11);
            otherSeed = DeterministicFit.Run(12);
        }
        finally
        {
            torch.set_num_threads(threads); // DeterministicFit sets libtorch's process-wide thread count.
        }

        Assert.AreEqual(here, again, "two fits in this process");
        Assert.AreEqual(here, Parse(ModelRunnerProcess.Finish(first)), "this process and a new one");
        Assert.AreEqual(here, Parse(ModelRunnerProcess.Finish(second)), "this process and another new one");
        Assert.AreNotEqual(here.Network, otherSeed.Network, "another seed gives other weights");
        Assert.AreNotEqual(here.Scores, otherSeed.Scores, "another seed gives other predictions");
    }
}
