using System.Diagnostics;
using System.Text.Json;
using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Benchmarks;

/// <summary>
/// Chapter 4's simple_net trained with <see cref="Learner.Fit"/> on mnist-sample (bs 256, plain SGD at lr 0.1, the
/// seed's mnist_loss, batch_accuracy on the validation set after every epoch), beside PyTorch running the same loop
/// (benchmarks/peers/train_mlp.py). Each round trains a fresh model for 40 epochs on each side, ours then the peer's;
/// the first <see cref="Warmup"/> epochs of a round are not timed. Rows: the median epoch, its training and validation
/// passes, and the batch_accuracy after 40 epochs (median over the rounds). With <c>--device=cuda</c> both sides train
/// on the GPU.
/// </summary>
internal static class TrainMlpSuite
{
    private const int Epochs = 40;
    private const int Warmup = 2;
    private const int Rounds = 3;

    public static IReadOnlyList<Row> Run()
    {
        string path = Datasets.Get(Datasets.MnistSample);
        DataLoaders dls = ImageDataLoaders.FromFolder(path, bs: 256, channels: 1);
        Train(dls, Warmup + 1); // warm-up: JIT, tiering and the worker pool

        var ours = new Timings();
        var peer = new Timings();
        for (int round = 0; round < Rounds; round++)
        {
            ours.Add(Train(dls, Epochs));
            if (Peer.Run(path, Epochs, Warmup) is { } theirs) peer.Add(theirs);
        }
        Console.Error.WriteLine($"train-mlp: batch_accuracy after {Epochs} epochs, each round: ours {ours.Accuracies}, PyTorch {peer.Accuracies}");

        return
        [
            new Row($"simple_net epoch (train and valid){BenchDevice.Suffix}", ours.Median(t => t.Epoch), peer.Median(t => t.Epoch), "ms/epoch", "PyTorch"),
            new Row($"simple_net train pass (48 batches){BenchDevice.Suffix}", ours.Median(t => t.Train), peer.Median(t => t.Train), "ms/epoch", "PyTorch"),
            new Row($"simple_net valid pass (8 batches){BenchDevice.Suffix}", ours.Median(t => t.Valid), peer.Median(t => t.Valid), "ms/epoch", "PyTorch"),
            new Row($"simple_net {Epochs} epochs batch_accuracy{BenchDevice.Suffix}", ours.MedianAccuracy, peer.MedianAccuracy, "accuracy", "PyTorch"),
        ];
    }

    /// <summary>One epoch's passes, in milliseconds.</summary>
    private readonly record struct EpochTime(double Train, double Valid)
    {
        public double Epoch => Train + Valid;
    }

    /// <summary>One run: the timed epochs and the final batch_accuracy.</summary>
    private sealed record RunResult(IReadOnlyList<EpochTime> Epochs, double Accuracy);

    private sealed class Timings
    {
        private readonly List<EpochTime> _epochs = [];
        private readonly List<double> _accuracies = [];

        public void Add(RunResult r)
        {
            _epochs.AddRange(r.Epochs);
            _accuracies.Add(r.Accuracy);
        }

        public double Median(Func<EpochTime, double> f) => Stats.Median(_epochs.Select(f));

        public double MedianAccuracy => Stats.Median(_accuracies);

        public string Accuracies => _accuracies.Count == 0 ? "n/a" : string.Join(" ", _accuracies.Select(a => a.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static Tensor MnistLoss(Tensor predictions, Tensor targets)
    {
        Tensor p = predictions.Sigmoid();
        Tensor t = targets.Reshape(p.Shape.ToArray());
        if (!p.IsOnDevice) return Tensor.Where(t.Eq(1f), p.RSub(1f), p).Mean();
        Tensor m = t.Eq(1f).Float().To(p.Device); // the labels stay on the CPU: the same choice as a 0/1 blend there
        return (m * p.RSub(1f) + m.RSub(1f) * p).Mean();
    }

    /// <summary>Trains a fresh simple_net for <paramref name="epochs"/> epochs, exactly as a user would, timing each pass.</summary>
    private static RunResult Train(DataLoaders dls, int epochs)
    {
        var net = Nn.Sequential(Nn.Flatten(), Nn.Linear(28 * 28, 30), Nn.ReLU(), Nn.Linear(30, 1));
        var learn = new Learner(dls, net, MnistLoss, Optimizers.Sgd, [Metrics.BatchAccuracy]) { Output = null };
        if (BenchDevice.IsGpu) learn.To(BenchDevice.Current);
        var timer = new PassTimer();
        learn.Fit(epochs, lr: 0.1, cbs: [timer]);
        return new RunResult(timer.Epochs.Skip(Warmup).ToList(), learn.Recorder.Values[^1][2]);
    }

    /// <summary>Times the training and validation pass of every epoch (from before the first batch to after the last).</summary>
    private sealed class PassTimer : Callback
    {
        private long _start, _trainEnd;

        public List<EpochTime> Epochs { get; } = [];

        public override void BeforeTrain() => _start = Stopwatch.GetTimestamp();

        public override void AfterTrain() => _trainEnd = Stopwatch.GetTimestamp();

        public override void AfterValidate()
        {
            long end = Stopwatch.GetTimestamp();
            Epochs.Add(new EpochTime(Stopwatch.GetElapsedTime(_start, _trainEnd).TotalMilliseconds, Stopwatch.GetElapsedTime(_trainEnd, end).TotalMilliseconds));
        }
    }

    /// <summary>The PyTorch peer, run as a separate process (loading the PNGs is not timed).</summary>
    private static class Peer
    {
        public static RunResult? Run(string path, int epochs, int warmup)
        {
            if (PythonPeer.Run("train_mlp.py", [path, epochs.ToString(), warmup.ToString(), .. BenchDevice.PeerArgs], "the PyTorch peer") is not { } root) return null;
            double[] train = root.GetProperty("train_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] valid = root.GetProperty("valid_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            return new RunResult(train.Zip(valid, (t, v) => new EpochTime(t, v)).ToList(), root.GetProperty("accuracy").GetDouble());
        }
    }
}
