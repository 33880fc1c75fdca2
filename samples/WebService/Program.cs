using System;
using System.IO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MLDeepExtensions.Samples.WebService;

// Serves a saved model zip over HTTP: JSON in, JSON out. The model's saved input schema is the request's shape (a field
// per column the model reads: Single, Double, Boolean, Text, Single vectors of known or any size); the answer holds every
// visible column the model adds (vectors as arrays, keys as their label value where the column has key values).
//
//   dotnet run --project samples/WebService -c Release -- --train-demo demo.zip
//   dotnet run --project samples/WebService -c Release -- --model demo.zip --urls http://127.0.0.1:5000
//   curl -s 127.0.0.1:5000/predict -H 'Content-Type: application/json' -d '{"Features":[6.1,2.8,4.7,1.2]}'
//     {"Score":[0.00015369794,0.9968104,0.0030359363],"PredictedLabel":"versicolor"}   (an array of objects: several rows)
//   curl -s 127.0.0.1:5000/health
//     {"status":"ok","model":".../demo.zip","generation":1,"loadedAt":"...","loadSeconds":0.36,"inputs":{"Features":"Single[4]"},...}
//
// Replacing the model file (best by an atomic rename of a file saved beside it) loads the new model after a quiet time and
// swaps it in: requests in flight finish on the old model, which is disposed once the last of them ends; a file that does
// not load is logged (and shown by /health) while the old model keeps serving. A body that cannot be scored gets 400 with
// a problem+json body naming the field and row; one over --max-request-bytes gets 413.
// Scoring goes through a pool of --scorers scorers (default: one per core), each a row-to-row mapper of the model over a
// reusable input row filled from the JSON, as ML.NET's PredictionEngine is a mapper over a row of a compile-time class.
// (Microsoft.Extensions.ML's PredictionEnginePool wants that compile-time class; the request type here comes from the file.)
if (args is ["--train-demo", var demoPath])
{
    DemoModel.TrainAndSave(demoPath);
    Console.WriteLine($"Saved the demo model to {Path.GetFullPath(demoPath)}.");
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
ServiceSettings settings;
try
{
    settings = ServiceSettings.From(builder.Configuration);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ServiceSettings.Usage);
    return 2;
}
if (builder.Configuration["urls"] is null)
    builder.WebHost.UseUrls("http://127.0.0.1:5000");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBytes);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var app = builder.Build();

ModelHost host;
try
{
    host = new ModelHost(settings, app.Services.GetRequiredService<ILogger<ModelHost>>());
}
catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"Cannot serve '{settings.ModelPath}': {e.Message}");
    return 3;
}
using (host)
{
    var endpoints = new Endpoints(host, settings);
    app.MapPost("/predict", endpoints.PredictAsync);
    app.MapGet("/health", endpoints.Health);
    app.Run();
}
return 0;
