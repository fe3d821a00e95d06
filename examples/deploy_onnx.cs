#:project ../src/SharpGrad/SharpGrad.csproj
#:package Microsoft.ML.OnnxRuntime@1.32.0

// Train in SharpGrad, deploy with ONNX Runtime: the chapter-4 digit classifier exported as ONNX and run by ONNX Runtime
// alone, next to SharpGrad's own prediction.
//
//     dotnet run -c Release examples/deploy_onnx.cs
//
// Trains simple_net (784-30-2) on mnist-sample for 2 epochs, exports it with learn.ExportOnnx (the class names and the
// input layout go into the model's metadata_props), then opens the .onnx file with ONNX Runtime, feeds it the pixels
// as the metadata describes them, and prints both predictions for the first validation images of each class.
// The same file works from ML.NET (ApplyOnnxModel) or any other ONNX runtime. Then SharpGrad imports the file back
// (OnnxImport.LoadLearner) and writes the run's HTML report.

using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpGrad;
using SharpGrad.Data;
using SharpGrad.Data.Images;
using SharpGrad.IO;
using SharpGrad.IO.Onnx;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Vision.Reports;

string path = Datasets.Get(Datasets.MnistSample);
DataLoaders dls = ImageDataLoaders.FromFolder(path, bs: 256, channels: 1);
var learn = new Learner(dls, Nn.Sequential(Nn.Flatten(), Nn.Linear(28 * 28, 30), Nn.ReLU(), Nn.Linear(30, 2)), F.CrossEntropy, Optimizers.Sgd, [Metrics.Accuracy]);
learn.Fit(2, lr: 0.1);

string file = Path.Combine(Path.GetTempPath(), $"sharpgrad-digits-{Environment.ProcessId}.onnx");
string report = Path.ChangeExtension(file, ".html");
try
{
    learn.ExportOnnx(file);

    // From here on, only ONNX Runtime runs the model.
    using var session = new InferenceSession(file);
    var meta = session.ModelMetadata.CustomMetadataMap;
    string[] vocab = JsonDocument.Parse(meta["sharpgrad.vocab"]).RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
    Console.WriteLine($"{Path.GetFileName(file)}: input '{session.InputMetadata.Keys.Single()}' is {meta["sharpgrad.input_description"]}; classes [{string.Join(", ", vocab)}]");
    Console.WriteLine($"{"image",-12} {"SharpGrad",-18} {"ONNX Runtime",-18}");
    foreach (string digit in new[] { "3", "7" })
        foreach (string image in Directory.GetFiles(Path.Combine(path, "valid", digit)).Order(StringComparer.Ordinal).Take(3))
        {
            Prediction ours = learn.Predict(new ImageInput(1, 28, 28).Load(image));

            // The layout the metadata describes: [batch, 1, 28, 28], grey pixels scaled to 0..1.
            Image decoded = ImageDecoder.Decode(File.ReadAllBytes(image), image);
            float[] pixels = decoded.Pixels.Select(p => p / 255f).ToArray();
            var input = new DenseTensor<float>(pixels, [1, 1, decoded.Height, decoded.Width]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
            float[] logits = results.Single().AsEnumerable<float>().ToArray();
            float max = logits.Max(), sum = logits.Sum(l => MathF.Exp(l - max));
            int best = Array.IndexOf(logits, max);
            Console.WriteLine($"{Path.GetFileName(image),-12} {$"{ours.Label} ({ours.Probabilities[ours.Index].Item():P1})",-18} {$"{vocab[best]} ({1 / sum:P1})",-18}");
        }

    // Back into SharpGrad: the .onnx file as a model with its class names and image input.
    ExportedModel imported = OnnxImport.LoadLearner(file);
    string first = Directory.GetFiles(Path.Combine(path, "valid", "3")).Order(StringComparer.Ordinal).First();
    Console.WriteLine($"imported back: {Path.GetFileName(first)} predicted {imported.Predict(first).Label}");

    learn.Report(report);
    Console.WriteLine($"report: {new FileInfo(report).Length / 1024} KB ({report})");
}
finally
{
    File.Delete(file);
    File.Delete(report);
}
