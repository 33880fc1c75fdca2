using System;
using System.Diagnostics;
using MLDeepExtensions.Benchmarks;
using static TorchSharp.torch;

// Our DeepNetwork against the same MLP in bare TorchSharp, in one process, on Fashion-MNIST.
// Run: dotnet run --project benchmarks/MLDeepExtensions.Benchmarks -c Release [-- --quick] [--epochs N] [--repeats N] [--with-baseline]
// Measured numbers and what they mean: benchmarks/README.md.

var options = BenchmarkOptions.Parse(args);
if (options is null)
    return 2;

set_num_threads(2);
using var data = BenchmarkData.Load(subsetOnly: options.Quick);
Console.WriteLine($"Data: {data.Source}; torch threads: {get_num_threads()}; {Environment.ProcessorCount} logical processors");
var report = new Report();

var (ours, bare) = FitBenchmark.Run(data, options.Repeats, report);
using (ours)
using (bare)
    ScoringBenchmark.Run(data, ours, bare, options.Predictions, report);

AccuracyBenchmark.Run(data, options.Epochs, options.WithBaseline, report);

report.Section("Memory", timed: false);
report.Add("peak working set (whole run, both sides)", Timing.Megabytes(Process.GetCurrentProcess().PeakWorkingSet64));

report.Print($"== Summary: {data.Source}, {get_num_threads()} torch threads, {options.Repeats} fit runs per side");
return 0;
