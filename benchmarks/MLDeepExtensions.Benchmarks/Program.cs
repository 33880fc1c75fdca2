using System;
using System.Diagnostics;
using System.Globalization;
using MLDeepExtensions.Benchmarks;
using static TorchSharp.torch;

// Our estimators against the same networks in bare TorchSharp, in one process, on Fashion-MNIST (and a real series
// for forecasting), plus accuracy runs, exported models under ONNX Runtime and a long native-memory check. Sections:
// mlp (default), cnn, rnn, autoencoder, onnx, memory, streaming, integrity, tabular, fttransformer, forecasting, multilabel, sequence, smalldata, threads, all. Writes the tables to benchmarks/RESULTS.md (or --results PATH; none with --no-results).
// Run: dotnet run --project benchmarks/MLDeepExtensions.Benchmarks -c Release [-- SECTION] [--quick] [--epochs N] [--repeats N]
//      [--with-baseline] [--timing-only | --accuracy-only] [--variants ID,ID,...] [--networks A,B] [--conditions quiet,busy] [--results PATH | --no-results]
// Measured numbers and what they mean: benchmarks/README.md and benchmarks/RESULTS.md.

// The streaming section measures each in-memory fit's peak in a process of its own (see StreamingSection.InMemoryPeaks).
if (args is [StreamingSection.PeakCommand, var peakRows, var peakSubset])
    return StreamingSection.MeasurePeak(long.Parse(peakRows, CultureInfo.InvariantCulture), peakSubset == "subset");
if (args is [StreamingSection.LargeCommand, var largeFile, var largeBudget])
    return StreamingSection.TrainLarge(largeFile, long.Parse(largeBudget, CultureInfo.InvariantCulture));

var options = BenchmarkOptions.Parse(args);
if (options is null)
    return 2;

// The same digits and separators on every machine, in the console and in the results file.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var started = DateTime.UtcNow;
long clock = Stopwatch.GetTimestamp();
// The native backend loads through the library, as in an application whose first TorchSharp call is one of ours: it
// sets OpenMP's wait policy before libtorch loads (see OpenMpWaitPolicy), which a direct TorchSharp call first would miss.
MLDeepExtensions.Interop.TorchNative.EnsureInitialized();
// libtorch's own default, read before the benchmarks fix 2 threads: what a fresh process uses, where the threads section's unset fits start.
int libtorchDefaultThreads = get_num_threads();
set_num_threads(2);
using var data = BenchmarkData.Load(subsetOnly: options.Quick);
Console.WriteLine($"Data: {data.Source}; torch threads: {get_num_threads()}; {Environment.ProcessorCount} logical processors; " +
    $"allocator: {Allocator.Describe()}");
var report = new Report();

foreach (string section in options.SelectedSections)
{
    report.Results.SectionStarted(section);
    switch (section)
    {
        case "mlp": MlpSection.Run(data, options, report); break;
        case "cnn": CnnSection.Run(data, options, report); break;
        case "rnn": RnnSection.Run(data, options, report); break;
        case "autoencoder": AutoencoderSection.Run(data, options, report); break;
        case "onnx": OnnxSection.Run(data, options, report); break;
        case "memory": MemorySection.Run(data, options, report); break;
        case "streaming": StreamingSection.Run(data, options, report); break;
        case "integrity": IntegritySection.Run(data, options, report); break;
        case "tabular": TabularSection.Run(data, options, report); break;
        case "fttransformer": FtTransformerSection.Run(data, options, report); break;
        case "forecasting": ForecastingSection.Run(data, options, report); break;
        case "calibration": CalibrationSection.Run(data, options, report); break;
        case "multiplicative": MultiplicativeSection.Run(data, options, report); break;
        case "global": GlobalSection.Run(data, options, report); break;
        case "multilabel": MultiLabelSection.Run(data, options, report); break;
        case "sequence": SequenceSection.Run(data, options, report); break;
        case "smalldata": SmallDataSection.Run(data, options, report); break;
        case "threads": ThreadsSection.Run(data, options, report, libtorchDefaultThreads); break;
    }
}

long peakWorkingSet = ResultsFile.PeakWorkingSet();
report.Section("Whole run", timed: false);
report.Add("peak working set", Timing.Megabytes(peakWorkingSet));

report.Print($"== Summary: {options.Section}, {data.Source}, {get_num_threads()} torch threads, {options.Repeats} fit runs per side");
ResultsFile.Write(options, new RunInfo(args, data.Source, started, Stopwatch.GetElapsedTime(clock), peakWorkingSet), report.Results);
return 0;
