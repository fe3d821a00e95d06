#:project ../src/SharpGrad/SharpGrad.csproj
#:project ../src/SharpGrad.Plotting/SharpGrad.Plotting.csproj

// Chapter 4's 3-versus-7 pipeline, replayed on Fashion-MNIST: dresses versus pullovers.
//
//     dotnet run -c Release examples/fashion_mnist.cs [output folder]
//
// Run it with -c Release (the library is then optimized). Plots go to the folder given as the first argument,
// by default examples/out/ next to this file.
//
// Fashion-MNIST has MNIST's format (28x28 grayscale, 60,000 training and 10,000 test images) with ten clothing
// classes instead of digits: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
// 8 Bag, 9 Ankle boot. A dress plays the part of the 3 (target 1), a pullover the part of the 7 (target 0); the
// test set is the validation set.

using System.Diagnostics;
using SharpGrad;
using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Plotting;

const long Pullover = 2, Dress = 3;
const ulong Seed = 0;   // the initial weights' random draws
var total = Stopwatch.StartNew();
string outDir = args.Length > 0 ? args[0] : Path.Combine(ExampleDirectory(), "out");
Directory.CreateDirectory(outDir);
Console.WriteLine($"Fashion-MNIST, dress vs pullover, with SharpGrad; plots go to {Path.GetFullPath(outDir)}");

// ---------------------------------------------------------------------------------------------------------------
Section("The data");
// The four IDX files as tensors: images uint8 [N, 28, 28], labels int64 [N].
MnistData fashion = Datasets.LoadIdx(Datasets.FashionMnist);
// A bool mask picks the images of one class, as stacked_threes does in the book.
Tensor dresses = OfClass(fashion.TrainImages, fashion.TrainLabels, Dress);
Tensor pullovers = OfClass(fashion.TrainImages, fashion.TrainLabels, Pullover);
Tensor validDresses = OfClass(fashion.TestImages, fashion.TestLabels, Dress);
Tensor validPullovers = OfClass(fashion.TestImages, fashion.TestLabels, Pullover);
Console.WriteLine($"training: {dresses.Shape} dresses, {pullovers.Shape} pullovers; validation: {validDresses.Size(0)} and {validPullovers.Size(0)}");
string samplesPng = Path.Combine(outDir, "fashion_samples.png");
Plots.Images(samplesPng, [.. Enumerable.Range(0, 4).Select(i => dresses[i].ToArray<float>()), .. Enumerable.Range(0, 4).Select(i => pullovers[i].ToArray<float>())],
    28, 28, titles: ["dress", "dress", "dress", "dress", "pullover", "pullover", "pullover", "pullover"], columns: 4, cellPixels: 3);
Console.WriteLine($"a few of each -> {samplesPng}");

// ---------------------------------------------------------------------------------------------------------------
Section("Pixel similarity");
Tensor meanDress = dresses.Mean(0);
Tensor meanPullover = pullovers.Mean(0);
string idealPng = Path.Combine(outDir, "fashion_ideal_dress_and_pullover.png");
Plots.Images(idealPng, [meanDress.ToArray<float>(), meanPullover.ToArray<float>()], 28, 28, titles: ["mean dress", "mean pullover"], cellPixels: 4);
Console.WriteLine($"the ideal dress and pullover -> {idealPng}");

// A dress is whatever is closer (mean absolute difference) to the ideal dress than to the ideal pullover.
float accuracyDresses = IsDress(validDresses).Float().Mean().Item();
float accuracyPullovers = (1f - IsDress(validPullovers).Float()).Mean().Item();
float pixelAccuracy = (accuracyDresses + accuracyPullovers) / 2;
Console.WriteLine($"pixel similarity: accuracy dresses {accuracyDresses:F4}, pullovers {accuracyPullovers:F4}, overall {pixelAccuracy:F4} (target: >= 0.90)");
// The silhouettes differ a lot (a dress is long and narrow, a pullover has sleeves), so even this baseline does well.

// ---------------------------------------------------------------------------------------------------------------
Section("A linear model by hand");
Tensor trainX = Tensor.Cat([dresses, pullovers]).View(-1, 28 * 28);
Tensor trainY = Labels(dresses.Size(0), pullovers.Size(0));
Tensor validX = Tensor.Cat([validDresses, validPullovers]).View(-1, 28 * 28);
Tensor validY = Labels(validDresses.Size(0), validPullovers.Size(0));
// DataLoader(list(zip(x, y)), batch_size=256, shuffle=True). The chapter's loader keeps the items in order, which
// here means 23 batches of dresses followed by 23 of pullovers: each run of one class drives the sigmoids into
// saturation, where mnist_loss has almost no gradient (a Learner over that loader stays at 0.5000 for 30 epochs).
// Shuffling mixes both classes into every batch.
var dl = new DataLoader(trainX.Unbind().Zip(trainY.Unbind()).ToList(), batchSize: 256, shuffle: true, generator: new Generator(Seed));
var validDl = new DataLoader(validX.Unbind().Zip(validY.Unbind()).ToList(), batchSize: 256);
Console.WriteLine($"train_x {trainX.Shape}, valid_x {validX.Shape}; {dl.Count} training batches of 256");

// init_params(size, std=1.0) as in the book first. A garment lights up far more pixels than a digit, so with
// weights of std 1 the sum over 784 pixels is large (tens), the sigmoids start saturated and learn slowly.
const double lr = 1.0;
List<double> accuracies = TrainLinearByHand(std: 1f, epochs: 30);
Console.WriteLine($"linear model by hand, init std 1, 30 epochs lr 1: accuracy {accuracies[^1]:F4} (saturated start)");
// Weights ten times smaller start every prediction near 0.5, where the sigmoid's slope is largest.
accuracies = TrainLinearByHand(std: 0.1f, epochs: 30);
Console.WriteLine($"linear model by hand, init std 0.1, 30 epochs lr 1: accuracy {accuracies[^1]:F4} (seed notebook: 0.9697)");

// ---------------------------------------------------------------------------------------------------------------
Section("The same with Learner");
var dls = new DataLoaders(dl, validDl);
var batchAccuracy = new AvgMetric("batch_accuracy", BatchAccuracy);
Tensor.ManualSeed(Seed);
var learn = Learner.Create(dls, Nn.Linear(28 * 28, 1), opt: Optimizers.Sgd, loss: MnistLoss, metrics: [batchAccuracy]);
learn.Fit(30, lr: lr);
Console.WriteLine($"Learner + Nn.Linear, 30 epochs lr 1: batch_accuracy {learn.Recorder.Values[^1][2]:F4} (seed notebook: 0.9697 by hand)");

// And chapter 4's simple_net: one hidden layer of 30 ReLUs.
Tensor.ManualSeed(Seed);
var simpleNet = Nn.Sequential(Nn.Linear(28 * 28, 30), Nn.ReLU(), Nn.Linear(30, 1));
learn = Learner.Create(dls, simpleNet, opt: Optimizers.Sgd, loss: MnistLoss, metrics: [batchAccuracy]);
learn.Output = null;   // 40 rows; the plot below shows them
learn.Fit(40, lr: 0.1);
double[] epochAccuracy = learn.Recorder.Values.Select(v => v[2]).ToArray();
string recorderPng = Path.Combine(outDir, "fashion_simple_net_accuracy.png");
Plots.Lines(recorderPng, [new Series("batch_accuracy", Enumerable.Range(0, epochAccuracy.Length).Select(e => (double)e).ToArray(), epochAccuracy)],
    title: "simple_net, dress vs pullover", xLabel: "epoch", yLabel: "batch_accuracy");
Console.WriteLine($"simple_net, 40 epochs lr 0.1: batch_accuracy {epochAccuracy[^1]:F4}; recorder plot -> {recorderPng}");

Console.WriteLine($"\nDone in {total.Elapsed.TotalSeconds:F1} s.");

// ===============================================================================================================

// The images of one class, as floats in 0..1.
static Tensor OfClass(Tensor images, Tensor labels, long label) => images[labels.Eq(label)].Float() / 255f;

static Tensor MnistDistance(Tensor a, Tensor b) => (a - b).Abs().Mean([-1, -2]);

Tensor IsDress(Tensor x) => MnistDistance(x, meanDress) < MnistDistance(x, meanPullover);

// Target 1 for the first class (dresses), 0 for the second (pullovers), as a column.
static Tensor Labels(int first, int second) =>
    Tensor.From(Enumerable.Repeat(1L, first).Concat(Enumerable.Repeat(0L, second)).ToArray()).Unsqueeze(1);

static Tensor InitParams(int[] size, float std = 1f) => (Tensor.Randn(size) * std).RequiresGrad();

// Chapter 4's loss: sigmoid, then the distance from the target.
static Tensor MnistLoss(Tensor predictions, Tensor targets)
{
    predictions = predictions.Sigmoid();
    return Tensor.Where(targets.Eq(1f), 1f - predictions, predictions).Mean();
}

static Tensor BatchAccuracy(Tensor xb, Tensor yb) => ((xb.Sigmoid() > 0.5f).Eq(yb)).Float().Mean();

// linear1 = xb@weights + bias from fresh random parameters, trained for some epochs; the accuracy after each.
List<double> TrainLinearByHand(float std, int epochs)
{
    Tensor.ManualSeed(Seed);
    Tensor weights = InitParams([28 * 28, 1], std);
    Tensor bias = InitParams([1], std);
    Tensor Linear1(Tensor xb) => xb.MatMul(weights) + bias;
    var accs = new List<double>();
    for (int epoch = 0; epoch < epochs; epoch++)
    {
        TrainEpoch(Linear1, lr, [weights, bias]);
        accs.Add(ValidateEpoch(Linear1));
    }
    Console.WriteLine(string.Join(" ", accs.Select(a => a.ToString("F4"))));
    return accs;
}

// One epoch of SGD by hand: forward, loss, backward, then p.data -= p.grad*lr and clear the gradient.
void TrainEpoch(Func<Tensor, Tensor> model, double learningRate, Tensor[] parameters)
{
    foreach (var (xb, yb) in dl)
    {
        MnistLoss(model(xb), yb!).Backward();
        foreach (Tensor p in parameters)
        {
            p.Data -= p.Grad! * (float)learningRate;
            p.Grad = null;
        }
    }
}

double ValidateEpoch(Func<Tensor, Tensor> model)
{
    using var _ = Tensor.NoGrad();
    var accs = validDl.Select(b => BatchAccuracy(model(b.X), b.Y!)).ToList();
    return Math.Round(Tensor.Stack(accs).Mean().Item(), 4);
}

static void Section(string title) => Console.WriteLine($"\n== {title} ==");

static string ExampleDirectory() =>
    AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
