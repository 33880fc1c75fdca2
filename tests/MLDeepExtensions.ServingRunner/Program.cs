using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions;

// Usage: ServingRunner score <model.zip> <input.idv> <output.idv> [<model.zip> <input.idv> <output.idv> ...]
// Loads each model with a fresh MLContext, scores the rows of the input (ML.NET's binary format) with Transform and
// writes every column to the output. Then prints "libtorch loaded: yes|no" from the process's mapped libraries.
//
// Usage: ServingRunner torch-engine <model.zip> <input.idv>
// Loads a model, asks for the libtorch engine and scores one row: prints "refused: <type>: <message>" and exits 3 where
// libtorch is missing.
//
// Usage: ServingRunner load <model.zip>
// Loads a model that needs libtorch; prints "refused: <exception type>: <message>" and exits 3, or "loaded" and exits 0.
if (args is ["load", var path])
{
    try
    {
        new MLContext(seed: 1).Model.Load(path, out _);
        Console.WriteLine("loaded");
        return 0;
    }
    catch (Exception e)
    {
        while (e is TargetInvocationException { InnerException: { } inner })
            e = inner;
        Console.WriteLine($"refused: {e.GetType().Name}: {e.Message}");
        return 3;
    }
}
if (args is ["torch-engine", var torchModel, var torchInput])
{
    var ml = new MLContext(seed: 1);
    var network = (NetworkTransformerBase)ml.Model.Load(torchModel, out _);
    network.ScoringEngine = ScoringEngine.Torch;
    try
    {
        _ = network.Transform(ml.Data.LoadFromBinary(torchInput)).Preview(1);
        Console.WriteLine("scored with libtorch");
        return 0;
    }
    catch (Exception e)
    {
        Console.WriteLine($"refused: {e.GetType().Name}: {e.Message}");
        return 3;
    }
}
if (args.Length < 4 || args[0] != "score" || (args.Length - 1) % 3 != 0)
{
    Console.Error.WriteLine("usage: ServingRunner score <model.zip> <input.idv> <output.idv> ...  |  ServingRunner load <model.zip>");
    return 2;
}
for (int i = 1; i < args.Length; i += 3)
{
    var ml = new MLContext(seed: 1);
    var model = ml.Model.Load(args[i], out _);
    var input = ml.Data.LoadFromBinary(args[i + 1]);
    var scored = model.Transform(input);
    using (var output = File.Create(args[i + 2]))
        ml.Data.SaveAsBinary(scored, output, keepHidden: false);
    var network = model as NetworkTransformerBase ?? (model as TransformerChain<ITransformer>)?.LastTransformer as NetworkTransformerBase;
    Console.WriteLine($"{Path.GetFileName(args[i])}: scored by {network?.ActiveScoringEngine}");
    (model as IDisposable)?.Dispose();
}
bool loaded = File.Exists("/proc/self/maps")
    && File.ReadLines("/proc/self/maps").Any(line => line.Contains("libtorch", StringComparison.Ordinal) || line.Contains("LibTorchSharp", StringComparison.Ordinal));
Console.WriteLine($"libtorch loaded: {(loaded ? "yes" : "no")}");
return 0;
