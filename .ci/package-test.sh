#!/usr/bin/env bash
# The packages as users get them: `dotnet pack` into a temporary feed, then
#  1. a fresh console app (dotnet new console) adds SharpGrad and SharpGrad.Plotting from that feed, trains the README's
#     simple_net on mnist-sample, plots the loss, exports, loads and predicts;
#  2. a .NET 10 file-based app (#:package SharpGrad@VERSION, dotnet run app.cs) does the same;
#  3. `dotnet tool install --tool-path` installs the sharpgrad command from the feed and `sharpgrad train --epochs 1` runs.
# The console app also holds a file that imports both SharpGrad and System.Numerics.Tensors (whose Tensor types collide
# without the README's alias). Prints the output sizes and fails over the goals: the app published for linux-x64 with
# Plotting at most 120 MB, the tool install at most 150 MB. Exit status 0 only if all of it works. Run from the
# repository root after a Release build.
set -euo pipefail
root=$(pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A package of the same version restored earlier would be taken from NuGet's cache instead of this build's.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/sharpgrad "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/sharpgrad.plotting "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/sharpgrad.cli*
# Not --no-build: the tool's per-platform packages build the CLI once per runtime identifier (the libraries are up to date).
dotnet pack SharpGrad.sln -c Release -o "$work/feed" -v q -nologo
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="sharpgrad-local" value="$work/feed" />
  </packageSources>
</configuration>
XML

program='using SharpGrad;
using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Plotting;

string path = Datasets.Get(Datasets.MnistSample);
DataLoaders dls = ImageDataLoaders.FromFolder(path, bs: 256, channels: 1);
var simpleNet = Nn.Sequential(Nn.Flatten(), Nn.Linear(28 * 28, 30), Nn.ReLU(), Nn.Linear(30, 1));
var learn = new Learner(dls, simpleNet, MnistLoss, Optimizers.Sgd, [Metrics.BatchAccuracy]);
learn.Fit(5, lr: 0.1);
learn.Recorder.PlotLoss("loss.png");
learn.Export("digits.sgl");
ExportedModel model = LearnerFiles.LoadLearner("digits.sgl");
string seven = Directory.GetFiles(Path.Combine(path, "valid", "7")).Order(StringComparer.Ordinal).First();
double accuracy = learn.Recorder.Values[^1][2];
Console.WriteLine($"PACKAGE-TEST accuracy {accuracy:F4}, predicted {model.Predict(seven).Label} for a 7, plot {new FileInfo("loss.png").Length} bytes");
return accuracy > 0.9 && model.Predict(seven).Label == "7" ? 0 : 1;

static Tensor MnistLoss(Tensor predictions, Tensor targets)
{
    Tensor p = predictions.Sigmoid();
    return Tensor.Where(targets.Reshape(p.Shape.ToArray()).Eq(1f), 1f - p, p).Mean();
}'

alias='using System.Numerics.Tensors;
using SharpGrad;
using Tensor = SharpGrad.Tensor; // both namespaces define Tensor: the alias picks ours (CS0104 without it)

static class BothNamespaces
{
    public static float Check() => Tensor.Ones(3).Sum().Item() + TensorPrimitives.Sum<float>([1f, 2f]);
}'

echo "== package test 1: a console app referencing the packages"
mkdir "$work/app"
cp "$work/nuget.config" "$work/app/"
(cd "$work/app" && dotnet new console -o . --force -v q >/dev/null && \
 dotnet add package SharpGrad --version "$version" >/dev/null && dotnet add package SharpGrad.Plotting --version "$version" >/dev/null && \
 printf '%s\n' "$program" > Program.cs && printf '%s\n' "$alias" > BothNamespaces.cs && dotnet run -c Release -v q)
echo "app output folder (every platform's native libraries): $(du -sh "$work/app/bin/Release" | cut -f1)"
(cd "$work/app" && dotnet publish -c Release -r linux-x64 --self-contained false -o "$work/app-linux" -v q -nologo >/dev/null)
app_mb=$(du -sm "$work/app-linux" | cut -f1)
echo "app published for linux-x64: ${app_mb} MB (goal: at most 120)"
[ "$app_mb" -le 120 ] || { echo "the linux-x64 app is over 120 MB"; exit 1; }

echo "== package test 2: a file-based app (#:package)"
mkdir "$work/file"
cp "$work/nuget.config" "$work/file/"
{ echo "#:package SharpGrad@$version"; echo "#:package SharpGrad.Plotting@$version"; printf '%s\n' "$program"; } > "$work/file/app.cs"
(cd "$work/file" && dotnet run -c Release app.cs)

echo "== package test 3: the sharpgrad tool"
dotnet tool install SharpGrad.Cli --version "$version" --tool-path "$work/tools" --add-source "$work/feed" >/dev/null
"$work/tools/sharpgrad" train mnist-sample --epochs 1 | tail -1
tool_mb=$(du -sm "$work/tools" | cut -f1)
echo "tool install size: ${tool_mb} MB (goal: at most 150)"
[ "$tool_mb" -le 150 ] || { echo "the tool install is over 150 MB"; exit 1; }
echo "PACKAGE-TEST passed"
