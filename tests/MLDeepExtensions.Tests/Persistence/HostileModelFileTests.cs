using MLDeepExtensions.Model;
using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;

using MLDeepExtensions.Persistence;

namespace MLDeepExtensions.Tests.Persistence;

/// <summary>
/// Damaged and foreign model files: each must fail with a clear exception (ours: InvalidDataException saying what is
/// wrong and what to do), quickly and without large allocations, never with a native crash or a hang.
/// </summary>
[TestClass]
public sealed class HostileModelFileTests
{
    // The tiny regressor's "Network" entry: string "mlp", int 1 (its settings version), int 2 (hidden layers), int 32, int 16,
    // int activation, float dropout, bool batch norm, then TorchSharp's weights: LEB128 6 (tensors), name "layers.hidden0.weight", ...
    private const int FirstHiddenLayerOffset = 12;
    private const string FirstWeight = "layers.hidden0.weight";

    private static string _path = "";

    [TestInitialize]
    public void SaveModel() => _path = ModelZip.SaveTinyRegressor();

    [TestCleanup]
    public void DeleteModel() => File.Delete(_path);

    /// <summary>A fresh copy of the saved model, for tests that damage it several times.</summary>
    private static void Resave()
    {
        File.Delete(_path);
        _path = ModelZip.SaveTinyRegressor();
    }

    private static InvalidDataException LoadWithNetwork(byte[] network, string because)
    {
        ModelZip.Replace(_path, "Network", network);
        var error = ModelZip.LoadError(_path);
        Assert.IsInstanceOfType<InvalidDataException>(error, $"{because}: {error}");
        return (InvalidDataException)error;
    }

    [TestMethod]
    public void Load_TruncatedNetworkEntry_ThrowsInvalidDataSayingTruncated()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        int firstWeight = ModelZip.IndexOf(network, FirstWeight);
        // Inside the architecture settings, inside a weight's header, inside its data, and one byte short.
        foreach (int length in new[] { 10, firstWeight + 5, firstWeight + FirstWeight.Length + 20, network.Length - 1 })
        {
            Resave();
            var error = LoadWithNetwork(network.AsSpan(0, length).ToArray(), $"cut at {length} of {network.Length} bytes");
            StringAssert.Contains(error.Message, "corrupt or truncated", $"cut at {length}");
            StringAssert.Contains(error.Message, "Save the model again");
        }
    }

    [TestMethod]
    public void Load_WeightsOfAnotherInputSize_ThrowsNamingTheTensorAndBothShapes()
    {
        string other = ModelZip.SaveTinyRegressor(features: 3);
        try
        {
            var error = LoadWithNetwork(ModelZip.Read(other, "Network"), "weights of a 3-input network in a 4-input model");
            StringAssert.Contains(error.Message, $"'{FirstWeight}' has shape [32, 3] where the network has [32, 4]");
            StringAssert.Contains(error.Message, "different network");
        }
        finally
        {
            File.Delete(other);
        }
    }

    [TestMethod]
    public void Load_FutureFormatVersion_ThrowsSayingANewerVersionSavedIt()
    {
        byte[] header = ModelZip.Read(_path, "Model.key");
        Assert.AreEqual("DEEPNETW", System.Text.Encoding.ASCII.GetString(header, 0x40, 8), "the model header's signature");
        // ML.NET's model header: ModelVerWritten at 0x48, ModelVerReadable at 0x4C.
        const uint future = ModelFormat.CurrentVersion + 1;
        BitConverter.TryWriteBytes(header.AsSpan(0x48), future);
        BitConverter.TryWriteBytes(header.AsSpan(0x4C), future);
        ModelZip.Replace(_path, "Model.key", header);

        var error = ModelZip.LoadError(_path);
        Assert.IsInstanceOfType<InvalidDataException>(error);
        StringAssert.Contains(error.Message, $"format 0x{future:X8}, newer than this version of MLDeepExtensions reads (up to 0x{ModelFormat.CurrentVersion:X8})");
        StringAssert.Contains(error.Message, "Load it with the version of MLDeepExtensions that saved it, or a newer one");
    }

    [TestMethod]
    public void Load_RandomBytesAsTheWholeFile_ThrowsFormatExceptionFromMLNet()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(_path, bytes);
        var error = Assert.ThrowsExactly<FormatException>(() => new MLContext().Model.Load(_path, out _));
        StringAssert.Contains(error.Message, "Failed to open a zip archive");
    }

    [TestMethod]
    public void Load_RandomBytesAsTheNetworkEntry_ThrowsInvalidData()
    {
        int length = ModelZip.Read(_path, "Network").Length;
        for (int seed = 0; seed < 20; seed++)
        {
            Resave();
            var bytes = new byte[length];
            new Random(seed).NextBytes(bytes);
            var error = LoadWithNetwork(bytes, $"random bytes, seed {seed}");
            StringAssert.Contains(error.Message, "corrupt", $"seed {seed}");
        }
    }

    [TestMethod]
    public void Load_RandomWeightsAfterValidSettings_ThrowsInvalidData()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        int weights = ModelZip.IndexOf(network, FirstWeight) - 2;
        for (int seed = 0; seed < 20; seed++)
        {
            Resave();
            var tail = new byte[network.Length - weights];
            new Random(seed).NextBytes(tail);
            LoadWithNetwork([.. network.AsSpan(0, weights), .. tail], $"random weights, seed {seed}");
        }
    }

    [TestMethod]
    public void Load_HugeClaimedSizes_FailBeforeAllocating()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        int name = ModelZip.IndexOf(network, FirstWeight);
        int type = name + FirstWeight.Length, rank = type + 1, firstDimension = type + 2;
        var cases = new (string What, byte[] Network, string Expected)[]
        {
            // TorchSharp's loader allocated a long[] this long (1 GiB) before failing.
            ("2^27 dimensions", ModelZip.Splice(network, rank, 1, 0x80, 0x80, 0x80, 0x40), "has 134217728 dimensions where the network has 2"),
            ("a 2^32 − 1 dimension", ModelZip.Splice(network, firstDimension, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), "has shape [4294967295, 4] where the network has [32, 4]"),
            ("2^32 − 1 tensors", ModelZip.Splice(network, name - 2, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), "it holds 4294967295 weight tensors where the network has 8"),
            ("a 2^31 − 1 byte name", ModelZip.Splice(network, name - 1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07), "weight name of 2147483647 bytes"),
            ("a 64-bit overflowing count", ModelZip.Splice(network, name - 2, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), "not a valid number"),
            ("element type 7 (double)", ModelZip.Splice(network, type, 1, 7), "element type code 7 where the network has Float32 (6)"),
        };
        foreach (var (what, bytes, expected) in cases)
        {
            Resave();
            long before = GC.GetAllocatedBytesForCurrentThread();
            var error = LoadWithNetwork(bytes, what);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            StringAssert.Contains(error.Message, expected, what);
            Assert.IsLessThan(16L << 20, allocated, $"{what}: {allocated} bytes allocated while loading");
        }
    }

    [TestMethod]
    public void Load_UnknownWeightName_ThrowsNamingItAndTheNetworksNames()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        network[ModelZip.IndexOf(network, FirstWeight)] = (byte)'X';
        var error = LoadWithNetwork(network, "an unknown weight name");
        StringAssert.Contains(error.Message, "weight tensor 'Xayers.hidden0.weight' is not part of the network (it has 'layers.hidden0.weight'");
    }

    [TestMethod]
    public void Load_TrailingBytes_ThrowsInvalidData()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        var error = LoadWithNetwork([.. network, 1, 2, 3], "three bytes after the weights");
        StringAssert.Contains(error.Message, "3 unexpected bytes after the weights");
    }

    [TestMethod]
    public void Load_HugeLayerInTheSettings_FailsBeforeBuildingTheNetwork()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        // Hidden layer 0 of int.MaxValue units: 4 × 2^31 weights (32 GiB) the file cannot hold.
        BitConverter.TryWriteBytes(network.AsSpan(FirstHiddenLayerOffset), int.MaxValue);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = LoadWithNetwork(network, "a hidden layer of int.MaxValue units");
        Assert.IsLessThan(16L << 20, GC.GetAllocatedBytesForCurrentThread() - before);
        StringAssert.Contains(error.Message, "need at least");
        StringAssert.Contains(error.Message, "bytes are left in the 'Network' entry");
    }

    [TestMethod]
    public void Load_ImpossibleCategoricalInputs_FailBeforeAllocating()
    {
        // A regressor that reads the generated rows' quadrant ("Class", 4 keys) through an embedding of size 3.
        var ml = new MLContext(seed: 1);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Quadrant", nameof(GeneratedRow.Class)).Fit(ml.Data.LoadFromEnumerable(TestData.Generate(64, seed: 3)))
            .Transform(ml.Data.LoadFromEnumerable(TestData.Generate(64, seed: 3)));
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1);
        options.CategoricalColumns = [new CategoricalColumn("Quadrant") { EmbeddingSize = 3 }];
        string path = ModelZip.TempPath();
        using (var model = ml.Regression.Trainers.DeepNetwork(options).Fit(keyed))
            ml.Model.Save(model, keyed.Schema, path);
        try
        {
            byte[] network = ModelZip.Read(path, "Network");
            int keys = ModelZip.IndexOf(network, "Quadrant") + "Quadrant".Length, size = keys + sizeof(int);
            Assert.AreEqual(4, BitConverter.ToInt32(network, keys), "the key count follows the column's name");
            Assert.AreEqual(3, BitConverter.ToInt32(network, size), "then the embedding size");
            var cases = new (string What, int At, int Value, string Expected)[]
            {
                ("2^30 keys", keys, 1 << 30, "Categorical input 'Quadrant' has 1073741824 keys and embedding size 3"),
                ("no keys", keys, 0, "Categorical input 'Quadrant' has 0 keys"),
                ("an embedding of 2^30", size, 1 << 30, "embedding size 1073741824"),
                // Plausible settings whose embedding (1,000,001 × 3 floats) cannot be in the few bytes of weights left.
                ("a million keys", keys, 1_000_000, "need at least"),
            };
            foreach (var (what, at, value, expected) in cases)
            {
                byte[] damaged = (byte[])network.Clone();
                BitConverter.TryWriteBytes(damaged.AsSpan(at), value);
                ModelZip.Replace(path, "Network", damaged);
                long before = GC.GetAllocatedBytesForCurrentThread();
                var error = ModelZip.LoadError(path);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.IsInstanceOfType<InvalidDataException>(error, $"{what}: {error}");
                StringAssert.Contains(error.Message, expected, what);
                Assert.IsLessThan(16L << 20, allocated, $"{what}: {allocated} bytes allocated while loading");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Load_NewerArchitectureSettingsVersion_ThrowsSayingSo()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        byte version = MlpArchitecture.CurrentSettingsVersion;
        CollectionAssert.AreEqual(new byte[] { 3, (byte)'m', (byte)'l', (byte)'p', version, 0, 0, 0 }, network.Take(8).ToArray(), "name, then the settings version");
        BitConverter.TryWriteBytes(network.AsSpan(4), 7);
        var error = LoadWithNetwork(network, "MLP settings of layout version 7");
        StringAssert.Contains(error.Message, $"'mlp' network settings have layout version 7, newer than this version of MLDeepExtensions reads (up to {version})");
    }

    [TestMethod]
    public void Load_ArchitectureNameNoVersionKnows_ThrowsSayingSo()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        network[1] = (byte)'x'; // "xlp": a well-formed name no version registered
        var error = LoadWithNetwork(network, "an unknown architecture name");
        StringAssert.Contains(error.Message, "names network architecture 'xlp', which this version of MLDeepExtensions does not know");
    }

    [TestMethod]
    public void Load_ForecastingNetworksNestedDeeply_ThrowsCorruptInsteadOfOverflowingTheStack()
    {
        // 100,000 forecasting-network headers (name, settings version 1, scaling, period, quantile count) around the MLP:
        // read recursively, they would overflow the stack, which ends the process.
        using var nested = new MemoryStream();
        using (var writer = new BinaryWriter(nested, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            for (int i = 0; i < 100_000; i++)
            {
                writer.Write("forecast");
                writer.Write(1);
                writer.Write((int)SeriesScaling.LastValue);
                writer.Write(0);
                writer.Write(3);
            }
            writer.Write(ModelZip.Read(_path, "Network"));
        }
        var error = LoadWithNetwork(nested.ToArray(), "nested forecasting networks");
        StringAssert.Contains(error.Message, "a forecasting network nested in another");
    }

    [TestMethod]
    public void Load_UnreadableArchitectureName_ThrowsCorrupt()
    {
        byte[] network = ModelZip.Read(_path, "Network");
        network[1] = 0xC3; // "mlp" → an invalid UTF-8 start: not a name any version writes.
        var error = LoadWithNetwork(network, "a damaged architecture name");
        StringAssert.Contains(error.Message, "architecture name is unreadable");
    }

    [TestMethod]
    public void Load_HugeHistory_ThrowsInvalidData()
    {
        byte[] history = ModelZip.Read(_path, "History");
        BitConverter.TryWriteBytes(history.AsSpan(0), 999_999);
        ModelZip.Replace(_path, "History", history);
        var error = ModelZip.LoadError(_path);
        Assert.IsInstanceOfType<InvalidDataException>(error);
        // After the count: the selected epoch and flag, one epoch of 44 bytes, then the (empty) block of named metrics.
        int left = history.Length - sizeof(int);
        StringAssert.Contains(error.Message, $"the training history claims 999999 epochs; its {left} bytes hold at most {(left - 5) / 44}");
    }
}
