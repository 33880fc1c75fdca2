using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// A deployment of the model exported by ../Train: ONNX Runtime only (no TorchSharp, no ML.NET), on the GPU when the
// CUDA build of ONNX Runtime is referenced (-p:OnnxRuntimeGpu=true) and a GPU is usable, else on the CPU.
// Run: dotnet run --project samples/OnnxDeployment/Serve -c Release -- <fashion-cnn.onnx> [test-images.gz test-labels.gz]
//
// Expected output (repository subset, idle 2-core x86-64 CPU):
//   Execution provider: CPU (CUDA is not available: Unable to find an entry point named 'OrtSessionOptionsAppendExecutionProvider_CUDA' ...)
//   1000 test images: accuracy 0.80; 28,673 images/s in batches of 256; one image: 0.03 ms median
string? modelPath = args.FirstOrDefault();
if (modelPath is null || !File.Exists(modelPath))
{
    Console.Error.WriteLine("Usage: OnnxDeployment.Serve <model.onnx> [t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz]");
    return 2;
}
string folder = Path.Combine(AppContext.BaseDirectory, "fashion-mnist-subset");
string imagesPath = args.Length > 2 ? args[1] : Path.Combine(folder, "t10k-images-idx3-ubyte.gz");
string labelsPath = args.Length > 2 ? args[2] : Path.Combine(folder, "t10k-labels-idx1-ubyte.gz");

using var options = new SessionOptions();
try
{
    options.AppendExecutionProvider_CUDA(0);
    Console.WriteLine("Execution provider: CUDA (GPU 0)");
}
catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
{
    Console.WriteLine($"Execution provider: CPU (CUDA is not available: {e.Message.Split('\n')[0]})");
}
using var session = new InferenceSession(modelPath, options);

float[] pixels = ReadIdx(imagesPath, 16).Select(b => b / 255f).ToArray();
byte[] labels = ReadIdx(labelsPath, 8);
string[] classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
int count = labels.Length;

string[] Predict(int start, int rows)
{
    var input = new DenseTensor<float>(pixels.AsMemory(start * 784, rows * 784), [rows, 784]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor("Pixels", input)], ["PredictedClass.output"]);
    return results[0].AsTensor<string>().ToArray();
}

Predict(0, Math.Min(256, count)); // warm-up
var clock = Stopwatch.StartNew();
var predicted = new List<string>(count);
for (int start = 0; start < count; start += 256)
    predicted.AddRange(Predict(start, Math.Min(256, count - start)));
double seconds = clock.Elapsed.TotalSeconds;
double accuracy = predicted.Where((p, i) => p == classes[labels[i]]).Count() / (double)count;

var latencies = new List<double>();
for (int i = 0; i < Math.Min(count, 500); i++)
{
    clock.Restart();
    Predict(i, 1);
    latencies.Add(clock.Elapsed.TotalMilliseconds);
}
latencies.Sort();
Console.WriteLine($"{count} test images: accuracy {accuracy:F2}; {count / seconds:N0} images/s in batches of 256; one image: {latencies[latencies.Count / 2]:F2} ms median");
return 0;

// An IDX file (gzip) without its header: the bytes of every image or label.
static byte[] ReadIdx(string path, int header)
{
    using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    using var bytes = new MemoryStream();
    gzip.CopyTo(bytes);
    return bytes.ToArray()[header..];
}
