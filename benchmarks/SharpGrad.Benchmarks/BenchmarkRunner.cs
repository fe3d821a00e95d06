namespace SharpGrad.Benchmarks;

/// <summary>
/// Runs a named suite (<c>gemm</c>, …) that times SharpGrad and a peer side by side in one process and prints a
/// table, or with <c>--json</c> one JSON object per row. A hand-rolled harness rather than BenchmarkDotNet: the
/// peers are native libraries and other processes, and each row must interleave ours and theirs on a noisy machine.
/// </summary>
internal static class BenchmarkRunner
{
    private static readonly Dictionary<string, (string Help, Func<IReadOnlyList<Row>> Run)> Suites = new()
    {
        ["gemm"] = ("GFLOP/s of the packed GEMM vs OpenBLAS cblas_sgemm (2 threads): squares and chapter-4 shapes", GemmSuite.Run),
        ["conv"] = ("GFLOP/s of each kind of resnet18 convolution on 28x28 images (batch 64), forward and forward+backward, vs PyTorch (2 threads)", ConvSuite.Run),
        ["load"] = ("mnist-sample's 14,434 PNGs into tensors, and DataLoader batches/s, vs PIL + PyTorch (--install-peers installs python3-torch)", LoadSuite.Run),
        ["mlp-step"] = ("µs and bytes per training step of the 784-30-1 MLP (bs 256): eager, in a TensorScope, and replayed by a CapturedGraph, vs PyTorch's eager step", MlpStepSuite.Run),
        ["train-mlp"] = ("ms per epoch of chapter 4's simple_net in Learner.Fit on mnist-sample (bs 256, SGD), and its accuracy after 40 epochs, vs PyTorch; --device=cuda on a GPU", TrainMlpSuite.Run),
        ["fine-tune"] = ("resnet18 at 224x224: frozen-body and full training steps (bs 32) and inference (bs 64) in ms, GFLOP/s; JPEG decode + RandomResizedCrop + augmentation images/s; vs PyTorch + torchvision", FineTuneSuite.Run),
        ["onnx"] = ("resnet18 (fastai head) inference at 28x28 and 224x224, batch 1 and 64, ms per batch: SharpGrad vs ONNX Runtime (CPU, 2 threads) on the exported model, and SharpGrad running the imported file", OnnxSuite.Run),
        ["train-resnet18"] = ("one epoch of cnn_learner(resnet18).fit_one_cycle(1, 0.1) on mnist-sample (bs 64, Adam): seconds, accuracy, peak memory, vs PyTorch + torchvision; --rounds=N (default 1); --device=cuda on a GPU", TrainResnet18Suite.Run),
        ["gpu-gemm"] = ("GFLOP/s of the device GEMM on squares 1024-8192 (--sizes=N,...) vs cuBLAS (torch.matmul, fp32, TF32 off); needs --device=cuda", GpuGemmSuite.Run),
    };

    public static int Run(string[] args)
    {
        if (BenchDevice.Open(args) is { } unusable)
        {
            Console.Error.WriteLine(unusable);
            return 2;
        }
        if (args is ["--worker", "resnet18", ..]) return TrainResnet18Suite.Worker(args); // train-resnet18's own side, in a child process
        if (args is ["--worker", "fine-tune-memory", ..]) return FineTuneSuite.MemoryWorker(); // fine-tune's memory row, in a fresh process
        bool json = args.Contains("--json");
        // Debian's python3-torch does its matrix products through whichever libblas.so.3 is installed: without
        // OpenBLAS that is the reference BLAS, ~30x slower on the MLP's products, which would make a straw-man peer.
        if (args.Contains("--install-peers")) Apt.Install("python3-torch", "python3-torchvision", "python3-pil", "python3-numpy", "libopenblas0-pthread");
        string[] names = args.Where(a => !a.StartsWith("--")).ToArray();
        if (names.Length == 0 || names.Any(n => !Suites.ContainsKey(n)))
        {
            Console.Error.WriteLine("usage: SharpGrad.Benchmarks SUITE... [--json] [--install-peers] [--rounds=N] [--device=cuda[:N]]");
            foreach (var (name, suite) in Suites) Console.Error.WriteLine($"  {name,-14} {suite.Help}");
            return names.Length == 0 ? 0 : 2;
        }
        foreach (string name in names)
        {
            IReadOnlyList<Row> rows;
            try
            {
                rows = Suites[name].Run();
            }
            catch (InvalidOperationException e) when (e.Message.StartsWith(name, StringComparison.Ordinal))
            {
                Console.Error.WriteLine(e.Message); // a suite that cannot run here says why in one line
                return 2;
            }
            if (json) foreach (Row r in rows) Console.WriteLine(r.ToJson());
            else Row.PrintTable(name, rows);
        }
        return 0;
    }
}
