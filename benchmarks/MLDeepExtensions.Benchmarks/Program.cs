using System;
using System.Diagnostics;
using MLDeepExtensions.Benchmarks;
using static TorchSharp.torch;

// Our estimators against the same networks in bare TorchSharp, in one process, on Fashion-MNIST (and a real series
// for forecasting), plus accuracy runs. Sections: mlp (default), cnn, rnn, autoencoder, all.
// Run: dotnet run --project benchmarks/MLDeepExtensions.Benchmarks -c Release [-- SECTION] [--quick] [--epochs N] [--repeats N]
//      [--with-baseline] [--timing-only | --accuracy-only]
// Measured numbers and what they mean: benchmarks/README.md.

var options = BenchmarkOptions.Parse(args);
if (options is null)
    return 2;

set_num_threads(2);
using var data = BenchmarkData.Load(subsetOnly: options.Quick);
Console.WriteLine($"Data: {data.Source}; torch threads: {get_num_threads()}; {Environment.ProcessorCount} logical processors; " +
    $"allocator: {Allocator.Describe()}");
var report = new Report();

foreach (string section in options.SelectedSections)
{
    switch (section)
    {
        case "mlp": MlpSection.Run(data, options, report); break;
        case "cnn": CnnSection.Run(data, options, report); break;
        case "rnn": RnnSection.Run(data, options, report); break;
        case "autoencoder": AutoencoderSection.Run(data, options, report); break;
    }
}

report.Section("Memory", timed: false);
report.Add("peak working set (whole run)", Timing.Megabytes(Process.GetCurrentProcess().PeakWorkingSet64));

report.Print($"== Summary: {options.Section}, {data.Source}, {get_num_threads()} torch threads, {options.Repeats} fit runs per side");
return 0;
