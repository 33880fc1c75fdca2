using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TorchSharp.PyBridge;
using MLDeepExtensions.ModelRunner;
using static TorchSharp.torch;

namespace MLDeepExtensions.Tests.Persistence;

/// <summary>
/// Weights to and from PyTorch: state_dicts written by PyTorch itself (Fixtures/pytorch, made by
/// tools/pytorch/make_fixtures.py from the modules in tools/pytorch/equivalents.py) score here as they did there;
/// our exported files read back bitwise; hostile and mismatched files are refused before anything is allocated.
/// </summary>
[TestClass]
public sealed class PyTorchInterchangeTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch");

    /// <summary>The fixture's input rows and PyTorch's float32 outputs for them.</summary>
    private static (float[][] Input, float[][] Output) ReadIo(string name)
    {
        var io = PyTorchUnpickler.UnpickleStateDict(Path.Combine(Fixtures, name + "-io.pt"));
        float[][] Rows(object tensor)
        {
            using var t = (Tensor)tensor;
            var values = t.data<float>().ToArray();
            int width = (int)t.shape[1];
            return Enumerable.Range(0, (int)t.shape[0]).Select(r => values.AsSpan(r * width, width).ToArray()).ToArray();
        }
        var result = (Rows(io["input"]!), Rows(io["output"]!));
        ((Tensor)io["output64"]!).Dispose();
        return result;
    }

    private static NetworkArchitecture Architecture(string name) => PyTorchExport.Architecture(name);

    private static IDataView View(MLContext ml, float[][] input, int outputs)
        => PyTorchExport.View(ml, input.Select(r => new PyTorchExport.Row { Features = r, Targets = new float[outputs] }), input[0].Length);

    private static DeepNetworkOptions Import(NetworkArchitecture architecture, string weights) => new()
    {
        LabelColumnName = nameof(PyTorchExport.Row.Targets),
        Architecture = architecture,
        InitialWeights = weights,
        Epochs = 0,
    };

    [TestMethod]
    [DataRow("mlp")]
    [DataRow("cnn")]
    [DataRow("lstm")]
    [DataRow("gru")]
    [DataRow("transformer")]
    [DataRow("resnet")]
    [DataRow("ft-transformer")]
    public void StateDictSavedByPyTorch_ScoresAsPyTorchDid(string name)
    {
        var ml = new MLContext(seed: 1);
        var (input, expected) = ReadIo(name);
        var data = View(ml, input, 3);
        using var model = ml.Regression.Trainers.DeepNetwork(Import(Architecture(name), Path.Combine(Fixtures, name + ".pt"))).Fit(data);
        var scores = TestData.ReadScores(model.Transform(data));
        double largest = MaxDifference(expected, scores);
        Console.WriteLine($"{name}: largest |ours − PyTorch| {largest:E2}");
        Assert.IsLessThanOrEqualTo(1e-5, largest, $"{name}: largest |ours − PyTorch| {largest:E2}");
        Assert.IsEmpty(model.History, "Epochs = 0 keeps the imported weights");
    }

    [TestMethod]
    public void Float64StateDict_IsConvertedWithAWarning()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var (input, expected) = ReadIo("mlp");
        var data = View(ml, input, 3);
        using var model = ml.Regression.Trainers.DeepNetwork(Import(Architecture("mlp"), Path.Combine(Fixtures, "mlp-float64.pt"))).Fit(data);
        Assert.IsLessThanOrEqualTo(1e-5, MaxDifference(expected, TestData.ReadScores(model.Transform(data))));
        lock (log)
            Assert.IsTrue(log.Any(m => m.Contains("Converted to float32 on import") && m.Contains("layers.hidden0.weight (Float64)")), string.Join("\n", log));
    }

    [TestMethod]
    [DataRow("model.pt")]
    [DataRow("model.safetensors")]
    public void ExportedWeights_ImportBitwise_AndHoldTheNetworksNames(string file)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(200, seed: 3));
        var options = TestData.Tiny(nameof(GeneratedRow.Target), epochs: 3) with { Architecture = new MlpArchitecture(16, 8) { BatchNormalization = true } };
        using var trained = ml.Regression.Trainers.DeepNetwork(options).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"mlde-{Guid.NewGuid():N}-{file}");
        try
        {
            trained.ExportWeights(path);
            using var imported = ml.Regression.Trainers.DeepNetwork(options with { InitialWeights = path, Epochs = 0 }).Fit(data);
            CollectionAssert.AreEqual(TestData.SavedNetwork(ml, trained, data.Schema), TestData.SavedNetwork(ml, imported, data.Schema));

            using var onward = ml.Regression.Trainers.DeepNetwork(options with { InitialWeights = path, Epochs = 2 }).Fit(data);
            Assert.HasCount(2, onward.History, "training goes on from imported weights");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ExportedStateDict_HoldsTheLayerNamesWithTheirTensors()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Generate(100, seed: 3));
        using var trained = ml.Regression.Trainers.DeepNetwork(TestData.Tiny(nameof(GeneratedRow.Target), epochs: 1)).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"mlde-{Guid.NewGuid():N}.pt");
        try
        {
            trained.ExportWeights(path);
            var stateDict = PyTorchUnpickler.UnpickleStateDict(path);
            var names = stateDict.Keys.Cast<string>().Order(StringComparer.Ordinal).ToArray();
            // The layers' weights and biases, and the input standardization's two buffers (no layer of LayerNames: nothing in it trains).
            string[] expected = [.. trained.LayerNames.SelectMany(l => new[] { l + ".bias", l + ".weight" }), "standardize.mean", "standardize.scale"];
            CollectionAssert.AreEqual(expected.Order(StringComparer.Ordinal).ToArray(), names);
            foreach (DictionaryEntry entry in stateDict)
                ((Tensor)entry.Value!).Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void StateDictOfAnotherArchitecture_ListsEveryDifference()
    {
        var ml = new MLContext(seed: 1);
        var (input, _) = ReadIo("mlp");
        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            ml.Regression.Trainers.DeepNetwork(Import(new MlpArchitecture(12), Path.Combine(Fixtures, "mlp.pt"))).Fit(View(ml, input, 3)));
        StringAssert.Contains(error.Message, "'layers.hidden0.weight' has shape [16, 6] in the file and [12, 6] in the network");
        StringAssert.Contains(error.Message, "unexpected: layers.norm0.weight");
        StringAssert.Contains(error.Message, "layers.hidden1.weight");
    }

    [TestMethod]
    [DataRow("mlp-whole-model.pt", "a whole pickled model")]
    [DataRow("mlp-legacy.pt", "written by PyTorch before 1.6")]
    public void WholeModelOrLegacyFile_IsRefusedSayingWhatToSave(string file, string expected)
    {
        var ml = new MLContext(seed: 1);
        var (input, _) = ReadIo("mlp");
        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            ml.Regression.Trainers.DeepNetwork(Import(Architecture("mlp"), Path.Combine(Fixtures, file))).Fit(View(ml, input, 3)));
        StringAssert.Contains(error.Message, expected);
        StringAssert.Contains(error.Message, "state_dict");
    }

    [TestMethod]
    [DataRow("os-system", "names posix.system")]
    [DataRow("huge-storage", "claims a storage of 1000000000000 elements")]
    [DataRow("outside-storage", "reaches outside its storage")]
    [DataRow("truncated", "damaged or truncated")]
    [DataRow("safetensors-huge-shape", "does not match its bytes")]
    [DataRow("safetensors-huge-header", "declares a")]
    public void HostileFile_IsRefusedBeforeAnythingIsAllocated(string kind, string expected)
    {
        var ml = new MLContext(seed: 1);
        var (input, _) = ReadIo("mlp");
        string path = Path.Combine(Path.GetTempPath(), $"mlde-hostile-{Guid.NewGuid():N}" + (kind.StartsWith("safetensors", StringComparison.Ordinal) ? ".safetensors" : ".pt"));
        try
        {
            File.WriteAllBytes(path, Hostile(kind));
            var error = Assert.ThrowsExactly<InvalidDataException>(() =>
                ml.Regression.Trainers.DeepNetwork(Import(Architecture("mlp"), path)).Fit(View(ml, input, 3)));
            StringAssert.Contains(error.Message, expected);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void BadInitialWeightsOptions_AreErrors()
    {
        var ml = new MLContext(seed: 1);
        var (input, _) = ReadIo("mlp");
        var data = View(ml, input, 3);
        var extension = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(Import(Architecture("mlp"), "weights.onnx")));
        StringAssert.Contains(extension.Message, "InitialWeights is 'weights.onnx'");
        var epochs = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(Import(Architecture("mlp"), "weights.pt") with { InitialWeights = null }));
        StringAssert.Contains(epochs.Message, "Epochs is 0");
        Assert.ThrowsExactly<FileNotFoundException>(() => ml.Regression.Trainers.DeepNetwork(Import(Architecture("mlp"), "no-such-file.pt")).Fit(data));
        using var first = ml.Regression.Trainers.DeepNetwork(Import(Architecture("mlp"), Path.Combine(Fixtures, "mlp.pt"))).Fit(data);
        var both = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(Import(Architecture("mlp"), Path.Combine(Fixtures, "mlp.pt"))).Fit(data, first));
        StringAssert.Contains(both.Message, "one of initialModel and InitialWeights");
        Assert.ThrowsExactly<ArgumentException>(() => first.ExportWeights("weights.h5"));
    }

    private static double MaxDifference(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        return expected.Zip(actual).SelectMany(p => p.First.Zip(p.Second, (e, a) => Math.Abs((double)e - a))).Max();
    }

    /// <summary>Files a hostile party could hand over, written byte by byte.</summary>
    private static byte[] Hostile(string kind)
    {
        switch (kind)
        {
            case "truncated":
                var whole = File.ReadAllBytes(Path.Combine(Fixtures, "mlp.pt"));
                return whole[..(whole.Length / 2)];
            case "safetensors-huge-shape":
                return Safetensors("""{"layers.hidden0.weight":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,16]}}""", 16);
            case "safetensors-huge-header":
                return [.. BitConverter.GetBytes(1UL << 40), .. new byte[32]];
        }
        var pickle = new Pickle();
        if (kind == "os-system")
        {
            pickle.Global("posix", "system").Text("echo pwned > /tmp/pwned").Op(0x85).Op('R');
            return Zip(pickle.Op('.').Bytes, storage: null);
        }
        long elements = kind == "huge-storage" ? 1_000_000_000_000 : 4;
        pickle.Op('}').Text("layers.hidden0.weight")
            .Global("torch._utils", "_rebuild_tensor_v2").Op('(')
            .Op('(').Text("storage").Global("torch", "FloatStorage").Text("0").Text("cpu").Long(elements).Op('t').Op('Q')
            .Long(0).Long(1_000_000).Long(1_000_000).Op(0x86).Long(1_000_000).Long(1).Op(0x86).Op(0x89)
            .Global("collections", "OrderedDict").Op(')').Op('R').Op('t').Op('R').Op('s').Op('.');
        return Zip(pickle.Bytes, storage: new byte[16]);
    }

    private static byte[] Safetensors(string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. new byte[dataBytes]];
    }

    private static byte[] Zip(byte[] pickle, byte[]? storage)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var entry = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
                entry.Write(pickle);
            if (storage is not null)
            {
                using var data = zip.CreateEntry("archive/data/0", CompressionLevel.NoCompression).Open();
                data.Write(storage);
            }
            using var version = zip.CreateEntry("archive/version", CompressionLevel.NoCompression).Open();
            version.Write("3\n"u8);
        }
        return buffer.ToArray();
    }

    /// <summary>Writes pickle protocol 2 instructions.</summary>
    private sealed class Pickle
    {
        private readonly List<byte> _bytes = [0x80, 2];

        public byte[] Bytes => [.. _bytes];

        public Pickle Op(int code)
        {
            _bytes.Add((byte)code);
            return this;
        }

        public Pickle Global(string module, string name)
        {
            _bytes.Add((byte)'c');
            _bytes.AddRange(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            return this;
        }

        public Pickle Text(string text)
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            _bytes.Add((byte)'X');
            _bytes.AddRange(BitConverter.GetBytes(utf8.Length));
            _bytes.AddRange(utf8);
            return this;
        }

        public Pickle Long(long value)
        {
            _bytes.Add(0x8a);
            _bytes.Add(8);
            _bytes.AddRange(BitConverter.GetBytes(value));
            return this;
        }
    }
}
