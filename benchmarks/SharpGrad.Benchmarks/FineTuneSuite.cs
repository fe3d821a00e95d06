using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.Benchmarks;

/// <summary>
/// fastai's vision_learner(resnet18) at 224x224, side by side with PyTorch + torchvision (benchmarks/peers/fine_tune.py):
/// a training step with the body frozen (conv weights frozen, batch norms training: fastai's train_bn) and a full
/// training step at batch 32, and batch-64 inference, in ms per batch; GFLOP/s of the convolutions and the fraction of
/// this machine's FMA peak (2 cores x 2 FMA units x 16 floats x 2 FLOP x clock, measured on the GEMM). Then the input
/// pipeline: images/s of decoding a folder of JPEGs with RandomResizedCrop(224) and flip/augmentation in batches of
/// 64, against torchvision's ImageFolder + RandomResizedCrop + DataLoader(num_workers=2). Both use torchvision's
/// resnet18 layout ([2, 2, 2, 2]) with random weights: speed does not depend on the weights' values.
/// </summary>
internal static class FineTuneSuite
{
    private const int Size = 224, TrainBatch = 32, InferBatch = 64, Images = 256;

    public static IReadOnlyList<Row> Run()
    {
        var rows = new List<Row>();
        (double frozen, double full, double infer) = Steps();
        // Both sides' whole-process peak resident memory after the same three measurements (the peer reports ru_maxrss).
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
        JsonElement? peer = PythonPeer.Run("fine_tune.py", ["steps"], "the PyTorch fine-tune peer");
        double P(string key) => peer is { } p ? p.GetProperty(key).GetDouble() : double.NaN;
        double fwd = ForwardGflop(); // per image
        rows.Add(new Row("frozen-body train step (bs 32) ms", frozen, P("frozen_ms"), "ms", "PyTorch"));
        rows.Add(new Row("full train step (bs 32) ms", full, P("full_ms"), "ms", "PyTorch"));
        rows.Add(new Row("inference (bs 64) ms", infer, P("infer_ms"), "ms", "PyTorch"));
        rows.Add(new Row("peak memory of the process after the steps, MB", peakMb, P("peak_rss_mb"), "MB", "PyTorch"));
        // The goal's measurement: each side alone in a fresh process, three full steps.
        (string self, string[] selfArgs) = ChildProcess.Self("--worker", "fine-tune-memory");
        JsonElement? ours = ChildProcess.RunJson(self, selfArgs, "SharpGrad's memory worker", "warning: the worker failed");
        JsonElement? theirs = PythonPeer.Run("fine_tune.py", ["memory"], "the PyTorch memory peer");
        rows.Add(new Row("peak memory of 3 full train steps (bs 32), fresh process, MB", ours?.GetProperty("peak_mb").GetDouble() ?? double.NaN,
            theirs?.GetProperty("peak_mb").GetDouble() ?? double.NaN, "MB", "PyTorch"));
        // FLOPs: a forward pass, plus the input gradient (frozen) or the input and weight gradients (full).
        rows.Add(new Row("frozen-body train step GFLOP/s", 2 * fwd * TrainBatch / (frozen / 1000), 2 * fwd * TrainBatch / (P("frozen_ms") / 1000), "GFLOP/s", "PyTorch"));
        rows.Add(new Row("full train step GFLOP/s", 3 * fwd * TrainBatch / (full / 1000), 3 * fwd * TrainBatch / (P("full_ms") / 1000), "GFLOP/s", "PyTorch"));
        rows.Add(new Row("inference GFLOP/s", fwd * InferBatch / (infer / 1000), fwd * InferBatch / (P("infer_ms") / 1000), "GFLOP/s", "PyTorch"));
        string folder = JpegFolder();
        try
        {
            double withAug = PipelineImagesPerSecond(folder, [new AugTransforms()]);
            double flipOnly = PipelineImagesPerSecond(folder, [new AugTransforms(maxRotate: 0, maxZoom: 1, maxLighting: 0, maxWarp: 0)]);
            JsonElement? p = PythonPeer.Run("fine_tune.py", ["pipeline", folder], "the torchvision pipeline peer");
            double torchvision = p is { } e ? e.GetProperty("images_per_s").GetDouble() : double.NaN;
            rows.Add(new Row("JPEG decode + RandomResizedCrop(224) + aug_transforms, images/s", withAug, torchvision, "images/s", "torchvision"));
            rows.Add(new Row("JPEG decode + RandomResizedCrop(224) + flip (same work as the peer), images/s", flipOnly, torchvision, "images/s", "torchvision"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return rows;
    }

    /// <summary>
    /// The memory worker (<c>--worker fine-tune-memory</c>): three full training steps at batch 32 through
    /// <c>Learner.Fit</c>, as users train (three epochs of one batch, each with a one-batch validation), then the process's
    /// peak in MB. The peer holds its one batch too. <c>SHARPGRAD_KEEP_ACTIVATIONS=1</c> turns
    /// <see cref="Learner.FreeActivationsInBackward"/> off, to measure what it saves.
    /// </summary>
    public static int MemoryWorker()
    {
        var g = new Generator(0);
        Tensor x = Tensor.Rand([TrainBatch, 3, Size, Size], g), y = Tensor.Randint(0, 2, [TrainBatch], g);
        var data = new TensorDataset(x, y);
        var dls = new DataLoaders(new DataLoader(data, TrainBatch), new DataLoader(data, TrainBatch), ["a", "b"]);
        Learner learn = VisionLearner.Create(dls, Arch.Resnet18, pretrained: false, generator: new Generator(1));
        learn.Output = null;
        learn.FreeActivationsInBackward = Environment.GetEnvironmentVariable("SHARPGRAD_KEEP_ACTIVATIONS") is null;
        learn.Fit(3, lr: 1e-3);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double> { ["peak_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6 }));
        return 0;
    }

    /// <summary>Median ms of a frozen-body step, a full step (bs 32) and an inference batch (bs 64).</summary>
    private static (double Frozen, double Full, double Infer) Steps()
    {
        var g = new Generator(0);
        Tensor x = Tensor.Rand([TrainBatch, 3, Size, Size], g), y = Tensor.Randint(0, 2, [TrainBatch], g);
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), TrainBatch), new DataLoader(new TensorDataset(x, y), TrainBatch), ["a", "b"]);
        double Step(bool freeze)
        {
            Learner learn = VisionLearner.Create(dls, Arch.Resnet18, pretrained: false, generator: new Generator(1));
            if (freeze) learn.Freeze();
            if (learn.Opt is null) learn.CreateOpt();
            learn.Model.Train();
            return MedianMs(() =>
            {
                using var scope = new TensorScope();
                Tensor loss = F.CrossEntropy(learn.Model.Forward(x), y);
                loss.Backward();
                learn.Opt!.Step();
                learn.Opt.ZeroGrad(setToNone: false);
            }, warmup: 2, reps: 5);
        }
        double frozen = Step(true), full = Step(false);
        Sequential model = CnnLearner.CreateModel(Arch.Resnet18, 2, generator: new Generator(2));
        model.Eval();
        Tensor xi = Tensor.Rand([InferBatch, 3, Size, Size], g);
        double infer = MedianMs(() =>
        {
            using var scope = new TensorScope();
            using (Tensor.NoGrad()) model.Forward(xi);
        }, warmup: 1, reps: 3);
        return (frozen, full, infer);
    }

    private static double MedianMs(Action run, int warmup, int reps)
    {
        for (int i = 0; i < warmup; i++) run();
        var times = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>GFLOP of one 224x224 image through resnet18's convolutions and fc-free body (2 FLOP per multiply-add).</summary>
    private static double ForwardGflop()
    {
        double total = 0;
        int h = Size;
        void Conv(int c, int oc, int k, int stride, int pad, ref int size)
        {
            int o = (size + 2 * pad - k) / stride + 1;
            total += 2.0 * oc * o * o * c * k * k;
            size = o;
        }
        Conv(3, 64, 7, 2, 3, ref h);
        h = (h + 2 - 3) / 2 + 1; // max pool
        int c = 64;
        foreach ((int width, int stride) in new[] { (64, 1), (128, 2), (256, 2), (512, 2) })
            for (int b = 0; b < 2; b++)
            {
                int s = b == 0 ? stride : 1, hin = h;
                Conv(c, width, 3, s, 1, ref h);
                int h2 = h;
                Conv(width, width, 3, 1, 1, ref h2);
                if (s != 1 || c != width) { int hd = hin; Conv(c, width, 1, s, 0, ref hd); }
                c = width;
            }
        return total / 1e9;
    }

    /// <summary>A folder of <see cref="Images"/> 500x375 photo-like JPEGs in two classes, written by PIL.</summary>
    private static string JpegFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"sharpgrad-bench-jpegs-{Environment.ProcessId}");
        string script = $$"""
            import numpy as np, os
            from PIL import Image
            r = np.random.default_rng(0)
            y, x = np.mgrid[0:375, 0:500]
            for i in range({{Images}}):
                d = os.path.join(r"{{folder}}", "ab"[i % 2]); os.makedirs(d, exist_ok=True)
                a = np.stack([120 + 90*np.sin(x/(20+i%7)), 100 + 80*np.cos(y/(15+i%5)), 60 + 0.3*x], -1) + r.normal(0, 8, (375, 500, 3))
                Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(os.path.join(d, f"{i}.jpg"), quality=90)
            """;
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-c", script]) { UseShellExecute = false };
        using Process p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("could not write the benchmark JPEGs (needs python3-pil and python3-numpy: --install-peers)");
        return folder;
    }

    /// <summary>
    /// Median images/s of three training passes over the folder (decode, RandomResizedCrop(224), the batch transforms,
    /// batch 64) after three warm-up passes: a long run's steady state. The first ~500 images of a process run up to
    /// twice as slow (fresh pages for the first batches' buffers, the JIT's first tier), a second or two of any real run.
    /// </summary>
    private static double PipelineImagesPerSecond(string folder, IReadOnlyList<BatchTransform> batchTfms)
    {
        // As the Learner takes batches: each collated inside its own TensorScope, so its memory is reused by the next
        // (a fresh 38 MB batch each time made some passes fault ~28,000 pages back in and run at half speed).
        static int Pass(DataLoader dl)
        {
            int n = 0;
            using IEnumerator<Batch> batches = dl.GetEnumerator();
            while (true)
            {
                using var scope = new TensorScope();
                if (!batches.MoveNext()) return n;
                n += batches.Current.Count;
            }
        }

        DataLoaders dls = ImageDataLoaders.FromFolder(folder, bs: InferBatch, validPct: 0.01, itemTfms: new RandomResizedCrop(Size), batchTfms: batchTfms);
        for (int warmup = 0; warmup < 3; warmup++) Pass(dls.Train);
        var rates = new List<double>();
        for (int pass = 0; pass < 3; pass++)
        {
            long t0 = Stopwatch.GetTimestamp();
            int n = Pass(dls.Train);
            rates.Add(n / Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        rates.Sort();
        return rates[1];
    }
}
