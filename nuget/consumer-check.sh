#!/usr/bin/env bash
# Tests the packages as a user gets them: packs MLDeepExtensions and MLDeepExtensions.Cuda into a local folder feed,
# then builds and runs fresh console projects that reference them from that feed (and TorchSharp-cpu from nuget.org):
#
#   Consumer      references MLDeepExtensions directly (its build/ targets): trains a small network on generated data,
#                 evaluates, saves, loads in a new MLContext and checks the loaded model predicts exactly the same.
#   CudaConsumer  references MLDeepExtensions.Cuda only, so the core arrives transitively (its buildTransitive/
#                 targets): loads TorchSharp and prints CudaDevices.Describe().
#
# On Linux hosts whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04) both only run if the package's targets
# patched libLibTorchSharp.so in the consumer's output. No manual step; needs the .NET 10 SDK and NuGet access (none
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
        architecture: new MlpArchitecture(16), optimizer: OptimizerOptions.Adam(learningRate: 0.01), epochs: 2, batchSize: 32))
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

cat > "$work/CudaConsumer/Program.cs" <<'EOF'
using System;
using MLDeepExtensions;

// Loads TorchSharp's native library (through the CUDA probe): fails unless the transitive targets fixed it.
string line = CudaDevices.Describe();
Console.WriteLine(line);
return line.StartsWith("CUDA available", StringComparison.Ordinal)
    || line.StartsWith("CUDA not available: this application has TorchSharp's CPU backend only", StringComparison.Ordinal) ? 0 : 1;
EOF

# 3. Build and run. The packages come from the feed and the global packages folder; nothing else is downloaded
#    when the third-party packages are already there.
for name in Consumer CudaConsumer; do
  step "building $name"
  dotnet build "$work/$name" -c Release -nodeReuse:false -clp:ErrorsOnly
  step "running $name"
  dotnet "$work/$name/bin/Release/net10.0/$name.dll"
done

libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 / {print $NF; exit}' || true)
note=""
if [ -n "$libstdcxx" ] && [ -f "$libstdcxx" ]; then
  if grep -q GLIBCXX_3.4.32 "$libstdcxx"; then
    note="host libstdc++ has GLIBCXX_3.4.32, the fix was not needed; "
  else
    note="host libstdc++ lacks GLIBCXX_3.4.32, so TorchSharp loaded thanks to the package's fix; "
  fi
fi
echo "consumer check OK: MLDeepExtensions $version from a local feed trains, saves, reloads and predicts identically in a fresh project, and MLDeepExtensions.Cuda brings it transitively (${note}$(( $(date +%s) - start )) s)"
