using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.Vision;

namespace SharpGrad.Benchmarks;

/// <summary>
/// One epoch of fastai's <c>cnn_learner(dls, resnet18).fit_one_cycle(1, 0.1)</c> on mnist-sample (3x28x28, bs 64,
/// Adam, cross entropy, accuracy) — what <c>sharpgrad train mnist-sample --arch resnet18 --one-cycle --epochs 1</c>
/// runs — beside PyTorch + torchvision doing the same (benchmarks/peers/train_resnet18.py).
/// <para>
/// Both sides run as fresh child processes, ours as this benchmark's own binary with <c>--worker resnet18</c>, so each
/// side's peak resident set is its own (a process's peak cannot be reset, and the parent has already paid for other
/// suites, its JIT and its data) and each epoch starts cold, as a user's one-epoch run does. An epoch takes a minute or
/// more here, so the default is one round (ours, then the peer); <c>--rounds=N</c> runs N alternating rounds and
/// reports medians. Rows: the epoch (training + validation pass), each pass, the accuracy after it, the peak memory.
/// With <c>--device=cuda</c> both sides train on the GPU (the rows say so; the memory row is still the host's).
/// </para>
/// </summary>
internal static class TrainResnet18Suite
{
    /// <summary>The training pass's work: 12,352 images × 3 × 68.5 MFLOP (resnet18 forward on 3x28x28; backward ≈ 2× forward).</summary>
    private const double TrainTflop = 12_352 * 3 * 68.5e6 / 1e12;

    public static IReadOnlyList<Row> Run()
    {
        int rounds = RoundsArg();
        string path = Datasets.Get(Datasets.MnistSample);
        var ours = new List<EpochResult>();
        var peer = new List<EpochResult>();
        for (int round = 0; round < rounds; round++)
        {
            if (Child.Run(ChildProcess.Self(["--worker", "resnet18", "1", "0.1", .. BenchDevice.WorkerArgs]), "SharpGrad worker", "the SharpGrad worker failed") is { } o) ours.Add(o);
            if (Child.Run((PythonPeer.Python, [Path.Combine(Repo.Root, "benchmarks", "peers", "train_resnet18.py"), path, "1", "0.1", .. BenchDevice.PeerArgs]), "PyTorch peer",
                          "warning: the PyTorch peer (python3-torch + python3-torchvision) failed, reporting it as n/a; install it with --install-peers") is { } p)
                peer.Add(p);
        }
        Console.Error.WriteLine($"train-resnet18: each round (epoch s, train s, valid s, accuracy, peak MB): ours {Describe(ours)}; PyTorch {Describe(peer)}");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train-resnet18: effective training GFLOP/s ({TrainTflop:F2} TFLOP per training pass): ours {TrainTflop * 1e3 / Median(ours, r => r.TrainS):F1}, PyTorch {TrainTflop * 1e3 / Median(peer, r => r.TrainS):F1}"));

        return
        [
            new Row($"resnet18 1cycle epoch (train + valid){BenchDevice.Suffix}, s", Median(ours, r => r.Seconds), Median(peer, r => r.Seconds), "s", "PyTorch"),
            new Row($"train pass{BenchDevice.Suffix}, s", Median(ours, r => r.TrainS), Median(peer, r => r.TrainS), "s", "PyTorch"),
            new Row($"valid pass{BenchDevice.Suffix}, s", Median(ours, r => r.ValidS), Median(peer, r => r.ValidS), "s", "PyTorch"),
            new Row($"accuracy{BenchDevice.Suffix}", Median(ours, r => r.Accuracy), Median(peer, r => r.Accuracy), "accuracy", "PyTorch"),
            new Row($"peak host memory{BenchDevice.Suffix}, MB", Median(ours, r => r.PeakMb), Median(peer, r => r.PeakMb), "MB", "PyTorch"),
        ];
    }

    /// <summary>
    /// The child process's side (<c>--worker resnet18</c>): exactly the CLI's resnet18 one-cycle run, timed with a
    /// callback; prints one JSON line like the peer's. Peak memory is this process's VmHWM, data loading included (as
    /// the peer's ru_maxrss includes its data and the PyTorch runtime).
    /// </summary>
    public static int Worker(string[] args)
    {
        int epochs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        double lr = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0.1;
        Tensor.ManualSeed(42);
        DataLoaders dls = ImageDataLoaders.FromFolder(Datasets.Get(Datasets.MnistSample), bs: 64);
        Learner learn = CnnLearner.Create(dls, Arch.Resnet18, metrics: [Metrics.Accuracy]);
        learn.Output = null;
        if (BenchDevice.IsGpu) learn.To(BenchDevice.Current);
        double loadedMb = PeakRssMb();
        var timer = new PassTimer();
        learn.FitOneCycle(epochs, lr, cbs: [timer]);
        double[] last = learn.Recorder.Values[^1];
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"worker: train_loss {last[0]:F4} valid_loss {last[1]:F4} accuracy {last[2]:F4} ({timer.TrainS:F1} s + {timer.ValidS:F1} s); peak RSS {loadedMb:F0} MB before training, {PeakRssMb():F0} MB after; GC: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections (gen 0/1/2), {GC.GetTotalAllocatedBytes() / 1e9:F1} GB allocated, {GC.GetTotalPauseDuration().TotalSeconds:F1} s paused"));
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
        {
            ["seconds"] = timer.TrainS + timer.ValidS,
            ["train_s"] = timer.TrainS,
            ["valid_s"] = timer.ValidS,
            ["accuracy"] = last[2],
            ["valid_loss"] = last[1],
            ["train_loss"] = last[0],
            ["peak_rss_mb"] = PeakRssMb(),
        }));
        return 0;
    }

    /// <summary>This process's peak resident set (VmHWM in /proc/self/status), in MB; the .NET figure where there is no /proc.</summary>
    private static double PeakRssMb()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException) { }
        using Process self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary><c>--rounds=N</c> on the command line (default 1).</summary>
    private static int RoundsArg()
    {
        foreach (string a in Environment.GetCommandLineArgs())
            if (a.StartsWith("--rounds=", StringComparison.Ordinal) && int.TryParse(a["--rounds=".Length..], out int n) && n > 0)
                return n;
        return 1;
    }

    /// <summary>One epoch of one side: seconds for each pass, the accuracy after it, the process's peak memory.</summary>
    private sealed record EpochResult(double TrainS, double ValidS, double Accuracy, double PeakMb)
    {
        public double Seconds => TrainS + ValidS;
    }

    private static double Median(List<EpochResult> results, Func<EpochResult, double> f) => Stats.Median(results.Select(f));

    private static string Describe(List<EpochResult> results) => results.Count == 0
        ? "n/a"
        : string.Join(", ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"({r.Seconds:F1}, {r.TrainS:F1}, {r.ValidS:F1}, {r.Accuracy:F4}, {r.PeakMb:F0})")));

    /// <summary>Times the last epoch's training and validation pass (from before the first batch to after the last).</summary>
    private sealed class PassTimer : Callback
    {
        private long _start, _trainEnd;

        public double TrainS { get; private set; } = double.NaN;

        public double ValidS { get; private set; } = double.NaN;

        public override void BeforeTrain() => _start = Stopwatch.GetTimestamp();

        public override void AfterTrain() => _trainEnd = Stopwatch.GetTimestamp();

        public override void AfterValidate()
        {
            long end = Stopwatch.GetTimestamp();
            TrainS = Stopwatch.GetElapsedTime(_start, _trainEnd).TotalSeconds;
            ValidS = Stopwatch.GetElapsedTime(_trainEnd, end).TotalSeconds;
        }
    }

    /// <summary>Runs one side as a child process and reads the JSON line it prints last.</summary>
    private static class Child
    {
        public static EpochResult? Run((string File, string[] Args) command, string who, string failure)
        {
            if (ChildProcess.RunJson(command.File, command.Args, who, failure) is not { } root) return null;
            double Get(string name) => root.GetProperty(name).GetDouble();
            return new EpochResult(Get("train_s"), Get("valid_s"), Get("accuracy"), Get("peak_rss_mb"));
        }
    }
}
