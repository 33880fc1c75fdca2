using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Data;

namespace MLDeepExtensions.Tests.Data;

[TestClass]
public sealed class FeatureEncoderTests
{
    [TestMethod]
    public void AllFinite_AgreesWithFloatIsFinite_AtEveryPositionAndLength()
    {
        float[] finite = [0f, -0f, 1f, -1f, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 1e-40f, 3.4e38f];
        float[] notFinite = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC0_0001), BitConverter.Int32BitsToSingle(unchecked((int)0xFFFF_FFFF))];
        var random = new Random(11);
        // Lengths below, at and above the vector width, so both the vector loop and the remainder are checked.
        foreach (int length in Enumerable.Range(0, 40).Append(784).Append(1000))
        {
            var values = Enumerable.Range(0, length).Select(_ => finite[random.Next(finite.Length)]).ToArray();
            Assert.IsTrue(FeatureEncoder.AllFinite(values), $"length {length}, all finite");
            for (int at = 0; at < length; at++)
            {
                float kept = values[at];
                values[at] = notFinite[random.Next(notFinite.Length)];
                Assert.IsFalse(FeatureEncoder.AllFinite(values), $"length {length}, {values[at]} at {at}");
                values[at] = kept;
            }
        }
    }
}
