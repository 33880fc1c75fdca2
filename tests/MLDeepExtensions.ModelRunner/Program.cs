using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: ModelRunner <model.zip> <rows.bin> <scores.bin>
// rows.bin: int rows, int width, then rows×width floats (the "Features" column).
// scores.bin: int rows, int width, then the "Score" column's values (vector or scalar), in row order.
// This mode never references MLDeepExtensions types: ML.NET finds the transformer's assembly from the model file alone.
//
// Usage: ModelRunner score-custom <model.zip> <rows.bin> <scores.bin>
// The same after registering the example custom modules (ExampleModules), as an application that uses them must.
//
// Usage: ModelRunner export-pytorch <folder>
// Trains the PyTorch fixtures' networks briefly and exports their weights with our inputs and outputs (PyTorchExport),
// for tools/pytorch/check_export.py.
//
// Usage: ModelRunner fit <seed>
// Runs DeterministicFit (a fixed fit on generated data) and prints "network-sha256=<hex>" and "scores-sha256=<hex>".
//
// Usage: ModelRunner checkpoint-fit <folder> <none | batch:E:B | write:E>
// Runs CheckpointedFit: a checkpointed fit that resumes from <folder>, pausing (to be killed) at the point given.
//
// Usage: ModelRunner train-small-convolutions
// Trains small convolutional networks (see SmallConvolutions) and prints what it trained; a diverging fit fails.
//
// Usage: ModelRunner onednn-cap
// Loads the native backend and prints "native ONEDNN_MAX_CPU_ISA=<value or (unset)>;" as oneDNN reads it.
//
// Usage: ModelRunner score-fixtures <fixtures folder> <output folder>
// Loads every <fixtures folder>/<name>/model.zip in a new MLContext, scores the inputs of its scores.json on one libtorch
// thread and writes what it got to <output folder>/<name>.json (see FixtureScores).
if (args is ["fit", var seedText] && int.TryParse(seedText, out int seed))
    return Fit(seed);
if (args is ["score-fixtures", var fixtures, var output])
    return ScoreFixtures(fixtures, output);
if (args is ["checkpoint-fit", var folder, var pause])
    return CheckpointFit(folder, pause);
if (args is ["export-pytorch", var exportFolder])
    return ExportPyTorch(exportFolder);
if (args is ["train-small-convolutions"])
    return TrainSmallConvolutions();
if (args is ["onednn-cap"])
    return PrintOneDnnCap();
if (args is ["score-custom", var customModel, var customRows, var customScores])
{
    RegisterExampleModules();
    return Score(customModel, customRows, customScores);
}
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ModelRunner <model.zip> <rows.bin> <scores.bin>  |  ModelRunner fit <seed>");
    return 2;
}
return Score(args[0], args[1], args[2]);

static int Score(string modelPath, string rowsPath, string scoresPath)
{
    var ml = new MLContext(seed: 123);
    var model = ml.Model.Load(modelPath, out _);
    using var reader = new BinaryReader(File.OpenRead(rowsPath));
    int rows = reader.ReadInt32(), width = reader.ReadInt32();
    var input = Enumerable.Range(0, rows)
        .Select(_ => new Row { Features = Enumerable.Range(0, width).Select(_ => reader.ReadSingle()).ToArray() })
        .ToList();
    var schema = SchemaDefinition.Create(typeof(Row));
    schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
    var scored = model.Transform(ml.Data.LoadFromEnumerable(input, schema));
    var scoreColumn = scored.Schema["Score"];

    using var writer = new BinaryWriter(File.Create(scoresPath));
    writer.Write(rows);
    using var cursor = scored.GetRowCursor(new[] { scoreColumn });
    bool headerWritten = false;
    if (scoreColumn.Type is VectorDataViewType)
    {
        var getter = cursor.GetGetter<VBuffer<float>>(scoreColumn);
        var value = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref value);
            if (!headerWritten) { writer.Write(value.Length); headerWritten = true; }
            foreach (float v in value.DenseValues()) writer.Write(v);
        }
    }
    else
    {
        var getter = cursor.GetGetter<float>(scoreColumn);
        float value = 0;
        writer.Write(1);
        while (cursor.MoveNext())
        {
            getter(ref value);
            writer.Write(value);
        }
    }
    Console.WriteLine($"scored {rows} rows with {model.GetType().Name}");
    return 0;
}

[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
static void RegisterExampleModules() => MLDeepExtensions.ModelRunner.ExampleModules.Register();

// Its own method, so that the scoring mode's Main never loads MLDeepExtensions by itself.
[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
static int Fit(int seed)
{
    var (network, scores) = MLDeepExtensions.ModelRunner.DeterministicFit.Run(seed);
    Console.WriteLine($"network-sha256={network}");
    Console.WriteLine($"scores-sha256={scores}");
    return 0;
}

static int ExportPyTorch(string folder) => MLDeepExtensions.ModelRunner.PyTorchExport.Run(folder);

static int CheckpointFit(string folder, string pause) => MLDeepExtensions.ModelRunner.CheckpointedFit.Run(folder, pause);

// Loads the native backend and prints the oneDNN instruction-set cap as oneDNN will read it: from the C library's
// environment on Unix (which .NET's Environment does not write), from the process's on Windows.
static int PrintOneDnnCap()
{
    MLDeepExtensions.Interop.TorchNative.EnsureInitialized();
    const string name = "ONEDNN_MAX_CPU_ISA";
    string? value = OperatingSystem.IsWindows()
        ? Environment.GetEnvironmentVariable(name)
        : System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeEnvironment.getenv(name));
    Console.WriteLine($"native {name}={value ?? "(unset)"};");
    return 0;
}

static int TrainSmallConvolutions()
{
    Console.WriteLine(MLDeepExtensions.ModelRunner.SmallConvolutions.Run());
    return 0;
}

static int ScoreFixtures(string fixtures, string output)
{
    TorchSharp.torch.set_num_threads(1);
    Directory.CreateDirectory(output);
    foreach (string directory in Directory.GetDirectories(fixtures).Order(StringComparer.Ordinal))
    {
        string name = Path.GetFileName(directory);
        var ml = new MLContext(seed: 7);
        var model = ml.Model.Load(Path.Combine(directory, "model.zip"), out _);
        var expected = MLDeepExtensions.ModelRunner.FixtureScores.Read(Path.Combine(directory, "scores.json"));
        expected.ScoredBy(ml, model).Write(Path.Combine(output, name + ".json"));
        (model as IDisposable)?.Dispose();
        Console.WriteLine($"scored fixture {name} with {model.GetType().Name}");
    }
    return 0;
}

internal sealed class Row
{
    public float[] Features { get; set; } = Array.Empty<float>();
}

internal static class NativeEnvironment
{
    [System.Runtime.InteropServices.DllImport("libc")]
    internal static extern IntPtr getenv(string name);
}
