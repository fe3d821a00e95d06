#:project ../src/SharpGrad/SharpGrad.csproj

// Full MNIST, all ten digits, with every piece written out: the model as a Module subclass, the optimizer, the
// log-softmax, the cross-entropy loss and the accuracy (seed notebook 004).
//
//     dotnet run -c Release examples/mnist_from_scratch.cs
//
// Run it with -c Release (the library is then optimized).
//
// Part 1 trains on a small subset, 100 training images of each digit, and measures on the 10,000 test images, once
// with the library's F.CrossEntropy and once with the hand-written one. Part 2 trains on all 60,000 images.

using System.Diagnostics;
using SharpGrad;
using SharpGrad.Data;
using SharpGrad.NN;

const ulong Seed = 0;   // initial weights and the shuffling order
var total = Stopwatch.StartNew();

// ---------------------------------------------------------------------------------------------------------------
Section("The data");
// MNIST as tensors: images uint8 [N, 28, 28], labels int64 [N]. Pixels become floats in 0..1, one row of 784 per image.
MnistData mnist = Datasets.LoadIdx(Datasets.Mnist);
Tensor trainX = mnist.TrainImages.View(-1, 28 * 28).Float() / 255f;
Tensor testX = mnist.TestImages.View(-1, 28 * 28).Float() / 255f;
Tensor trainY = mnist.TrainLabels, testY = mnist.TestLabels;
Console.WriteLine($"training images {trainX.Shape}, test images {testX.Shape}");

// The subset: the first 100 training images of each digit, picked with an index tensor.
Tensor subset = FirstOfEachClass(trainY, perClass: 100);
Tensor smallX = trainX[subset], smallY = trainY[subset];
Console.WriteLine($"subset: {smallX.Shape} images, {smallY.Eq(7f).Float().Sum().Item()} of them 7s");

// ---------------------------------------------------------------------------------------------------------------
Section("Log-softmax, computed stably");
// log_softmax(x) = x - log(sum(exp(x))). Written that way it overflows: exp of a logit above ~88 is infinite in
// float32, and the loss becomes inf or NaN. Logits grow during training, which is how seed 004's version broke.
// The log-sum-exp trick subtracts each row's largest logit first, which changes nothing mathematically
// (log-softmax is the same for x and x - c) but keeps every exp in 0..1.
Tensor bigLogits = Tensor.From(new float[,] { { 1000f, 0f, -5f } });
Console.WriteLine($"naive  log_softmax([1000, 0, -5]) = {NaiveLogSoftmax(bigLogits)}");
Console.WriteLine($"stable log_softmax([1000, 0, -5]) = {LogSoftmax(bigLogits)}");
Tensor someLogits = Tensor.Randn([4, 10], new Generator(Seed)) * 3f;
float gap = (LogSoftmax(someLogits) - F.LogSoftmax(someLogits, 1)).Abs().Max().Item();
Console.WriteLine($"on ordinary logits it agrees with F.LogSoftmax to {gap:E1}");

// ---------------------------------------------------------------------------------------------------------------
Section("Part 1: 100 images per digit, 784-30-10, lr 0.1, 20 epochs, batch size 64");
var small = new DataLoader(new TensorDataset(smallX, smallY), batchSize: 64, shuffle: true, generator: new Generator(Seed));

Tensor.ManualSeed(Seed);
var builtInRun = Train(new SimpleNet(28 * 28, 30, 10), F.CrossEntropy, small, lr: 0.1, epochs: 20, report: [1, 5, 10, 15, 20]);
Console.WriteLine($"F.CrossEntropy: test accuracy {builtInRun.TestAccuracy:F4} (seed notebook: ~0.77-0.84)");

// The same run, same initial weights and batch order, with the hand-written loss.
Tensor.ManualSeed(Seed);
small = new DataLoader(new TensorDataset(smallX, smallY), batchSize: 64, shuffle: true, generator: new Generator(Seed));
var handRun = Train(new SimpleNet(28 * 28, 30, 10), CrossEntropy, small, lr: 0.1, epochs: 20, report: [1, 5, 10, 15, 20]);
Console.WriteLine($"hand-written cross-entropy: test accuracy {handRun.TestAccuracy:F4}, train loss {handRun.FirstLoss:F4} -> {handRun.LastLoss:F4} " +
                  "(seed notebook: did not train)");

// ---------------------------------------------------------------------------------------------------------------
const int Hidden = 100, BatchSize = 64, Epochs = 8;
const double FullLr = 0.2;
Section($"Part 2: all 60,000 training images, 784-{Hidden}-10, lr {FullLr}, {Epochs} epochs, batch size {BatchSize}");
// More data can use more capacity: 100 hidden units instead of 30. Each epoch is 938 steps of SGD, so a few epochs
// suffice, and a step of 0.2 gets there faster than 0.1 (5 epochs at 0.1 give about 0.966).
var full = new DataLoader(new TensorDataset(trainX, trainY), batchSize: BatchSize, shuffle: true, generator: new Generator(Seed));
Tensor.ManualSeed(Seed);
var clock = Stopwatch.StartNew();
var fullRun = Train(new SimpleNet(28 * 28, Hidden, 10), CrossEntropy, full, lr: FullLr, epochs: Epochs, report: [.. Enumerable.Range(1, Epochs)]);
Console.WriteLine($"all of MNIST, hand-written cross-entropy: test accuracy {fullRun.TestAccuracy:F4} in {clock.Elapsed.TotalSeconds:F1} s (target: >= 0.97)");

Console.WriteLine($"\nDone in {total.Elapsed.TotalSeconds:F1} s.");

// ===============================================================================================================

// Trains model with CustomSGD, printing the mean training loss and the test accuracy after the epochs in report.
(double TestAccuracy, double FirstLoss, double LastLoss) Train(Module model, Func<Tensor, Tensor, Tensor> lossFunc, DataLoader dl,
                                                               double lr, int epochs, int[] report)
{
    var opt = new CustomSGD(model.Parameters(), lr);
    double firstLoss = double.NaN, lastLoss = double.NaN, accuracy = double.NaN;
    for (int epoch = 1; epoch <= epochs; epoch++)
    {
        double lossSum = 0;
        int batches = 0;
        foreach (var (xb, yb) in dl)
        {
            Tensor loss = lossFunc(model.Forward(xb), yb!);
            loss.Backward();
            opt.Step();
            opt.ZeroGrad();
            lossSum += loss.Item();
            batches++;
        }
        lastLoss = lossSum / batches;
        if (epoch == 1) firstLoss = lastLoss;
        if (report.Contains(epoch))
        {
            accuracy = Evaluate(model);
            Console.WriteLine($"  epoch {epoch,2}: train loss {lastLoss:F4}, test accuracy {accuracy:F4}");
        }
    }
    return (report.Contains(epochs) ? accuracy : Evaluate(model), firstLoss, lastLoss);
}

double Evaluate(Module model)
{
    using var _ = Tensor.NoGrad();
    return Accuracy(model.Forward(testX), testY);
}

// The indices of the first perClass items of every class, class by class.
static Tensor FirstOfEachClass(Tensor labels, int perClass)
{
    long[] y = labels.ToArray<long>();
    long[] picked = Enumerable.Range(0, 10)
        .SelectMany(digit => Enumerable.Range(0, y.Length).Where(i => y[i] == digit).Take(perClass))
        .Select(i => (long)i).ToArray();
    return Tensor.From(picked);
}

// log_softmax as it is usually first written: overflows for logits above ~88.
static Tensor NaiveLogSoftmax(Tensor x) => x - x.Exp().Sum(1, keepDim: true).Log();

// log_softmax with the log-sum-exp trick: shift each row so its largest logit is 0. The shift is a constant for
// the gradient's purposes (the result does not depend on it), so it is detached from the graph.
static Tensor LogSoftmax(Tensor x)
{
    Tensor rowMax = x.Max(1, keepDim: true).Values.Detach();
    Tensor shifted = x - rowMax;
    return shifted - shifted.Exp().Sum(1, keepDim: true).Log();
}

// Negative log-likelihood: minus the mean log-probability given to each item's true class.
static Tensor NllLoss(Tensor logProbs, Tensor targets) => -logProbs.Gather(1, targets.Unsqueeze(1)).Mean();

// Cross-entropy = nll(log_softmax(logits)).
static Tensor CrossEntropy(Tensor logits, Tensor targets) => NllLoss(LogSoftmax(logits), targets);

// The fraction of items whose highest logit is the true class.
static double Accuracy(Tensor logits, Tensor targets) => logits.Argmax(1).Eq(targets).Float().Mean().Item();

static void Section(string title) => Console.WriteLine($"\n== {title} ==");

// A two-layer network: linear, ReLU, linear. The layers are registered as children, so Parameters() finds them.
sealed class SimpleNet : Module
{
    private readonly Linear _hidden, _output;

    public SimpleNet(int inputs, int hidden, int outputs)
    {
        _hidden = RegisterModule("hidden", Nn.Linear(inputs, hidden));
        _output = RegisterModule("output", Nn.Linear(hidden, outputs));
    }

    public override Tensor Forward(Tensor x) => _output.Forward(_hidden.Forward(x).Relu());
}

// Plain stochastic gradient descent: p -= lr * grad for every parameter, then clear the gradients.
sealed class CustomSGD(IEnumerable<Tensor> parameters, double lr)
{
    private readonly List<Tensor> _parameters = parameters.ToList();

    public void Step()
    {
        foreach (Tensor p in _parameters) p.Data -= p.Grad! * (float)lr;
    }

    public void ZeroGrad()
    {
        foreach (Tensor p in _parameters) p.Grad = null;
    }
}
