using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Tests.Examples;

/// <summary>
/// The key steps of the runnable examples in <c>examples/</c> (one per seed notebook, and resnet18 on Fashion-MNIST), shortened, on the real data:
/// chapter 4 on mnist-sample, dress vs pullover on Fashion-MNIST, and seed 004's full MNIST from scratch. The examples
/// are standalone scripts, so the few notebook lines each step needs are repeated here. Random draws come from
/// explicit generators, so tests running in parallel elsewhere cannot shift them.
/// </summary>
[Collection("Real datasets")]
public class SeedNotebookTests
{
    private const ulong Seed = 0;

    // ---- chapter 4: mnist-sample ----

    private sealed record MnistSample(Tensor Threes, Tensor Sevens, Tensor Valid3, Tensor Valid7);

    private static readonly Lazy<MnistSample> Sample = new(() =>
    {
        string path = Datasets.Get(Datasets.MnistSample);
        Tensor Stack(string folder) => Tensor.Stack(ImageFiles.Find(Path.Combine(path, folder)).Select(ImageTensor.Load).ToList()).Float() / 255f;
        return new MnistSample(Stack("train/3"), Stack("train/7"), Stack("valid/3"), Stack("valid/7"));
    });

    private static Tensor MnistDistance(Tensor a, Tensor b) => (a - b).Abs().Mean([-1, -2]);

    private static Tensor Labels(int first, int second) =>
        Tensor.From(Enumerable.Repeat(1L, first).Concat(Enumerable.Repeat(0L, second)).ToArray()).Unsqueeze(1);

    private static Tensor MnistLoss(Tensor predictions, Tensor targets)
    {
        predictions = predictions.Sigmoid();
        return Tensor.Where(targets.Eq(1f), 1f - predictions, predictions).Mean();
    }

    private static Tensor BatchAccuracy(Tensor xb, Tensor yb) => (xb.Sigmoid() > 0.5f).Eq(yb).Float().Mean();

    /// <summary>The chapter's two loaders over (x, y) pairs of two classes, first class labelled 1.</summary>
    private static (DataLoader Train, DataLoader Valid) Loaders(Tensor a, Tensor b, Tensor validA, Tensor validB, Generator? shuffle = null)
    {
        Tensor trainX = Tensor.Cat([a, b]).View(-1, 28 * 28), trainY = Labels(a.Size(0), b.Size(0));
        Tensor validX = Tensor.Cat([validA, validB]).View(-1, 28 * 28), validY = Labels(validA.Size(0), validB.Size(0));
        return (new DataLoader(trainX.Unbind().Zip(trainY.Unbind()).ToList(), batchSize: 256, shuffle: shuffle is not null, generator: shuffle),
                new DataLoader(validX.Unbind().Zip(validY.Unbind()).ToList(), batchSize: 256));
    }

    /// <summary>linear1 = xb@weights + bias from init_params(std), trained by hand (p.Data -= p.Grad * lr); the validation accuracy after each epoch.</summary>
    private static List<double> LinearByHand(DataLoader dl, DataLoader validDl, float std, int epochs, double lr = 1.0)
    {
        var g = new Generator(Seed);
        Tensor weights = (Tensor.Randn([28 * 28, 1], g) * std).RequiresGrad();
        Tensor bias = (Tensor.Randn([1], g) * std).RequiresGrad();
        Tensor Linear1(Tensor xb) => xb.MatMul(weights) + bias;
        var accuracies = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var (xb, yb) in dl)
            {
                MnistLoss(Linear1(xb), yb!).Backward();
                foreach (Tensor p in new[] { weights, bias })
                {
                    p.Data -= p.Grad! * (float)lr;
                    p.Grad = null;
                }
            }
            using (Tensor.NoGrad())
                accuracies.Add(Tensor.Stack(validDl.Select(b => BatchAccuracy(Linear1(b.X), b.Y!)).ToList()).Mean().Item());
        }
        return accuracies;
    }

    [Fact]
    public void Chapter4_pixel_similarity_gives_the_books_numbers()
    {
        MnistSample s = Sample.Value;
        Tensor mean3 = s.Threes.Mean(0), mean7 = s.Sevens.Mean(0);
        Tensor a3 = s.Threes[1];
        Assert.Equal(0.1114, (a3 - mean3).Abs().Mean().Item(), 4);
        Assert.Equal(0.2021, (a3 - mean3).Square().Mean().Sqrt().Item(), 4);
        Assert.Equal(0.1586, F.L1Loss(a3, mean7).Item(), 4);
        Assert.Equal(0.3021, F.MseLoss(a3, mean7).Sqrt().Item(), 4);
        Tensor IsThree(Tensor x) => MnistDistance(x, mean3) < MnistDistance(x, mean7);
        float accuracy3s = IsThree(s.Valid3).Float().Mean().Item();
        float accuracy7s = (1f - IsThree(s.Valid7).Float()).Mean().Item();
        Assert.Equal(0.9168, accuracy3s, 4);
        Assert.Equal(0.9854, accuracy7s, 4);
        Assert.Equal(0.9511, (accuracy3s + accuracy7s) / 2, 4);
    }

    [Fact]
    public void Chapter4_linear1_by_hand_passes_96_percent()
    {
        MnistSample s = Sample.Value;
        var (dl, validDl) = Loaders(s.Threes, s.Sevens, s.Valid3, s.Valid7);   // in order, as the book's
        List<double> accuracies = LinearByHand(dl, validDl, std: 1f, epochs: 12);
        Assert.True(accuracies[^1] >= 0.96, $"accuracy after each epoch: {string.Join(" ", accuracies.Select(a => a.ToString("F4")))}");
    }

    [Fact]
    public void Chapter4_simple_net_with_Learner_passes_96_percent_in_eight_epochs()
    {
        MnistSample s = Sample.Value;
        var (dl, validDl) = Loaders(s.Threes, s.Sevens, s.Valid3, s.Valid7);
        var g = new Generator(Seed);
        var simpleNet = Nn.Sequential(Nn.Linear(28 * 28, 30, generator: g), Nn.ReLU(), Nn.Linear(30, 1, generator: g));
        var learn = Learner.Create(new DataLoaders(dl, validDl), simpleNet, opt: Optimizers.Sgd, loss: MnistLoss,
                                   metrics: [new AvgMetric("batch_accuracy", BatchAccuracy)]);
        learn.Output = null;
        learn.Fit(8, lr: 0.1);
        double accuracy = learn.Recorder.Values[^1][2];
        Assert.True(accuracy >= 0.96, $"batch_accuracy {accuracy:F4}");
        Assert.True(learn.Recorder.Values[^1][1] < learn.Recorder.Values[0][1], "the validation loss should fall");
    }

    // ---- Fashion-MNIST: dress (3) vs pullover (2) ----

    private static Tensor OfClass(Tensor images, Tensor labels, long label) => images[labels.Eq(label)].Float() / 255f;

    [Fact]
    public void Fashion_dress_vs_pullover_pixel_similarity_and_linear_model()
    {
        MnistData fashion = Datasets.LoadIdx(Datasets.FashionMnist);
        Tensor dresses = OfClass(fashion.TrainImages, fashion.TrainLabels, 3), pullovers = OfClass(fashion.TrainImages, fashion.TrainLabels, 2);
        Tensor validDresses = OfClass(fashion.TestImages, fashion.TestLabels, 3), validPullovers = OfClass(fashion.TestImages, fashion.TestLabels, 2);
        Assert.Equal([6000, 28, 28], dresses.Shape.ToArray());
        Assert.Equal([1000, 28, 28], validPullovers.Shape.ToArray());

        Tensor meanDress = dresses.Mean(0), meanPullover = pullovers.Mean(0);
        Tensor IsDress(Tensor x) => MnistDistance(x, meanDress) < MnistDistance(x, meanPullover);
        float pixel = (IsDress(validDresses).Float().Mean().Item() + (1f - IsDress(validPullovers).Float()).Mean().Item()) / 2;
        Assert.True(pixel >= 0.90, $"pixel similarity {pixel:F4}");

        // The example's linear model by hand: shuffled batches, init std 0.1, lr 1 (30 epochs there, ~0.97).
        var (dl, validDl) = Loaders(dresses, pullovers, validDresses, validPullovers, shuffle: new Generator(Seed));
        List<double> accuracies = LinearByHand(dl, validDl, std: 0.1f, epochs: 3);
        Assert.True(accuracies[^1] >= 0.96, $"accuracy after each epoch: {string.Join(" ", accuracies.Select(a => a.ToString("F4")))}");
    }

    // ---- seed 004: full MNIST from scratch ----

    private static Tensor StableLogSoftmax(Tensor x)
    {
        Tensor shifted = x - x.Max(1, keepDim: true).Values.Detach();
        return shifted - shifted.Exp().Sum(1, keepDim: true).Log();
    }

    private static Tensor HandCrossEntropy(Tensor logits, Tensor targets) =>
        -StableLogSoftmax(logits).Gather(1, targets.Unsqueeze(1)).Mean();

    private sealed class SimpleNet : Module
    {
        private readonly Linear _hidden, _output;

        public SimpleNet(int inputs, int hidden, int outputs, Generator g)
        {
            _hidden = RegisterModule("hidden", Nn.Linear(inputs, hidden, generator: g));
            _output = RegisterModule("output", Nn.Linear(hidden, outputs, generator: g));
        }

        public override Tensor Forward(Tensor x) => _output.Forward(_hidden.Forward(x).Relu());
    }

    [Fact]
    public void Hand_written_cross_entropy_is_stable_and_matches_the_library()
    {
        Tensor big = Tensor.From(new float[,] { { 1000f, 0f, -5f }, { -3f, 2f, 88.8f } });
        float[] naive = (big - big.Exp().Sum(1, keepDim: true).Log()).ToArray<float>();
        Assert.Contains(naive, v => !float.IsFinite(v));                       // the seed's form overflows
        float[] stable = StableLogSoftmax(big).ToArray<float>(), library = F.LogSoftmax(big, 1).ToArray<float>();
        Assert.All(stable, v => Assert.True(float.IsFinite(v)));
        for (int i = 0; i < stable.Length; i++) Assert.Equal(library[i], stable[i], 3);

        var g = new Generator(Seed);
        Tensor logits = (Tensor.Randn([16, 10], g) * 5f).RequiresGrad();
        Tensor targets = Tensor.Randint(0, 10, [16], g);
        HandCrossEntropy(logits, targets).Backward();
        Tensor handGrad = logits.Grad!;
        logits.Grad = null;
        F.CrossEntropy(logits, targets).Backward();
        Assert.Equal(F.CrossEntropy(logits, targets).Item(), HandCrossEntropy(logits, targets).Item(), 5);
        float gap = (handGrad - logits.Grad!).Abs().Max().Item();
        Assert.True(gap < 1e-6f, $"gradients differ by {gap}");
    }

    [Fact]
    public void Seed_004_subset_trains_with_the_hand_written_cross_entropy()
    {
        MnistData mnist = Datasets.LoadIdx(Datasets.Mnist);
        long[] y = mnist.TrainLabels.ToArray<long>();
        Tensor subset = Tensor.From(Enumerable.Range(0, 10)
            .SelectMany(digit => Enumerable.Range(0, y.Length).Where(i => y[i] == digit).Take(100)).Select(i => (long)i).ToArray());
        Tensor x = mnist.TrainImages[subset].View(-1, 28 * 28).Float() / 255f, labels = mnist.TrainLabels[subset];
        Assert.Equal([1000, 784], x.Shape.ToArray());
        Tensor testX = mnist.TestImages.View(-1, 28 * 28).Float() / 255f;

        var model = new SimpleNet(28 * 28, 30, 10, new Generator(Seed));
        var dl = new DataLoader(new TensorDataset(x, labels), batchSize: 64, shuffle: true, generator: new Generator(Seed));
        List<Tensor> parameters = model.Parameters().ToList();
        var epochLosses = new List<double>();
        for (int epoch = 0; epoch < 5; epoch++)
        {
            double sum = 0;
            foreach (var (xb, yb) in dl)
            {
                Tensor loss = HandCrossEntropy(model.Forward(xb), yb!);
                loss.Backward();
                foreach (Tensor p in parameters)                    // CustomSGD: step, then zero the gradients
                {
                    p.Data -= p.Grad! * 0.1f;
                    p.Grad = null;
                }
                sum += loss.Item();
            }
            epochLosses.Add(sum / dl.Count);
        }
        Assert.All(epochLosses, l => Assert.True(double.IsFinite(l)));
        Assert.True(epochLosses[^1] < epochLosses[0] * 0.5, $"loss per epoch: {string.Join(" ", epochLosses.Select(l => l.ToString("F4")))}");
        double accuracy;
        using (Tensor.NoGrad())
            accuracy = model.Forward(testX).Argmax(1).Eq(mnist.TestLabels).Float().Mean().Item();
        Assert.True(accuracy >= 0.70, $"test accuracy {accuracy:F4} after 5 epochs on 1,000 images");
    }

    // ---- Fashion-MNIST, ten classes, resnet18 (examples/fashion_mnist_resnet18.cs) ----

    [Fact]
    public void Fashion_resnet18_learns_all_ten_classes()
    {
        // The example's pipeline (without its mirroring callback) on the first 3,200 training and 1,000 test images for
        // one epoch: 0.729 here, against 0.10 by chance. The full example's accuracy is in docs/benchmarks.md.
        MnistData fashion = Datasets.LoadIdx(Datasets.FashionMnist);
        static Tensor Images(Tensor pixels) => pixels.Float().Div(255f).Unsqueeze(1);
        var dls = new DataLoaders(
            new DataLoader(new TensorDataset(Images(fashion.TrainImages[..3200]), fashion.TrainLabels[..3200]), batchSize: 64, shuffle: true, generator: new Generator(Seed)),
            new DataLoader(new TensorDataset(Images(fashion.TestImages[..1000]), fashion.TestLabels[..1000]), batchSize: 250),
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);
        var model = SharpGrad.Vision.CnnLearner.CreateModel(SharpGrad.Vision.Arch.Resnet18, 10, inChannels: 1, generator: new Generator(Seed));
        var learn = new Learner(dls, model, F.CrossEntropy, Optimizers.Adam, [Metrics.Accuracy], splitter: SharpGrad.Vision.CnnLearner.Split)
        {
            Output = null, Progress = SharpGrad.Reporting.Reporters.Silent,
        };
        learn.FitOneCycle(1, 1e-2);
        double accuracy = learn.Recorder.Values[^1][2];
        Assert.True(accuracy >= 0.65, $"accuracy {accuracy:F4} after one epoch on 3,200 images (chance: 0.10)");
        Prediction p = learn.Predict(Images(fashion.TestImages[1..2])[0]);
        Assert.Equal(10, p.Probabilities.Numel);
    }

    // ---- the example files themselves ----

    [Fact]
    public void Every_example_names_projects_that_exist()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "SharpGrad.sln"))) root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("SharpGrad.sln not found above the test binaries.");
        string examples = Path.Combine(root, "examples");
        string[] files = Directory.GetFiles(examples, "*.cs");
        Assert.Contains(Path.Combine(examples, "chapter4_mnist_basics.cs"), files);
        Assert.Contains(Path.Combine(examples, "fashion_mnist.cs"), files);
        Assert.Contains(Path.Combine(examples, "mnist_from_scratch.cs"), files);
        foreach (string file in files)
        {
            string[] projects = File.ReadLines(file).Where(l => l.StartsWith("#:project ", StringComparison.Ordinal)).Select(l => l["#:project ".Length..].Trim()).ToArray();
            Assert.NotEmpty(projects);
            Assert.All(projects, p => Assert.True(File.Exists(Path.Combine(examples, p)), $"{Path.GetFileName(file)}: #:project {p} does not exist"));
        }
    }

    /// <summary>Runs <c>dotnet run -c Release examples/NAME</c> from the repository root; returns its standard output and error.</summary>
    private static async Task<(string Output, string Error)> RunFileBasedApp(string name)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "SharpGrad.sln"))) root = Path.GetDirectoryName(root)!;
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new System.Diagnostics.ProcessStartInfo(dotnet, ["run", "-c", "Release", Path.Combine("examples", name)])
        {
            WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(5)), $"the file-based app {name} did not finish");
        string error = await err;
        Assert.True(p.ExitCode == 0, output + error);
        return (output, error);
    }

    [Fact]
    public async Task Export_checkpoints_and_LoadLearner_work_in_a_file_based_app()
    {
        // `dotnet run app.cs` sets the app up for native AOT, with reflection-based JSON off: export, load and
        // checkpoints must not need it (System.Text.Json source generation; the library builds with IsAotCompatible).
        var (output, _) = await RunFileBasedApp("export_and_predict.cs");
        Assert.Matches(@"\(a 3\): predicted 3 \(", output);
        Assert.Matches(@"\(a 7\): predicted 7 \(", output);
    }

    [Fact]
    [Trait("Category", "Device")]
    public async Task The_GPU_example_trains_on_a_device_from_a_file_based_app_and_matches_the_CPU()
    {
        // examples/train_on_gpu.cs references SharpGrad.Cuda (ILGPU, PublishAot=false) and moves a Learner with To;
        // without a GPU it runs the device code on the simulator. Both runs print the same loss and accuracy.
        var (output, _) = await RunFileBasedApp("train_on_gpu.cs");
        var runs = System.Text.RegularExpressions.Regex.Matches(output, @"^(cpu|cuda:0): valid loss ([\d.]+), accuracy ([\d.]+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.Equal(2, runs.Count);
        Assert.Equal(runs[0].Groups[2].Value, runs[1].Groups[2].Value);
        Assert.Equal(runs[0].Groups[3].Value, runs[1].Groups[3].Value);
        var gap = System.Text.RegularExpressions.Regex.Match(output, @"largest weight difference between the two runs: (\S+)");
        Assert.True(gap.Success && double.Parse(gap.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < 1e-4, output);
    }

    [Fact]
    public async Task Deploy_onnx_example_predicts_the_same_in_OnnxRuntime()
    {
        // examples/deploy_onnx.cs: trains, exports with learn.ExportOnnx, runs the file with ONNX Runtime alone, then
        // imports it back and writes the run's HTML report, all in a file-based app.
        var (output, error) = await RunFileBasedApp("deploy_onnx.cs");
        var rows = System.Text.RegularExpressions.Regex.Matches(output, @"^(\d+\.png)\s+(\d) \(([\d.]+ %)\)\s+(\d) \(([\d.]+ %)\)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.Equal(6, rows.Count);
        foreach (System.Text.RegularExpressions.Match row in rows)
        {
            Assert.Equal(row.Groups[2].Value, row.Groups[4].Value); // the same class in SharpGrad and ONNX Runtime
            Assert.Equal(row.Groups[3].Value, row.Groups[5].Value); // and the same probability, to the printed digit
        }
        Assert.Contains("float32 [batch, 1, 28, 28]", output);
        Assert.Matches(@"imported back: 1020\.png predicted 3", output);
        Assert.Matches(@"report: \d+ KB", output);
        Assert.DoesNotContain("VerifyOutputSizes", error + output);
    }
}
