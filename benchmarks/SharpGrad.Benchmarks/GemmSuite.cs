using System.Diagnostics;
using SharpGrad.Kernels;

namespace SharpGrad.Benchmarks;

/// <summary>GFLOP/s of <see cref="Gemm"/> beside OpenBLAS on the same buffers, ours and theirs interleaved.</summary>
internal static unsafe class GemmSuite
{
    private sealed record Case(string Name, int M, int N, int K, bool TransA, bool TransB);

    private static readonly Case[] Cases =
    [
        new("square 256", 256, 256, 256, false, false),
        new("square 512", 512, 512, 512, false, false),
        new("square 1024", 1024, 1024, 1024, false, false),
        new("square 2048", 2048, 2048, 2048, false, false),
        // simple_net on a 256 batch: forward x·W, backward xᵀ·g (dW) and g·Wᵀ (dx)
        new("mlp fwd 256x784 . 784x30", 256, 30, 784, false, false),
        new("mlp fwd 256x784 . (30x784)T [Linear]", 256, 30, 784, false, true),
        new("mlp dW (256x784)T . 256x30", 784, 30, 256, true, false),
        new("mlp dW (256x30)T . 256x784 [Linear]", 30, 784, 256, true, false),
        new("mlp dX 256x30 . (784x30)T", 256, 784, 30, false, true),
        new("mlp dX 256x30 . 30x784 [Linear]", 256, 784, 30, false, false),
        // resnet18 on 64 images lowered to GEMM (im2col rows = output pixels)
        new("conv1 12544x147 . 147x64", 12544, 64, 147, false, false),
        new("conv1 dW (12544x147)T . 12544x64", 147, 64, 12544, true, false),
        new("conv1 dX 12544x64 . (147x64)T", 12544, 147, 64, false, true),
        new("layer3 1024x1152 . 1152x256", 1024, 256, 1152, false, false),
        new("layer3 dW (1024x1152)T . 1024x256", 1152, 256, 1024, true, false),
        new("layer3 dX 1024x256 . (1152x256)T", 1024, 1152, 256, false, true),
    ];

    public static IReadOnlyList<Row> Run()
    {
        int threads = Parallelism.Threads;
        if (!OpenBlas.TryLoad(threads)) throw new InvalidOperationException(OpenBlas.LoadError);
        var rows = new List<Row>();
        foreach (Case c in Cases)
        {
            var g = new Generator(1);
            float[] a = Tensor.Randn([c.M * c.K], g).ToArray<float>(), b = Tensor.Randn([c.K * c.N], g).ToArray<float>();
            float[] ours = new float[c.M * c.N], theirs = new float[c.M * c.N];
            int rsA = c.TransA ? 1 : c.K, csA = c.TransA ? c.M : 1, rsB = c.TransB ? 1 : c.N, csB = c.TransB ? c.K : 1;
            double flops = 2.0 * c.M * c.N * c.K;
            fixed (float* pa = a, pb = b, po = ours, pt = theirs)
            {
                float* xa = pa, xb = pb, xo = po, xt = pt;
                var (tOurs, tPeer) = Interleaved(
                    () => Gemm.Multiply(xo, c.N, xa, rsA, csA, xb, rsB, csB, c.M, c.N, c.K, false),
                    () => OpenBlas.Sgemm(c.TransA, c.TransB, c.M, c.N, c.K, xa, xb, xt));
                CheckAgreement(c, ours, theirs);
                rows.Add(new Row(c.Name, flops / tOurs / 1e9, flops / tPeer / 1e9, "GFLOP/s", "OpenBLAS"));
            }
        }
        return rows;
    }

    private static void CheckAgreement(Case c, float[] ours, float[] theirs)
    {
        double worst = 0;
        for (int i = 0; i < ours.Length; i++) worst = Math.Max(worst, Math.Abs(ours[i] - theirs[i]) / (1 + Math.Abs(theirs[i])));
        if (worst > 1e-3) throw new InvalidOperationException($"{c.Name}: SharpGrad and OpenBLAS disagree (max relative difference {worst:G3}).");
    }

    /// <summary>
    /// Median seconds for each of two actions, run alternately until both have had ~0.8 s and at least 7 runs.
    /// The median, not the best: on this shared machine the best run hides the variance a training loop pays.
    /// </summary>
    internal static (double Ours, double Peer) Interleaved(Action ours, Action peer)
    {
        for (int i = 0; i < 3; i++) { ours(); peer(); }
        var tOurs = new List<double>();
        var tPeer = new List<double>();
        double total = 0;
        for (int i = 0; i < 7 || (total < 0.8 && i < 400); i++)
        {
            double t0 = Time(ours), t1 = Time(peer);
            tOurs.Add(t0);
            tPeer.Add(t1);
            total += t0 + t1;
        }
        return (Stats.Median(tOurs), Stats.Median(tPeer));
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
