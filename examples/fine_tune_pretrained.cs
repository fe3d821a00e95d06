#:project ../src/SharpGrad/SharpGrad.csproj

// Transfer learning, fastai's way: vision_learner(dls, resnet18).fine_tune(n) on a small set of pictures, against the
// same recipe from random weights.
//
//     dotnet run -c Release examples/fine_tune_pretrained.cs [images per class] [size] [epochs]
//
// Defaults: 100 Fashion-MNIST training images per class (1,000 in all), 500 test images, resized to 112x112 RGB
// (PIL-exact bilinear, fastai's Resize item transform), fine_tune(4) with the default base rate 2e-3: one frozen epoch
// (head and batch norms), then four unfrozen with discriminative rates. The pretrained body is CNTK's ImageNet ResNet18
// (fetched from NuGet on first use); the random one is torchvision's resnet18 initialisation. Prints both accuracies.
// The images are written as PNG files to a temporary folder first, so this runs the same path as a folder of photos.

using System.Diagnostics;
using System.Globalization;
using SharpGrad;
using SharpGrad.Data;
using SharpGrad.Data.Images;
using SharpGrad.Learning;
using SharpGrad.Vision;

int perClass = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
int size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 112;
int epochs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
string[] classes = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

// A folder of PNGs, train/<class>/ and valid/<class>/, as a user's own pictures would be.
MnistData fashion = Datasets.LoadIdx(Datasets.FashionMnist);
string folder = Path.Combine(Path.GetTempPath(), $"sharpgrad-fine-tune-{Environment.ProcessId}");
void Write(string split, Tensor images, Tensor labels, int perLabel)
{
    var counts = new int[10];
    byte[] all = images.ToArray<byte>();
    long[] y = labels.ToArray<long>();
    for (int i = 0; i < y.Length; i++)
    {
        if (counts[y[i]] >= perLabel) continue;
        string dir = Path.Combine(folder, split, classes[y[i]]);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, $"{i}.png"), PngEncoder.Encode(new Image(28, 28, 1, all[(i * 784)..((i + 1) * 784)])));
        counts[y[i]]++;
    }
}
Write("train", fashion.TrainImages, fashion.TrainLabels, perClass);
Write("valid", fashion.TestImages, fashion.TestLabels, 50);

try
{
    var results = new List<(string Name, double Accuracy, double Seconds)>();
    foreach (bool pretrained in new[] { true, false })
    {
        Tensor.ManualSeed(42);
        DataLoaders dls = ImageDataLoaders.FromFolder(folder, bs: 32, channels: 3, itemTfms: new Resize(size));
        Learner learn = VisionLearner.Create(dls, Arch.Resnet18, pretrained, metrics: [Metrics.Accuracy], generator: new Generator(42));
        Console.WriteLine($"{(pretrained ? "pretrained" : "random")} resnet18, {dls.Train.Dataset.Count} training images of {size}x{size}, fine_tune({epochs}):");
        var clock = Stopwatch.StartNew();
        learn.FineTune(epochs);
        results.Add((pretrained ? "pretrained (CNTK ImageNet)" : "random init", learn.Recorder.Values[^1][2], clock.Elapsed.TotalSeconds));
    }
    Console.WriteLine();
    foreach (var (name, accuracy, seconds) in results) Console.WriteLine($"{name,-28} accuracy {accuracy:F4}  ({seconds:F0} s)");
    Console.WriteLine($"transfer gain: {results[0].Accuracy - results[1].Accuracy:+0.0000;-0.0000}");
}
finally
{
    Directory.Delete(folder, recursive: true);
}
