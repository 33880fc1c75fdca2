#!/usr/bin/env bash
# Tests the packages as a user gets them: packs MLDeepExtensions and MLDeepExtensions.Cuda into a local folder feed,
# then builds and runs fresh console projects that reference them from that feed (and TorchSharp-cpu from nuget.org):
#
#   Consumer      references MLDeepExtensions directly (its build/ targets): trains a small network on generated data,
#                 evaluates, saves, loads in a new MLContext and checks the loaded model predicts exactly the same.
#   Latest        `dotnet new console` + `dotnet add package` with no version of MLDeepExtensions, TorchSharp-cpu and
#                 ML.NET's companions (ImageAnalytics, OnnxConverter, LightGbm, Data.Analysis): no NU1107 / NU1608 /
#                 NU1603, builds with warnings as errors, the Consumer program plus an ONNX export; its build output
#                 must stay under 600 MB.
#   LowEnd        the same at the low end of the supported ML.NET range (Microsoft.ML 5.0.1 and its companions).
#   NoBackend     MLDeepExtensions without TorchSharp-cpu: must fail, first line saying what to add, and leave bin small.
#   Served        MLDeepExtensions without TorchSharp-cpu, as a serving app: scores the model Latest saved (ONNX Runtime),
#                 the same predictions, and libtorch never loaded.
#   CudaConsumer  references MLDeepExtensions.Cuda only, so the core arrives transitively (its buildTransitive/
#                 targets): loads TorchSharp and prints CudaDevices.Describe().
#   ProjectConsumer  the Consumer program with a project reference to src/MLDeepExtensions instead of the package, so
#                 the build targets are not imported and libLibTorchSharp.so in its output stays unpatched.
#   script.fsx    an F# script run by `dotnet fsi` with `#r "nuget: MLDeepExtensions"` from the feed: native libraries
#                 load straight from the NuGet package folder.
#   app.cs        the Consumer program as a .NET 10 file-based app (`dotnet run app.cs` with `#:package` directives).
#
# On Linux hosts whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04) the package consumers run because the
# package's targets patched libLibTorchSharp.so in their output; ProjectConsumer and the script run because the library
# loads a patched copy from its per-user cache at run time (here $XDG_CACHE_HOME points into the temporary folder, and
# the check asserts that the copy was made there and that nothing was copied into the NuGet package folder). No manual
# step; needs the .NET 10 SDK and NuGet access (none
# when the third-party packages are already in the global packages folder). Ends with "consumer check OK: ..." and
# exit code 0, or a non-zero exit code.
#
# The packages get a version of their own (<VersionPrefix>-check.<time>.<pid>), so the consumers use the global
# packages folder for everything else without ever mixing in another build of ours; that version is deleted from the
# global packages folder afterwards. Set KEEP_CONSUMER_CHECK=1 to keep the temporary folder.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# When started from another dotnet process (a test run), do not inherit its MSBuild location settings.
unset MSBuildExtensionsPath MSBuildSDKsPath MSBUILD_EXE_PATH MSBuildLoadMicrosoftTargetsReadOnly

work=$(mktemp -d "${TMPDIR:-/tmp}/mldeepextensions-consumer.XXXXXX")
suffix="check.$(date -u +%Y%m%d%H%M%S).$$"
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
version=""

cleanup() {
  local status=$?
  if [ -n "$version" ]; then
    rm -rf "$packages/mldeepextensions/$version" "$packages/mldeepextensions.cuda/$version"
    rmdir "$packages/mldeepextensions" "$packages/mldeepextensions.cuda" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ]; then
    echo "consumer check FAILED (exit code $status); files kept in $work" >&2
  elif [ "${KEEP_CONSUMER_CHECK:-0}" = "1" ]; then
    echo "consumer check: files kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

step() { echo "== $* ($(( $(date +%s) - start )) s)"; }
start=$(date +%s)

# 1. Pack both packages. The build goes to its own artifacts folder, so the repository's bin/ and obj/ (perhaps in
#    use by a test run) stay as they are.
step "packing into $work/feed"
for project in src/MLDeepExtensions/MLDeepExtensions.csproj src/MLDeepExtensions.Cuda/MLDeepExtensions.Cuda.csproj; do
  dotnet pack "$repo/$project" -c Release --version-suffix "$suffix" -o "$work/feed" \
    --artifacts-path "$work/artifacts" -nodeReuse:false -clp:ErrorsOnly
done
core=$(find "$work/feed" -maxdepth 1 -name "MLDeepExtensions.[0-9]*.nupkg" -print -quit)
[ -n "$core" ] || { echo "consumer check FAILED: no MLDeepExtensions package in $work/feed" >&2; exit 1; }
version=$(basename "$core" .nupkg)
version=${version#MLDeepExtensions.}
for package in "MLDeepExtensions.$version" "MLDeepExtensions.Cuda.$version"; do
  for extension in nupkg snupkg; do
    [ -f "$work/feed/$package.$extension" ] || { echo "consumer check FAILED: $package.$extension was not produced" >&2; exit 1; }
  done
done
torchsharp=$(sed -n 's:.*<TorchSharpVersion>\(.*\)</TorchSharpVersion>.*:\1:p' "$repo/Directory.Packages.props")
low_end=$(sed -n 's:.*<MicrosoftMLMinimumVersion>\(.*\)</MicrosoftMLMinimumVersion>.*:\1:p' "$repo/Directory.Packages.props")
limit=$(sed -n 's:.*<MicrosoftMLVersionLimit>\(.*\)</MicrosoftMLVersionLimit>.*:\1:p' "$repo/Directory.Packages.props")
# The package accepts the whole supported range, not just the version this repository builds with by default.
unzip -p "$core" MLDeepExtensions.nuspec | grep -q "<dependency id=\"Microsoft.ML\" version=\"\[$low_end, $limit)\"" \
  || { echo "consumer check FAILED: the package's Microsoft.ML dependency is not [$low_end, $limit):" >&2; unzip -p "$core" MLDeepExtensions.nuspec | grep -i 'Microsoft.ML"' >&2; exit 1; }

# 2. Fresh consumer projects, cut off from any Directory.Build.* or central package versions above the temp folder.
step "writing consumer projects (MLDeepExtensions $version, TorchSharp-cpu $torchsharp)"
for file in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
  echo '<Project />' > "$work/$file"
done
cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local-check" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local-check">
      <package pattern="MLDeepExtensions" />
      <package pattern="MLDeepExtensions.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
EOF

write_project() { # name, then package@version references
  local name=$1 reference
  shift
  mkdir -p "$work/$name"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    echo '  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>'
    echo '  <ItemGroup>'
    for reference in "$@"; do
      echo "    <PackageReference Include=\"${reference%%@*}\" Version=\"${reference#*@}\" />"
    done
    echo '  </ItemGroup>'
    echo '</Project>'
  } > "$work/$name/$name.csproj"
}
write_project Consumer "MLDeepExtensions@$version" "TorchSharp-cpu@$torchsharp"
write_project CudaConsumer "MLDeepExtensions.Cuda@$version" "TorchSharp-cpu@$torchsharp"
mkdir -p "$work/ProjectConsumer"
cat > "$work/ProjectConsumer/ProjectConsumer.csproj" <<END_PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$repo/src/MLDeepExtensions/MLDeepExtensions.csproj" />
    <PackageReference Include="TorchSharp-cpu" Version="$torchsharp" />
  </ItemGroup>
</Project>
END_PROJECT

cat > "$work/Consumer/Program.cs" <<'EOF'
using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions;

// 200 generated rows: 4 features, the class is the quadrant of (x0, x1).
var random = new Random(7);
var rows = Enumerable.Range(0, 200).Select(_ =>
{
    var x = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    return new Row { Features = x, Class = (x[0] > 0 ? "right" : "left") + (x[1] > 0 ? "-up" : "-down") };
}).ToArray();

var ml = new MLContext(seed: 1);
IDataView data = ml.Data.LoadFromEnumerable(rows);
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Row.Class))
    .Append(ml.MulticlassClassification.Trainers.DeepNetwork(
        architecture: new MlpArchitecture(16), optimizer: OptimizerSettings.Adam(learningRate: 0.01), epochs: 2, batchSize: 32))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
ITransformer model = pipeline.Fit(data);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
Console.WriteLine($"trained on {rows.Length} rows for 2 epochs: micro-accuracy {metrics.MicroAccuracy:F3}, log-loss {metrics.LogLoss:F3}");

string path = Path.Combine(Path.GetTempPath(), $"consumer-check-{Guid.NewGuid():N}.zip");
try
{
    ml.Model.Save(model, data.Schema, path);
    var fresh = new MLContext();
    ITransformer loaded = fresh.Model.Load(path, out DataViewSchema inputSchema);
    var before = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).ToArray();
    var after = fresh.Data.CreateEnumerable<Prediction>(loaded.Transform(fresh.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToArray();
    using var engine = fresh.Model.CreatePredictionEngine<Row, Prediction>(loaded, inputSchema);
    // The reloaded model scores the same batch bit for bit. The PredictionEngine scores one row at a time, where
    // libtorch may sum in another order, so it is held to the same labels and scores within 1e-5.
    int differ = 0, engineDiffers = 0;
    for (int i = 0; i < rows.Length; i++)
    {
        if (before[i].PredictedLabel != after[i].PredictedLabel || !before[i].Score.SequenceEqual(after[i].Score))
            differ++;
        var single = engine.Predict(rows[i]);
        if (before[i].PredictedLabel != single.PredictedLabel || before[i].Score.Zip(single.Score).Any(p => Math.Abs(p.First - p.Second) > 1e-5f))
            engineDiffers++;
    }
    if (differ + engineDiffers > 0)
    {
        Console.Error.WriteLine($"FAILED: after save and load, {differ} of {rows.Length} batch predictions and {engineDiffers} PredictionEngine predictions differ.");
        return 1;
    }
    Console.WriteLine($"saved {new FileInfo(path).Length} bytes, loaded in a new MLContext: all {rows.Length} predictions identical (PredictionEngine within 1e-5)");
    // For the Served check: the model and what it predicted, for an app without libtorch to score again.
    if (Environment.GetEnvironmentVariable("CONSUMER_KEEP_MODEL") is { Length: > 0 } keep)
    {
        File.Copy(path, keep, overwrite: true);
        File.WriteAllLines(keep + ".expected", before.Select(p => p.PredictedLabel + "|" + string.Join(",", p.Score.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
    }
    return 0;
}
finally
{
    File.Delete(path);
}

public sealed class Row
{
    [VectorType(4)]
    public float[] Features { get; set; } = [];

    public string Class { get; set; } = "";
}

public sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];
}
EOF

# Served: the package without TorchSharp-cpu (no libtorch in its output), as a serving app is: it loads the model Latest
# saved and scores the same rows with ONNX Runtime, and checks that libtorch never entered the process.
write_project Served "MLDeepExtensions@$version"
cat > "$work/Served/Program.cs" <<'EOF'
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

var random = new Random(7);
var rows = Enumerable.Range(0, 200).Select(_ =>
{
    var x = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    return new Row { Features = x, Class = (x[0] > 0 ? "right" : "left") + (x[1] > 0 ? "-up" : "-down") };
}).ToArray();
var expected = File.ReadAllLines(args[0] + ".expected").Select(line => line.Split('|')).ToArray();
var ml = new MLContext();
var model = ml.Model.Load(args[0], out var inputSchema);
using var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model, inputSchema);
int differ = 0;
for (int i = 0; i < rows.Length; i++)
{
    var p = engine.Predict(rows[i]);
    var scores = expected[i][1].Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    if (p.PredictedLabel != expected[i][0] || p.Score.Zip(scores).Any(s => Math.Abs(s.First - s.Second) > 1e-5f))
        differ++;
}
bool libtorch = File.ReadLines("/proc/self/maps").Any(line => line.Contains("libtorch", StringComparison.Ordinal) || line.Contains("LibTorchSharp", StringComparison.Ordinal));
if (differ > 0 || libtorch)
{
    Console.Error.WriteLine($"FAILED: {differ} of {rows.Length} predictions differ from the training app's; libtorch loaded: {libtorch}");
    return 1;
}
Console.WriteLine($"served without libtorch: all {rows.Length} predictions as the training app's (within 1e-5)");
return 0;

public sealed class Row
{
    [VectorType(4)]
    public float[] Features { get; set; } = [];

    public string Class { get; set; } = "";
}

public sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];
}
EOF

cat > "$work/CudaConsumer/Program.cs" <<'EOF'
using System;
using MLDeepExtensions;

// Loads TorchSharp's native library (through the CUDA probe): fails unless the transitive targets fixed it.
string line = CudaDevices.Describe();
Console.WriteLine(line);
return line.StartsWith("CUDA available", StringComparison.Ordinal)
    || line.StartsWith("CUDA not available: this application has TorchSharp's CPU backend only", StringComparison.Ordinal) ? 0 : 1;
EOF

cp "$work/Consumer/Program.cs" "$work/ProjectConsumer/Program.cs"

# Consumers of ML.NET's companions: the Consumer program plus an ONNX export (Onnx.cs, compiled in with ONNX_EXPORT),
# built with warnings as errors. Latest: a fresh `dotnet new console` and `dotnet add package` with no version, as a new
# user types it. LowEnd: the same packages at the low end of the supported ML.NET range.
companions=(Microsoft.ML.ImageAnalytics Microsoft.ML.OnnxConverter Microsoft.ML.LightGbm Microsoft.Data.Analysis)
cat > "$work/Onnx.cs" <<'END_ONNX'
using System;
using System.IO;
using Microsoft.ML;

internal static class OnnxExport
{
    /// <summary>Exports the fitted pipeline with ML.NET's converter; fails unless an ONNX file with a graph comes out.</summary>
    public static void Check(MLContext ml, ITransformer model, IDataView data)
    {
        string path = Path.Combine(Path.GetTempPath(), $"consumer-check-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var stream = File.Create(path))
                ml.Model.ConvertToOnnx(model, data, stream);
            long length = new FileInfo(path).Length;
            if (length < 1000)
                throw new InvalidDataException($"the ONNX export wrote only {length} bytes");
            Console.WriteLine($"exported ONNX: {length} bytes; ML.NET {typeof(MLContext).Assembly.GetName().Version} "
                + $"({System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(MLContext).Assembly.Location).ProductVersion})");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
END_ONNX
sed 's|^string path = Path.Combine(Path.GetTempPath(), $"consumer-check-{Guid.NewGuid():N}.zip");|#if ONNX_EXPORT\nOnnxExport.Check(ml, model, data);\n#endif\n&|' \
  "$work/Consumer/Program.cs" > "$work/companion-program.cs"
grep -q 'OnnxExport.Check' "$work/companion-program.cs" || { echo "consumer check FAILED: could not add the ONNX export" >&2; exit 1; }
companion_props='<Project><PropertyGroup><DefineConstants>$(DefineConstants);ONNX_EXPORT</DefineConstants><TreatWarningsAsErrors>true</TreatWarningsAsErrors></PropertyGroup></Project>'
forbidden='NU1107|NU1608|NU1603'

step "writing Latest: dotnet new console, dotnet add package with no version"
dotnet new console -o "$work/Latest" --framework net10.0 >/dev/null
for package in MLDeepExtensions TorchSharp-cpu "${companions[@]}"; do
  extra=()
  [ "$package" = MLDeepExtensions ] && extra=(--prerelease)   # the only version on the local feed is a pre-release
  if ! added=$(cd "$work/Latest" && dotnet add package "$package" "${extra[@]}" 2>&1) || grep -Eq "$forbidden" <<<"$added"; then
    echo "$added" >&2
    echo "consumer check FAILED: dotnet add package $package (no version) failed or warned" >&2
    exit 1
  fi
done
cp "$work/companion-program.cs" "$work/Latest/Program.cs"
cp "$work/Onnx.cs" "$work/Latest/Onnx.cs"
echo "$companion_props" > "$work/Latest/Directory.Build.props"
write_project LowEnd "MLDeepExtensions@$version" "TorchSharp-cpu@$torchsharp" "Microsoft.ML@$low_end" \
  "Microsoft.ML.ImageAnalytics@$low_end" "Microsoft.ML.LightGbm@$low_end" "Microsoft.ML.OnnxConverter@0.23.1" "Microsoft.Data.Analysis@0.23.1" \
  "SkiaSharp@2.88.9"   # ImageAnalytics 5.0.1 asks for 2.88.8, which some feeds lack (NU1603); 2.88.9 is the same series
cp "$work/companion-program.cs" "$work/LowEnd/Program.cs"
cp "$work/Onnx.cs" "$work/LowEnd/Onnx.cs"
echo "$companion_props" > "$work/LowEnd/Directory.Build.props"

# NoBackend references MLDeepExtensions only (no TorchSharp-cpu): its run must fail with an error whose first line says
# what to add, and leave no copy of libtorch in its output folder.
write_project NoBackend "MLDeepExtensions@$version"
mkdir -p "$work/NoBackend"
cp "$work/Consumer/Program.cs" "$work/NoBackend/Program.cs"

cat > "$work/script.fsx" <<END_SCRIPT
#i "nuget: $work/feed"
#r "nuget: MLDeepExtensions, $version"
#r "nuget: TorchSharp-cpu, $torchsharp"

open Microsoft.ML
open Microsoft.ML.Data
open MLDeepExtensions

[<CLIMutable>]
type Row = { [<VectorType(4)>] Features: float32[]; Label: bool }

let random = System.Random(7)
let rows =
    Array.init 200 (fun _ ->
        let x = Array.init 4 (fun _ -> float32 (random.NextDouble() * 2.0 - 1.0))
        { Features = x; Label = x.[0] + x.[1] > 0.0f })
let ml = MLContext(seed = 1)
let data = ml.Data.LoadFromEnumerable(rows)
let model = ml.BinaryClassification.Trainers.DeepNetwork(architecture = MlpArchitecture(16), optimizer = OptimizerSettings.Adam(learningRate = 0.01), epochs = 20).Fit(data)
let metrics = ml.BinaryClassification.Evaluate(model.Transform(data))
printfn "F# script: trained on %d rows, accuracy %.3f" rows.Length metrics.Accuracy
if metrics.Accuracy < 0.8 then exit 1
END_SCRIPT

{
  echo "#:package MLDeepExtensions@$version"
  echo "#:package TorchSharp-cpu@$torchsharp"
  echo "#:property Nullable=enable"
  # File-based apps default to PublishAot=true, which switches off dynamic code even under the JIT; ML.NET
  # generates code for LoadFromEnumerable and prediction engines, so such an app must turn it off.
  echo "#:property PublishAot=false"
  cat "$work/Consumer/Program.cs"
} > "$work/app.cs"

# 3. Build and run. The packages come from the feed and the global packages folder; nothing else is downloaded
#    when the third-party packages are already there. The project reference builds the library into this folder's
#    artifacts, not into the repository's bin/ and obj/; the file-based app builds under this folder's tmp/; the
#    run-time fallback writes into this folder's cache/.
export XDG_CACHE_HOME="$work/cache"
for name in Consumer CudaConsumer; do
  step "building $name"
  dotnet build "$work/$name" -c Release -nodeReuse:false -clp:ErrorsOnly
  step "running $name"
  dotnet "$work/$name/bin/Release/net10.0/$name.dll"
done
for name in Latest LowEnd; do
  step "building $name (warnings as errors)"
  built=$(dotnet build "$work/$name" -c Release -nodeReuse:false 2>&1) || { echo "$built" >&2; echo "consumer check FAILED: $name did not build" >&2; exit 1; }
  if grep -Eq "$forbidden" <<<"$built"; then
    grep -E "$forbidden" <<<"$built" >&2
    echo "consumer check FAILED: restoring $name reported a version conflict or a missing version" >&2
    exit 1
  fi
  step "running $name"
  CONSUMER_KEEP_MODEL=$([ "$name" = Latest ] && echo "$work/latest-model.zip" || true) dotnet "$work/$name/bin/Release/net10.0/$name.dll"
done
step "building Served (no TorchSharp-cpu)"
dotnet build "$work/Served" -c Release -nodeReuse:false -clp:ErrorsOnly
step "running Served: Latest's model, scored without libtorch"
dotnet "$work/Served/bin/Release/net10.0/Served.dll" "$work/latest-model.zip"
served_mb=$(( $(du -sb "$work/Served/bin" | cut -f1) / 1000000 ))
echo "Served's build output: $served_mb MB"
# A console app's whole build output, without a RuntimeIdentifier and without any setting of the user's: the package's
# targets keep only this machine's libtorch (MLDeepExtensionsKeepAllPlatforms=true keeps every platform's).
bin_bytes=$(du -sb "$work/Latest/bin" | cut -f1)
bin_mb=$(( bin_bytes / 1000000 ))
echo "Latest's build output: $bin_mb MB ($(du -sb "$work/Latest/bin/Release/net10.0/runtimes" 2>/dev/null | cut -f1) bytes under runtimes/)"
[ "$bin_mb" -le 600 ] || { echo "consumer check FAILED: Latest's build output is $bin_mb MB, more than 600 MB" >&2; du -sh "$work/Latest/bin/Release/net10.0/runtimes"/* >&2; exit 1; }

step "building NoBackend (no TorchSharp-cpu)"
dotnet build "$work/NoBackend" -c Release -nodeReuse:false -clp:ErrorsOnly
step "running NoBackend: must fail and say what to add"
if (cd "$work" && dotnet "$work/NoBackend/bin/Release/net10.0/NoBackend.dll" >"$work/nobackend.out" 2>&1); then
  echo "consumer check FAILED: NoBackend ran without a TorchSharp backend" >&2; exit 1
fi
first_line=$(grep -m1 -E 'Exception' "$work/nobackend.out" || true)
grep -q 'No TorchSharp backend found: add the package TorchSharp-cpu' <<<"$first_line" \
  || { cat "$work/nobackend.out" >&2; echo "consumer check FAILED: the missing-backend error does not start with what to add" >&2; exit 1; }
nobackend_mb=$(( $(du -sb "$work/NoBackend/bin" | cut -f1) / 1000000 ))
[ "$nobackend_mb" -le 100 ] || { echo "consumer check FAILED: NoBackend's output holds $nobackend_mb MB after the failed run" >&2; du -sh "$work/NoBackend/bin/Release/net10.0"/* >&2; exit 1; }
echo "NoBackend failed as it should: ${first_line:0:160}... (output folder $nobackend_mb MB)"

step "building ProjectConsumer (project reference, no build targets)"
dotnet build "$work/ProjectConsumer" -c Release --artifacts-path "$work/project-artifacts" -nodeReuse:false -clp:ErrorsOnly
step "running ProjectConsumer"
dotnet "$work/project-artifacts/bin/ProjectConsumer/release/ProjectConsumer.dll"
step "running script.fsx with dotnet fsi"
(cd "$work" && dotnet fsi --quiet --exec script.fsx)
step "running app.cs with dotnet run"
mkdir -p "$work/tmp"
(cd "$work" && TMPDIR="$work/tmp" dotnet run app.cs)

libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 / {print $NF; exit}' || true)
note=""
if [ -n "$libstdcxx" ] && [ -f "$libstdcxx" ]; then
  if grep -q GLIBCXX_3.4.32 "$libstdcxx"; then
    note="host libstdc++ has GLIBCXX_3.4.32, the fix was not needed; "
  else
    copies=$(find "$work/cache/mldeepextensions/native" -name libLibTorchSharp.so 2>/dev/null | wc -l)
    [ "$copies" -ge 1 ] || { echo "consumer check FAILED: host libstdc++ lacks GLIBCXX_3.4.32, but no patched copy is in $work/cache" >&2; exit 1; }
    note="host libstdc++ lacks GLIBCXX_3.4.32, so TorchSharp loaded thanks to the package's build-time fix and, for the project reference and the script, the run-time patched copy; "
  fi
fi
if [ -e "$packages/torchsharp/$torchsharp/lib/net8.0/cpu" ]; then
  echo "consumer check FAILED: libtorch was copied into the NuGet package folder ($packages/torchsharp/$torchsharp/lib/net8.0/cpu)" >&2
  exit 1
fi
echo "consumer check OK: MLDeepExtensions $version from a local feed trains, saves, reloads and predicts identically in a fresh project, beside ML.NET's companions added with no version (build output $bin_mb MB) and at ML.NET $low_end, exports ONNX, says what to add without a backend, serves the saved model without libtorch (output $served_mb MB), MLDeepExtensions.Cuda brings it transitively, and a project reference without the build targets, an F# script (dotnet fsi) and a file-based app (dotnet run app.cs) work too (${note}$(( $(date +%s) - start )) s)"
