using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO.Pipelines;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>POST /predict and GET /health.</summary>
internal sealed class Endpoints(ModelHost host, ServiceSettings settings)
{
    private const int KeptBufferBytes = 1 << 20;
    private readonly ConcurrentBag<ArrayBufferWriter<byte>> _buffers = new();

    /// <summary>
    /// Scores one JSON object (answer: one object) or an array of them (answer: an array): 200 with the model's outputs,
    /// 400 with a problem body naming the field and row, 413 for a body over the size limit.
    /// </summary>
    public async Task PredictAsync(HttpContext context)
    {
        var body = context.Request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await body.ReadAsync(context.RequestAborted);
                if (read.IsCompleted)
                    break;
                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Problem(context, e.StatusCode, "The request body is too large.",
                $"At most {settings.MaxRequestBytes} bytes per request (--max-request-bytes); send fewer rows per request.", null, null);
            return;
        }

        if (!_buffers.TryTake(out var output))
            output = new ArrayBufferWriter<byte>(4096);
        try
        {
            var model = host.Acquire();
            try
            {
                var scorer = await model.RentAsync(context.RequestAborted);
                try
                {
                    scorer.Score(read.Buffer, output, settings.MaxRows);
                }
                finally
                {
                    model.Return(scorer);
                }
            }
            finally
            {
                model.Release();
            }
            body.AdvanceTo(read.Buffer.End);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = output.WrittenCount;
            await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
        }
        catch (RequestException e)
        {
            body.AdvanceTo(read.Buffer.End);
            await Problem(context, StatusCodes.Status400BadRequest, "The request body cannot be scored.", e.Message, e.Field, e.Row);
        }
        finally
        {
            output.ResetWrittenCount();
            if (output.Capacity <= KeptBufferBytes)
                _buffers.Add(output);
        }
    }

    /// <summary>The model served now: its file, generation, load time, request shape and the last failed reload.</summary>
    public IResult Health()
    {
        var model = host.Acquire();
        try
        {
            var failure = host.LastFailure;
            return Results.Json(new
            {
                Status = "ok",
                Model = model.Path,
                model.Generation,
                model.LoadedAt,
                LoadSeconds = Math.Round(model.LoadTime.TotalSeconds, 3),
                Inputs = model.Shape.Inputs.Where(i => model.Shape.Required.Contains(i.Key)).ToDictionary(i => i.Key, i => i.Value),
                Outputs = model.Shape.Outputs,
                LastReloadError = failure?.Error,
                LastReloadErrorAt = failure?.At,
            });
        }
        finally
        {
            model.Release();
        }
    }

    private static Task Problem(HttpContext context, int status, string title, string detail, string? field, int? row)
    {
        var extensions = new Dictionary<string, object?>();
        if (field is not null)
            extensions["field"] = field;
        if (row is not null)
            extensions["row"] = row;
        return Results.Problem(detail, statusCode: status, title: title, extensions: extensions).ExecuteAsync(context);
    }
}
