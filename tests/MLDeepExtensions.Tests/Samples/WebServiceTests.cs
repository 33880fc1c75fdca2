using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Samples;

/// <summary>
/// samples/WebService as a child process on loopback, serving a model trained here whose saved schema has a known-size
/// Single vector, a Boolean, a text and a variable-size Single vector: answers against the model's own PredictionEngine,
/// every 400 case, /health, a load at concurrency 1, 8 and 64, and 10 model swaps under load.
/// </summary>
[TestClass]
[TestCategory("Samples")]
public sealed class WebServiceTests
{
    private const int MaxRows = 50;
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(3);

    private static string _folder = "";
    private static string _modelPath = "";
    private static ServedAnswers _first = null!;
    private static ServedAnswers _second = null!;
    private static ServedAnswers _served = null!;
    private static byte[][] _bodies = [];
    private static WebServiceProcess? _service;

    public TestContext TestContext { get; set; } = null!;

    private static WebServiceProcess Service => _service ?? throw new InvalidOperationException("the service did not start");

    [ClassInitialize]
    public static void StartService(TestContext context)
    {
        _folder = Directory.CreateTempSubdirectory("webservice-tests-").FullName;
        var requests = ServiceRow.Generate(32, seed: 11, withExtra: true);
        _bodies = requests.Select(r => JsonSerializer.SerializeToUtf8Bytes(r.Request())).ToArray();
        _first = ServedAnswers.Train(Path.Combine(_folder, "first.zip"), seed: 1, requests);
        _second = ServedAnswers.Train(Path.Combine(_folder, "second.zip"), seed: 2, requests);
        // The swap test tells the models apart by their answers.
        Assert.IsGreaterThan(1e-3f, _first.LargestScoreDifference(_second), "the two models answer alike");
        _modelPath = Path.Combine(_folder, "model.zip");
        File.Copy(_first.Path, _modelPath);
        _served = _first;
        _service = WebServiceProcess.Start(_modelPath, "--reload-debounce-ms", "100", "--max-rows", MaxRows.ToString(),
            "--max-request-bytes", "65536");
    }

    [ClassCleanup]
    public static void StopService()
    {
        _service?.Dispose();
        _service = null;
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [TestMethod]
    public void Health_NamesTheFileTheRequestShapeAndTheOutputs()
    {
        var health = Service.Health();
        Assert.AreEqual("ok", health.GetProperty("status").GetString());
        Assert.AreEqual(_modelPath, health.GetProperty("model").GetString());
        Assert.IsGreaterThanOrEqualTo(1, health.GetProperty("generation").GetInt64());
        Assert.IsLessThanOrEqualTo(DateTimeOffset.UtcNow, health.GetProperty("loadedAt").GetDateTimeOffset());
        var inputs = health.GetProperty("inputs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        CollectionAssert.AreEquivalent(
            new Dictionary<string, string?> { ["Features"] = "Single[4]", ["Large"] = "Boolean", ["Color"] = "Text", ["Extra"] = "Single[]" }, inputs);
        var outputs = health.GetProperty("outputs").EnumerateArray().Select(o => o.GetString()).ToArray();
        CollectionAssert.IsSubsetOf(new[] { "Score", "PredictedLabel", "ExtraDouble" }, outputs);
        CollectionAssert.DoesNotContain(outputs, "Label", "the label is an input the model replaces, not an output it adds");
    }

    [TestMethod]
    public void Predict_OneObjectAndAnArray_MatchThePredictionEngine()
    {
        for (int i = 0; i < 4; i++)
        {
            var (status, body) = Post(_bodies[i]);
            Assert.AreEqual(HttpStatusCode.OK, status, body);
            Assert.IsNull(_served.Check(i, JsonDocument.Parse(body).RootElement), body);
        }
        var array = Encoding.UTF8.GetBytes("[" + string.Join(",", _bodies.Select(Encoding.UTF8.GetString)) + "]");
        var (arrayStatus, arrayBody) = Post(array);
        Assert.AreEqual(HttpStatusCode.OK, arrayStatus, arrayBody);
        var answers = JsonDocument.Parse(arrayBody).RootElement.EnumerateArray().ToArray();
        Assert.HasCount(_bodies.Length, answers);
        for (int i = 0; i < answers.Length; i++)
            Assert.IsNull(_served.Check(i, answers[i]), arrayBody);
    }

    [TestMethod]
    [DataRow("wrong vector length", "\"Features\":[1,2,3]", "Features", "got 3")]
    [DataRow("vector too long", "\"Features\":[1,2,3,4,5]", "Features", "got 5")]
    [DataRow("string for a vector", "\"Features\":\"1,2,3,4\"", "Features", "got a string")]
    [DataRow("number for a Boolean", "\"Large\":1", "Large", "true or false")]
    [DataRow("number for text", "\"Color\":3", "Color", "a string")]
    [DataRow("string in a vector", "\"Extra\":[1,\"2\"]", "Extra[1]", "a number")]
    [DataRow("NaN", "\"Features\":[1,\"NaN\",3,4]", "Features[1]", "NaN")]
    [DataRow("Infinity", "\"Features\":[1,2,\"Infinity\",4]", "Features[2]", "NaN and infinities")]
    [DataRow("out of Single's range", "\"Features\":[1,2,3,1e39]", "Features[3]", "finite")]
    [DataRow("null", "\"Large\":null", "Large", "null")]
    [DataRow("unknown field", "\"Colour\":\"red\"", "Colour", "Unknown field")]
    public void Predict_BadField_Returns400NamingTheField(string what, string replacement, string field, string detail)
    {
        // Row 0 with the named field replaced (or, for an unknown field, added).
        var row = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(_bodies[0])!;
        var replaced = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("{" + replacement + "}")!.Single();
        row[replaced.Key] = replaced.Value;
        AssertProblem(JsonSerializer.SerializeToUtf8Bytes(row), field, row: null, detail, what);
    }

    [TestMethod]
    public void Predict_MissingField_Returns400NamingIt()
    {
        var row = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(_bodies[0])!;
        row.Remove("Color");
        AssertProblem(JsonSerializer.SerializeToUtf8Bytes(row), "Color", row: null, "Missing field 'Color'", "missing field");
    }

    [TestMethod]
    public void Predict_BadRowInAnArray_NamesTheRow()
    {
        var bad = Encoding.UTF8.GetString(_bodies[2]).Replace("\"Large\":", "\"Large\":\"yes\",\"Ignored\":", StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes($"[{Encoding.UTF8.GetString(_bodies[0])},{Encoding.UTF8.GetString(_bodies[1])},{bad}]");
        AssertProblem(body, "Large", row: 2, "true or false", "a bad third row");
    }

    [TestMethod]
    [DataRow("cut short", "{\"Features\":[1,2", "not valid JSON")]
    [DataRow("trailing text", "{ROW} x", "not valid JSON")]
    [DataRow("empty", "", "not valid JSON")]
    [DataRow("a number", "42", "one JSON object or an array")]
    [DataRow("an array of numbers", "[1,2]", "must be a JSON object")]
    public void Predict_MalformedBody_Returns400(string what, string body, string detail)
        => AssertProblem(Encoding.UTF8.GetBytes(body.Replace("{ROW}", Encoding.UTF8.GetString(_bodies[0]), StringComparison.Ordinal)), field: null, row: what == "an array of numbers" ? 0 : null, detail, what);

    [TestMethod]
    public void Predict_TooManyRows_Returns400NamingTheLimit()
    {
        var body = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat(Encoding.UTF8.GetString(_bodies[0]), MaxRows + 1)) + "]");
        AssertProblem(body, field: null, row: MaxRows, $"at most {MaxRows}", "too many rows");
        var (status, answer) = Post(Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat(Encoding.UTF8.GetString(_bodies[0]), MaxRows)) + "]"));
        Assert.AreEqual(HttpStatusCode.OK, status, answer);
    }

    [TestMethod]
    public void Predict_BodyOverTheSizeLimit_Returns413()
    {
        var body = Encoding.UTF8.GetBytes("[" + new string(' ', 70_000) + "]");
        var (status, answer) = Post(body);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, status, answer);
        StringAssert.Contains(answer, "65536");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(8)]
    [DataRow(64)]
    public async Task Load_Concurrency_NoFailuresAndTheModelsAnswers(int concurrency)
    {
        var expected = _served;
        var result = await LoadGenerator.RunAsync(new Uri(Service.Address, "predict"), _bodies, concurrency, LoadDuration,
            (i, body) => expected.Check(i, JsonDocument.Parse(body).RootElement), checkEvery: 7);
        TestContext.WriteLine($"WebService load, {Environment.ProcessorCount} cores: {result}");
        foreach (string failure in result.FirstFailures)
            TestContext.WriteLine(failure);
        Assert.AreEqual(0, result.Failed, $"{string.Join('\n', result.FirstFailures)}\nservice output:\n{Service.Output}");
        Assert.IsGreaterThan(0, result.Checked);
    }

    [TestMethod]
    public async Task HotReload_TenSwapsUnderLoad_NoFailuresAndEachSwapAnswersWithTheNewModel()
    {
        using var stop = new CancellationTokenSource();
        // While models change, an answer is right when it is either model's.
        var load = LoadGenerator.RunAsync(new Uri(Service.Address, "predict"), _bodies, concurrency: 8, TimeSpan.FromMinutes(2),
            (i, body) =>
            {
                var answer = JsonDocument.Parse(body).RootElement;
                string? first = _first.Check(i, answer), second = _second.Check(i, answer);
                return first is null || second is null ? null : $"neither model's answer: {first}; {second}";
            }, checkEvery: 5, stop.Token);
        try
        {
            for (int swap = 1; swap <= 10; swap++)
            {
                var next = _served == _first ? _second : _first;
                long generation = Service.Health().GetProperty("generation").GetInt64();
                Replace(next.Path);
                Service.WaitForHealth(h => h.GetProperty("generation").GetInt64() > generation, $"swap {swap}");
                _served = next;
                var (status, body) = Post(_bodies[swap]);
                Assert.AreEqual(HttpStatusCode.OK, status, body);
                Assert.IsNull(next.Check(swap, JsonDocument.Parse(body).RootElement), $"after swap {swap}: {body}");
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
        var result = await load;
        TestContext.WriteLine($"WebService load with 10 model swaps, {Environment.ProcessorCount} cores: {result}");
        foreach (string failure in result.FirstFailures)
            TestContext.WriteLine(failure);
        Assert.AreEqual(0, result.Failed, $"{string.Join('\n', result.FirstFailures)}\nservice output:\n{Service.Output}");
        Assert.IsGreaterThan(0, result.Checked);
    }

    [TestMethod]
    public void HotReload_DamagedFile_IsReportedAndTheOldModelKeepsServing()
    {
        long generation = Service.Health().GetProperty("generation").GetInt64();
        string damaged = Path.Combine(_folder, "damaged.zip");
        var bytes = File.ReadAllBytes(_served.Path);
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
        Replace(damaged);
        var health = Service.WaitForHealth(h => h.GetProperty("lastReloadError").ValueKind == JsonValueKind.String, "a reported reload error");
        StringAssert.Contains(health.GetProperty("lastReloadError").GetString(), "truncated");
        Assert.AreEqual(generation, health.GetProperty("generation").GetInt64());
        var (status, body) = Post(_bodies[3]);
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        Assert.IsNull(_served.Check(3, JsonDocument.Parse(body).RootElement), body);

        Replace(_served.Path);
        health = Service.WaitForHealth(h => h.GetProperty("generation").GetInt64() > generation, "a reload of the good file");
        Assert.AreEqual(JsonValueKind.Null, health.GetProperty("lastReloadError").ValueKind);
    }

    [TestMethod]
    public void TrainDemo_ThenServe_AnswersWithTheSpeciesName()
    {
        string demo = Path.Combine(_folder, "demo.zip");
        var (exitCode, output) = WebServiceProcess.Run("--train-demo", demo);
        Assert.AreEqual(0, exitCode, output);
        using var service = WebServiceProcess.Start(demo);
        var inputs = service.Health().GetProperty("inputs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        CollectionAssert.AreEquivalent(new Dictionary<string, string?> { ["Features"] = "Single[4]" }, inputs);
        using var content = new StringContent("[{\"Features\":[5.0,3.4,1.5,0.2]},{\"Features\":[6.6,3.0,5.6,2.0]}]", Encoding.UTF8, "application/json");
        using var response = service.Client.PostAsync("predict", content).GetAwaiter().GetResult();
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        var answers = JsonDocument.Parse(body).RootElement.EnumerateArray().ToArray();
        // The means of the generated setosa and virginica flowers.
        Assert.AreEqual("setosa", answers[0].GetProperty("PredictedLabel").GetString(), body);
        Assert.AreEqual("virginica", answers[1].GetProperty("PredictedLabel").GetString(), body);
        Assert.HasCount(3, answers[0].GetProperty("Score").EnumerateArray());
    }

    /// <summary>Puts a copy of <paramref name="source"/> in place of the served file with one atomic rename.</summary>
    private static void Replace(string source)
    {
        string staged = _modelPath + ".new";
        File.Copy(source, staged, overwrite: true);
        File.Move(staged, _modelPath, overwrite: true);
    }

    private static (HttpStatusCode Status, string Body) Post(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = Service.Client.PostAsync("predict", content).GetAwaiter().GetResult();
        return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }

    private static void AssertProblem(byte[] body, string? field, int? row, string detail, string what)
    {
        var (status, answer) = Post(body);
        Assert.AreEqual(HttpStatusCode.BadRequest, status, $"{what}: {answer}");
        var problem = JsonDocument.Parse(answer).RootElement;
        Assert.AreEqual(400, problem.GetProperty("status").GetInt32(), answer);
        Assert.AreEqual(field, problem.TryGetProperty("field", out var f) ? f.GetString() : null, $"{what}: {answer}");
        Assert.AreEqual(row, problem.TryGetProperty("row", out var r) ? r.GetInt32() : null, $"{what}: {answer}");
        StringAssert.Contains(problem.GetProperty("detail").GetString(), detail, $"{what}: {answer}");
    }
}
