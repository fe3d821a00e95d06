using System.Diagnostics;
using System.Globalization;

namespace SharpGrad.Benchmarks;

/// <summary>
/// GFLOP/s of the device GEMM (<c>a.MatMul(b)</c> on tensors on <c>--device=cuda</c>: ILGPU's tiled, register-blocked
/// kernel) on squares 1024 to 8192, beside cuBLAS through PyTorch's <c>torch.matmul</c> in fp32 with TF32 off
/// (benchmarks/peers/gemm_cuda.py) on the same GPU. Each size: one untimed product, then enough products for about a
/// second, waited for before the clock stops; a few entries are checked against a double-precision dot product.
/// </summary>
internal static class GpuGemmSuite
{
    /// <summary>The squares to time: <c>--sizes=1024,2048</c> on the command line, else 1024 to 8192.</summary>
    private static readonly int[] Sizes = Environment.GetCommandLineArgs().FirstOrDefault(a => a.StartsWith("--sizes=", StringComparison.Ordinal)) is { } arg
        ? [.. arg["--sizes=".Length..].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]
        : [1024, 2048, 4096, 8192];

    public static IReadOnlyList<Row> Run()
    {
        if (!BenchDevice.IsGpu) throw new InvalidOperationException("gpu-gemm times the device GEMM: run it with --device=cuda (a machine with an NVIDIA GPU).");
        Dictionary<int, double> peer = Peer();
        var rows = new List<Row>();
        foreach (int n in Sizes)
        {
            double flops = 2.0 * n * n * n;
            var g = new Generator(1);
            Tensor a = Tensor.Randn([n, n], g), b = Tensor.Randn([n, n], g);
            Tensor da = a.To(BenchDevice.Current), db = b.To(BenchDevice.Current);
            Check(a, b, Product(da, db, keep: true)!, n);
            int reps = (int)Math.Clamp(2e12 / flops, 3, 200);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) Product(da, db, keep: false);
            _ = da[0, 0].Item(); // waits for the queued products
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
            rows.Add(new Row($"sgemm {n}x{n}x{n}{BenchDevice.Suffix}", flops / seconds / 1e9, peer.GetValueOrDefault(n, double.NaN), "GFLOP/s", "cuBLAS (torch.matmul, TF32 off)"));
        }
        return rows;
    }

    /// <summary>One product in a scope (its memory freed after the device is done with it), or kept for the check.</summary>
    private static Tensor? Product(Tensor a, Tensor b, bool keep)
    {
        using var scope = new TensorScope();
        Tensor r = a.MatMul(b);
        return keep ? r.Keep() : null;
    }

    /// <summary>Eight entries of the product against double-precision dot products: a wrong kernel fails the suite, not just its speed.</summary>
    private static void Check(Tensor a, Tensor b, Tensor product, int n)
    {
        float[] r = product.To(Device.Cpu).ToArray<float>(), x = a.ToArray<float>(), y = b.ToArray<float>();
        var rng = new Random(n);
        for (int t = 0; t < 8; t++)
        {
            int i = rng.Next(n), j = rng.Next(n);
            double dot = 0, scale = 0;
            for (int k = 0; k < n; k++)
            {
                dot += (double)x[i * n + k] * y[k * n + j];
                scale += Math.Abs((double)x[i * n + k] * y[k * n + j]);
            }
            if (Math.Abs(r[i * n + j] - dot) > 1e-4 * scale)
                throw new InvalidOperationException($"gpu-gemm: entry ({i}, {j}) of the {n}x{n} product is {r[i * n + j]}, expected {dot:G6}: the device GEMM is wrong.");
        }
    }

    /// <summary>The peer's GFLOP/s per size (empty when PyTorch with CUDA is not there; the rows then say n/a).</summary>
    private static Dictionary<int, double> Peer()
    {
        var result = new Dictionary<int, double>();
        if (PythonPeer.Run("gemm_cuda.py", [.. BenchDevice.PeerArgs, .. Sizes.Select(s => s.ToString(CultureInfo.InvariantCulture))], "the PyTorch peer") is { } root)
            foreach (var p in root.GetProperty("gflops").EnumerateObject()) result[int.Parse(p.Name, CultureInfo.InvariantCulture)] = p.Value.GetDouble();
        return result;
    }
}
