#:project ../src/SharpGrad/SharpGrad.csproj

// Train, export, load in a fresh learner and predict — in a .NET 10 file-based app, which turns reflection-based JSON
// off (it is set up for native AOT); SharpGrad's export uses source-generated JSON, so this works as in a project.
//
//     dotnet run -c Release examples/export_and_predict.cs
//
// Trains chapter 4's simple_net on mnist-sample for 2 epochs with a checkpoint folder, exports it, loads it back with
// LoadLearner (fastai's load_learner) and predicts the first validation image of each class.

using SharpGrad;
using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.Learning;
using SharpGrad.NN;

string path = Datasets.Get(Datasets.MnistSample);
DataLoaders dls = ImageDataLoaders.FromFolder(path, bs: 256, channels: 1);
var learn = new Learner(dls, Nn.Sequential(Nn.Flatten(), Nn.Linear(28 * 28, 30), Nn.ReLU(), Nn.Linear(30, 2)), F.CrossEntropy, Optimizers.Sgd, [Metrics.Accuracy]);
string folder = Path.Combine(Path.GetTempPath(), $"sharpgrad-export-{Environment.ProcessId}");
Directory.CreateDirectory(folder);
try
{
    learn.Fit(2, lr: 0.1, cbs: [new CheckpointCallback(Path.Combine(folder, "checkpoints"))]);
    string file = Path.Combine(folder, "digits.sgl");
    learn.Export(file);
    ExportedModel model = LearnerFiles.LoadLearner(file);
    foreach (string digit in new[] { "3", "7" })
    {
        string image = Directory.GetFiles(Path.Combine(path, "valid", digit)).Order(StringComparer.Ordinal).First();
        Prediction p = model.Predict(image);
        Console.WriteLine($"{Path.GetFileName(image)} (a {digit}): predicted {p.Label} ({p.Probabilities[p.Index].Item():P1})");
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}
