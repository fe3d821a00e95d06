using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpGrad.IO.Onnx;
using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.Benchmarks;

/// <summary>
/// resnet18 with fastai's head (10 classes, eval mode) exported by SharpGrad's tracer and run by ONNX Runtime 1.32
/// (CPU provider, 2 intra-op threads that do not spin when idle, all graph optimisations) against SharpGrad running
/// the same model, at 28x28 and 224x224, batch 1 and 64, ms per batch (median; the two sides alternate within each
/// repetition, so a noisy moment hits both). At batch 64 SharpGrad also runs the exported file through its importer (OnnxImport).
/// </summary>
internal static class OnnxSuite
{
    public static IReadOnlyList<Row> Run()
    {
        var rows = new List<Row>();
        Sequential model = CnnLearner.CreateModel(Arch.Resnet18, 10, generator: new Generator(1));
        model.Eval();
        foreach (int size in new[] { 28, 224 })
        {
            byte[] onnx = OnnxExport.ToBytes(model, Tensor.Rand(2, 3, size, size));
            OnnxModel imported = OnnxImport.Load(onnx);
            imported.Eval();
            using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            // No spinning after a run: ONNX Runtime's idle intra-op threads otherwise spin on both cores into our next
            // run. Alternated with spinning on, resnet18 28x28 batch 64 measured 33 ms ours vs 15.3 ONNX Runtime; with it
            // off 17.8 vs 15.7 (ONNX Runtime's own time unchanged: 1.26 vs 1.24 ms at batch 1, within noise at 224x224).
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            using var session = new InferenceSession(onnx, options);
            foreach (int batch in new[] { 1, 64 })
            {
                Tensor x = Tensor.Rand([batch, 3, size, size], new Generator(2));
                var input = new DenseTensor<float>(x.ToArray<float>(), [batch, 3, size, size]);
                int reps = size == 224 && batch == 64 ? 3 : batch == 64 ? 7 : 21;
                var (ours, peer) = Alternate(() => Forward(model, x), () =>
                {
                    using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
                }, reps);
                rows.Add(new Row($"resnet18 {size}x{size} batch {batch}, ms", ours, peer, "ms", "ONNX Runtime"));
                if (batch == 64)
                {
                    var (viaImport, peer2) = Alternate(() => Forward(imported, x), () =>
                    {
                        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
                    }, reps);
                    rows.Add(new Row($"resnet18 {size}x{size} batch {batch}, SharpGrad running the imported .onnx, ms", viaImport, peer2, "ms", "ONNX Runtime"));
                }
            }
        }
        return rows;
    }

    private static void Forward(Module m, Tensor x)
    {
        using var scope = new TensorScope();
        using (Tensor.NoGrad()) m.Forward(x);
    }

    /// <summary>
    /// Median ms of each side, run alternately after each is warmed up for 2 s (at least 3 calls, at most 300). One
    /// warm-up call measured the JIT's tiering, not the code: resnet18 at 28x28 batch 64 took a median 31-34 ms over
    /// its first 20 calls and 16 ms after 100, its calls 2-3x slower whenever the JIT's background thread compiled
    /// (one of the 2 cores) during the first ~100 calls. ONNX Runtime is native code.
    /// </summary>
    private static (double Ours, double Peer) Alternate(Action ours, Action peer, int reps)
    {
        WarmUp(ours);
        WarmUp(peer);
        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            ours();
            a.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            t0 = Stopwatch.GetTimestamp();
            peer();
            b.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        a.Sort();
        b.Sort();
        return (a[reps / 2], b[reps / 2]);
    }

    private static void WarmUp(Action run)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 300 && (i < 3 || Stopwatch.GetElapsedTime(t0).TotalSeconds < 2); i++) run();
    }
}
