#:project ../src/SharpGrad/SharpGrad.csproj
#:project ../src/SharpGrad.Plotting/SharpGrad.Plotting.csproj

// fastbook chapter 4, "Under the hood: training a digit classifier", in C#.
//
//     dotnet run -c Release examples/chapter4_mnist_basics.cs [output folder]
//
// Run it with -c Release: the library is then compiled with optimizations (a Debug build is several times slower).
// The plots go to the folder given as the first argument, by default examples/out/ next to this file.
// Each result is printed beside the number the book shows for it.

using System.Diagnostics;
using SharpGrad;
using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Optim;
using SharpGrad.Plotting;

// Every random draw below (the initial weights) comes from this seed. The book's runs are unseeded; other seeds give
// the same picture, with the last digit or two of each accuracy moving (simple_net ends at 0.981-0.983).
const ulong Seed = 0;
var total = Stopwatch.StartNew();
string outDir = args.Length > 0 ? args[0] : Path.Combine(ExampleDirectory(), "out");
Directory.CreateDirectory(outDir);
Console.WriteLine($"fastbook chapter 4 with SharpGrad; plots go to {Path.GetFullPath(outDir)}");

// ---------------------------------------------------------------------------------------------------------------
Section("Pixels: the foundations of computer vision");
// path = untar_data(URLs.MNIST_SAMPLE): the 3s and 7s of MNIST as PNG files in train/ and valid/ folders.
string path = Datasets.Get(Datasets.MnistSample);
IReadOnlyList<string> threes = ImageFiles.Find(Path.Combine(path, "train", "3"));   // .ls().sorted()
IReadOnlyList<string> sevens = ImageFiles.Find(Path.Combine(path, "train", "7"));
Console.WriteLine($"{threes.Count} threes and {sevens.Count} sevens; the second three is {Path.GetFileName(threes[1])} (book: 10000.png)");

// An image is a grid of numbers from 0 (white in the book's display) to 255: tensor(Image.open(threes[1])).
Tensor im3 = ImageTensor.Load(threes[1]);
Console.WriteLine($"im3[4:10, 4:10] =\n{im3[4..10, 4..10]}");

// ---------------------------------------------------------------------------------------------------------------
Section("First try: pixel similarity");
// Stack every image of a class into one rank-3 tensor and scale the pixels to 0..1.
Tensor stackedThrees = LoadStack(threes);
Tensor stackedSevens = LoadStack(sevens);
Console.WriteLine($"stacked_threes.shape = {stackedThrees.Shape} (book: [6131, 28, 28]), rank {stackedThrees.NDim} (book: 3)");

// The "ideal" 3 and 7: the mean of every image of the class, pixel by pixel.
Tensor mean3 = stackedThrees.Mean(0);
Tensor mean7 = stackedSevens.Mean(0);
string idealPng = Path.Combine(outDir, "chapter4_ideal_3_and_7.png");
Plots.Images(idealPng, [mean3.ToArray<float>(), mean7.ToArray<float>()], 28, 28, titles: ["mean 3", "mean 7"], cellPixels: 4);
Console.WriteLine($"show_image(mean3), show_image(mean7) -> {idealPng}");

// How far is one 3 from each ideal? The mean absolute difference (L1 norm) and the root mean squared error (L2).
Tensor a3 = stackedThrees[1];
float dist3Abs = (a3 - mean3).Abs().Mean().Item();
float dist3Sqr = (a3 - mean3).Square().Mean().Sqrt().Item();
Console.WriteLine($"a_3 to mean 3: L1 {dist3Abs:F4}, RMSE {dist3Sqr:F4} (book: 0.1114, 0.2021)");
float dist7Abs = (a3 - mean7).Abs().Mean().Item();
float dist7Sqr = (a3 - mean7).Square().Mean().Sqrt().Item();
Console.WriteLine($"a_3 to mean 7: L1 {dist7Abs:F4}, RMSE {dist7Sqr:F4} (book: 0.1586, 0.3021)");
// The same with the library's loss functions: F.l1_loss and F.mse_loss(...).sqrt().
Console.WriteLine($"F.L1Loss(a_3, mean7) {F.L1Loss(a3, mean7).Item():F4}, F.MseLoss(a_3, mean7).Sqrt() {F.MseLoss(a3, mean7).Sqrt().Item():F4} (book: 0.1586, 0.3021)");

// The validation set: images the ideals were not computed from.
Tensor valid3 = LoadStack(ImageFiles.Find(Path.Combine(path, "valid", "3")));
Tensor valid7 = LoadStack(ImageFiles.Find(Path.Combine(path, "valid", "7")));
Console.WriteLine($"valid_3_tens.shape = {valid3.Shape}, valid_7_tens.shape = {valid7.Shape} (book: [1010, 28, 28], [1028, 28, 28])");

// mnist_distance averages over the last two axes only, so thanks to broadcasting it takes one image or a whole
// stack of them and returns one distance per image.
Console.WriteLine($"mnist_distance(a_3, mean3) = {MnistDistance(a3, mean3).Item():F4} (book: 0.1114)");
Console.WriteLine($"mnist_distance(valid_3_tens, mean3).shape = {MnistDistance(valid3, mean3).Shape} (book: [1010])");
Console.WriteLine($"is_3(a_3) = {IsThree(a3).Item<bool>()} (book: True)");

// A 3 is classified right when it is closer to the ideal 3; a 7 when it is not.
float accuracy3s = IsThree(valid3).Float().Mean().Item();
float accuracy7s = (1f - IsThree(valid7).Float()).Mean().Item();
Console.WriteLine($"pixel similarity: accuracy 3s {accuracy3s:F4}, 7s {accuracy7s:F4}, overall {(accuracy3s + accuracy7s) / 2:F4} (book: 0.9168, 0.9854, 0.9511)");

// ---------------------------------------------------------------------------------------------------------------
Section("Stochastic gradient descent: calculating gradients");
// The whole "speed of a roller coaster" quadratic is `sharpgrad demo`; here just the gradients the book computes.
Tensor xt = Tensor.Scalar(3f).RequiresGrad();
Tensor yt = Square(xt);
yt.Backward();
Console.WriteLine($"f(x) = x^2 at 3: {yt.Item()}, gradient {xt.Grad!.Item()} (book: 9, 6)");
xt = Tensor.From(3f, 4f, 10f).RequiresGrad();
yt = Square(xt).Sum();
yt.Backward();
Console.WriteLine($"sum of x^2 at [3, 4, 10]: gradient {xt.Grad} (book: tensor([ 6.,  8., 20.]))");

// ---------------------------------------------------------------------------------------------------------------
Section("The MNIST loss function");
// One row of 784 pixels per image; label 1 for a 3 and 0 for a 7, as a column to match the model's [N, 1] output.
Tensor trainX = Tensor.Cat([stackedThrees, stackedSevens]).View(-1, 28 * 28);
Tensor trainY = Labels(threes.Count, sevens.Count);
Console.WriteLine($"train_x.shape = {trainX.Shape}, train_y.shape = {trainY.Shape} (book: [12396, 784], [12396, 1])");
// A dataset is a list of (x, y) pairs: list(zip(train_x, train_y)).
List<(Tensor, Tensor)> dset = trainX.Unbind().Zip(trainY.Unbind()).ToList();
var (x0, y0) = dset[0];
Console.WriteLine($"x.shape, y = {x0.Shape}, {y0} (book: [784], tensor([1]))");
Tensor validX = Tensor.Cat([valid3, valid7]).View(-1, 28 * 28);
Tensor validY = Labels(valid3.Size(0), valid7.Size(0));
List<(Tensor, Tensor)> validDset = validX.Unbind().Zip(validY.Unbind()).ToList();

// Random initial weights, one per pixel, and a bias. The prediction for one image is (x*w).sum() + b.
Tensor.ManualSeed(Seed);
Tensor weights = InitParams([28 * 28, 1]);
Tensor bias = InitParams([1]);
Console.WriteLine($"(train_x[0]*weights.T).sum() + bias = {((trainX[0] * weights.T).Sum() + bias).Item():F4} (book, with its random weights: 20.2336)");

// The same for every image at once is a matrix multiplication: the book's xb@weights + bias.
Tensor Linear1(Tensor xb) => xb.MatMul(weights) + bias;
Tensor preds = Linear1(trainX);
Tensor corrects = (preds > 0f).Float().Eq(trainY);
Console.WriteLine($"accuracy of the random weights: {corrects.Float().Mean().Item():F4} (book: 0.4912, also random)");

// Accuracy is flat almost everywhere, so its gradient is zero: we need a smooth loss. mnist_loss measures how far
// each sigmoid prediction is from its target (1 - p for a 3, p for a 7).
Tensor trgts = Tensor.From(1L, 0L, 1L);
Tensor prds = Tensor.From(0.9f, 0.4f, 0.2f);
Console.WriteLine($"mnist_loss on ([0.9, 0.4, 0.2], [1, 0, 1]) without the sigmoid: {Tensor.Where(trgts.Eq(1f), 1f - prds, prds).Mean().Item():F4} (book: 0.4333)");

// ---------------------------------------------------------------------------------------------------------------
Section("SGD and mini-batches: linear1 by hand");
// DataLoader(dset, batch_size=256): in order, as the book's; the last batch holds the 108 left over.
var dl = new DataLoader(dset, batchSize: 256);
var validDl = new DataLoader(validDset, batchSize: 256);
var (xb, yb) = dl.First();
Console.WriteLine($"first(dl): xb.shape {xb.Shape}, yb.shape {yb!.Shape} (book: [256, 784], [256, 1])");

// Gradients of the loss on a batch of four.
Tensor batch = trainX[..4];
Tensor loss = MnistLoss(Linear1(batch), trainY[..4]);
loss.Backward();
Console.WriteLine($"weights.grad.shape {weights.Grad!.Shape}, weights.grad.mean() {weights.Grad!.Mean().Item():F6}, bias.grad {bias.Grad!.Item():F6} (book: [784, 1], -0.0001, -0.0008 with its weights)");
weights.Grad = null;   // start the training with no gradient left over
bias.Grad = null;

const double lr = 1.0;
Tensor[] parameters = [weights, bias];
TrainEpochByHand(Linear1, lr, parameters);
Console.WriteLine($"validate_epoch after one epoch: {ValidateEpoch(Linear1):F4} (book: 0.6663)");
var accuracies = new List<double>();
for (int i = 0; i < 20; i++)
{
    TrainEpochByHand(Linear1, lr, parameters);
    accuracies.Add(ValidateEpoch(Linear1));
}
PrintEpochs(accuracies);
Console.WriteLine($"linear1 by hand, 20 epochs lr 1: accuracy {accuracies[^1]:F4} (book: ~0.968)");

// ---------------------------------------------------------------------------------------------------------------
Section("Creating an optimizer: BasicOptim over nn.Linear");
// nn.Linear does init_params and linear1 in one module; its Parameters() are the weight and the bias.
Tensor.ManualSeed(Seed);
Linear linearModel = Nn.Linear(28 * 28, 1);
Console.WriteLine($"w.shape, b.shape = {linearModel.Weight.Shape}, {linearModel.Bias!.Shape} (book: [1, 784], [1])");
var basicOpt = new BasicOptim(linearModel.Parameters(), lr);
accuracies = TrainModel(linearModel, basicOpt.Step, basicOpt.ZeroGrad, 20);
Console.WriteLine($"BasicOptim + Nn.Linear, 20 epochs lr 1: accuracy {accuracies[^1]:F4} (book: ~0.97-0.98)");

// The library's Sgd does the same step (fastai's SGD with no momentum or weight decay).
Tensor.ManualSeed(Seed);
linearModel = Nn.Linear(28 * 28, 1);
var sgd = new Sgd(linearModel.Parameters(), lr);
accuracies = TrainModel(linearModel, sgd.Step, () => sgd.ZeroGrad(), 20);
Console.WriteLine($"Sgd + Nn.Linear, 20 epochs lr 1: accuracy {accuracies[^1]:F4} (book: ~0.97-0.98)");

// ---------------------------------------------------------------------------------------------------------------
Section("Learner.Fit: the same loop, packaged");
var dls = new DataLoaders(dl, validDl);
var batchAccuracy = new AvgMetric("batch_accuracy", BatchAccuracy);
Tensor.ManualSeed(Seed);
var learn = Learner.Create(dls, Nn.Linear(28 * 28, 1), opt: Optimizers.Sgd, loss: MnistLoss, metrics: [batchAccuracy]);
learn.Fit(10, lr: lr);
Console.WriteLine($"Learner + Nn.Linear, 10 epochs lr 1: batch_accuracy {learn.Recorder.Values[^1][2]:F4} (book: ~0.97-0.98)");

// ---------------------------------------------------------------------------------------------------------------
Section("Adding a nonlinearity: simple_net");
// Two linear layers with a ReLU between them: a universal approximator, given enough hidden units.
Tensor.ManualSeed(Seed);
var simpleNet = Nn.Sequential(Nn.Linear(28 * 28, 30), Nn.ReLU(), Nn.Linear(30, 1));
learn = Learner.Create(dls, simpleNet, opt: Optimizers.Sgd, loss: MnistLoss, metrics: [batchAccuracy]);
learn.Fit(40, lr: 0.1);

// plt.plot(L(learn.recorder.values).itemgot(2)): the batch accuracy after each epoch.
double[] epochAccuracy = learn.Recorder.Values.Select(v => v[2]).ToArray();
string recorderPng = Path.Combine(outDir, "chapter4_simple_net_accuracy.png");
Plots.Lines(recorderPng, [new Series("batch_accuracy", Enumerable.Range(0, epochAccuracy.Length).Select(e => (double)e).ToArray(), epochAccuracy)],
    title: "simple_net on mnist-sample", xLabel: "epoch", yLabel: "batch_accuracy");
Console.WriteLine($"recorder plot -> {recorderPng}");
Console.WriteLine($"simple_net, 40 epochs lr 0.1: batch_accuracy {epochAccuracy[^1]:F4} (book: 0.9828)");

Console.WriteLine($"\nDone in {total.Elapsed.TotalSeconds:F1} s.");

// ===============================================================================================================
// The notebook's functions.

// torch.stack([tensor(Image.open(o)) for o in files]).float()/255
static Tensor LoadStack(IEnumerable<string> files) => Tensor.Stack(files.Select(ImageTensor.Load).ToList()).Float() / 255f;

// Mean absolute difference over the last two axes (the image's rows and columns).
static Tensor MnistDistance(Tensor a, Tensor b) => (a - b).Abs().Mean([-1, -2]);

// A 3 is whatever is closer to the ideal 3 than to the ideal 7.
Tensor IsThree(Tensor x) => MnistDistance(x, mean3) < MnistDistance(x, mean7);

static Tensor Square(Tensor x) => x * x;

// tensor([1]*threes + [0]*sevens).unsqueeze(1)
static Tensor Labels(int threes, int sevens) =>
    Tensor.From(Enumerable.Repeat(1L, threes).Concat(Enumerable.Repeat(0L, sevens)).ToArray()).Unsqueeze(1);

// (torch.randn(size)*std).requires_grad_()
static Tensor InitParams(int[] size, float std = 1f) => (Tensor.Randn(size) * std).RequiresGrad();

// The loss: squash the predictions into 0..1 with the sigmoid, then 1 - p where the target is 1, p where it is 0.
static Tensor MnistLoss(Tensor predictions, Tensor targets)
{
    predictions = predictions.Sigmoid();
    return Tensor.Where(targets.Eq(1f), 1f - predictions, predictions).Mean();
}

// The metric: a prediction above 0.5 after the sigmoid is a 3.
static Tensor BatchAccuracy(Tensor xb, Tensor yb)
{
    Tensor preds = xb.Sigmoid();
    Tensor correct = (preds > 0.5f).Eq(yb);
    return correct.Float().Mean();
}

static void CalcGrad(Tensor xb, Tensor yb, Func<Tensor, Tensor> model)
{
    Tensor preds = model(xb);
    Tensor loss = MnistLoss(preds, yb);
    loss.Backward();
}

// One pass over the training set, stepping every parameter by hand: p.data -= p.grad*lr, then clear the gradient
// (Backward adds to .Grad, it does not replace it).
void TrainEpochByHand(Func<Tensor, Tensor> model, double learningRate, Tensor[] ps)
{
    foreach (var (xb, yb) in dl)
    {
        CalcGrad(xb, yb!, model);
        foreach (Tensor p in ps)
        {
            p.Data -= p.Grad! * (float)learningRate;
            p.Grad = null;
        }
    }
}

// The mean of the batch accuracies on the validation set, rounded to 4 places as the book's.
double ValidateEpoch(Func<Tensor, Tensor> model)
{
    using var _ = Tensor.NoGrad();   // no gradients needed to measure
    var accs = validDl.Select(b => BatchAccuracy(model(b.X), b.Y!)).ToList();
    return Math.Round(Tensor.Stack(accs).Mean().Item(), 4);
}

// train_model: the book's loop once an optimizer owns the update (any optimizer: pass its step and zero_grad).
List<double> TrainModel(Module model, Action step, Action zeroGrad, int epochs)
{
    var accs = new List<double>();
    for (int i = 0; i < epochs; i++)
    {
        foreach (var (xb, yb) in dl)
        {
            CalcGrad(xb, yb!, model.Forward);
            step();
            zeroGrad();
        }
        accs.Add(ValidateEpoch(model.Forward));
    }
    PrintEpochs(accs);
    return accs;
}

static void PrintEpochs(List<double> accs) => Console.WriteLine(string.Join(" ", accs.Select(a => a.ToString("F4"))));

static void Section(string title) => Console.WriteLine($"\n== {title} ==");

// The folder of this file (a file-based app knows its source path), or the working directory.
static string ExampleDirectory() =>
    AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();

// The book's BasicOptim: a few lines over the model's parameters.
class BasicOptim(IEnumerable<Tensor> parameters, double lr)
{
    private readonly List<Tensor> _params = parameters.ToList();

    public void Step()
    {
        foreach (Tensor p in _params) p.Data -= p.Grad! * (float)lr;
    }

    public void ZeroGrad()
    {
        foreach (Tensor p in _params) p.Grad = null;
    }
}
