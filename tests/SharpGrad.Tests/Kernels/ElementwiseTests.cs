using SharpGrad.Kernels;

namespace SharpGrad.Tests.Kernels;

/// <summary>
/// The SIMD elementwise and reduction kernels against scalar twins over every length 0..256, so each vector width's
/// main loop and tail are hit (CI repeats these with AVX-512 and AVX2 disabled).
/// </summary>
[Trait("Category", "Kernels")]
public class ElementwiseTests
{
    private static float[] Data(int n, int seed, bool positive = false)
    {
        var g = new Generator((ulong)seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = positive ? g.NextFloat() * 3 + 0.1f : g.NextNormal() * 2;
        return v;
    }

    private static void Close(float expected, float actual, string what, float rtol = 2e-6f, float atol = 1e-6f) =>
        Assert.True(Math.Abs(expected - actual) <= atol + rtol * Math.Abs(expected), $"{what}: {actual:R}, expected {expected:R}");

    public static IEnumerable<object[]> UnaryOps() => Enum.GetNames<UnaryOp>().Select(op => new object[] { op });

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary_matches_scalar_for_every_length(string name)
    {
        var op = Enum.Parse<UnaryOp>(name);
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Data(n, n, positive: op is UnaryOp.Log or UnaryOp.Sqrt), y = new float[n];
            Elementwise.Unary(op, y, x);
            for (int i = 0; i < n; i++) Close(Elementwise.Reference(op, x[i]), y[i], $"{op} n={n} i={i}");
        }
    }

    public static IEnumerable<object[]> BinaryOps() => Enum.GetNames<BinaryOp>().Select(op => new object[] { op });

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void Binary_matches_scalar_for_every_length(string name)
    {
        var op = Enum.Parse<BinaryOp>(name);
        for (int n = 0; n <= 256; n++)
        {
            float[] a = Data(n, n, positive: op == BinaryOp.Pow), b = Data(n, n + 1000), y = new float[n], ys = new float[n], sy = new float[n];
            Elementwise.Binary(op, y, a, b);
            Elementwise.Binary(op, ys, a, 1.5f);
            Elementwise.Binary(op, sy, 1.5f, b);
            for (int i = 0; i < n; i++)
            {
                Close(Elementwise.Apply(op, a[i], b[i]), y[i], $"{op} n={n} i={i}");
                Close(Elementwise.Apply(op, a[i], 1.5f), ys[i], $"{op}(x, s) n={n} i={i}");
                Close(Elementwise.Apply(op, 1.5f, b[i]), sy[i], $"{op}(s, x) n={n} i={i}");
            }
        }
    }

    [Fact]
    public void Large_inputs_split_across_threads_match_single_thread()
    {
        int n = 1_000_003;
        float[] a = Data(n, 1), b = Data(n, 2), y = new float[n];
        Elementwise.Binary(BinaryOp.Mul, y, a, b);
        for (int i = 0; i < n; i += 997) Assert.Equal(a[i] * b[i], y[i]);
        Assert.Equal(a[^1] * b[^1], y[^1]);
    }

    [Fact]
    public void Sum_matches_the_reference_for_every_length_and_layout()
    {
        for (int n = 0; n <= 256; n++)
            foreach (var (outer, inner) in new[] { (1, 1), (3, 1), (2, 5), (1, 17) })
            {
                float[] x = Data(outer * n * inner, n), y = new float[outer * inner], r = new float[outer * inner];
                Reduce.Sum(y, x, outer, n, inner);
                Reduce.SumReference(r, x, outer, n, inner);
                for (int i = 0; i < y.Length; i++) Close(r[i], y[i], $"sum n={n} outer={outer} inner={inner}", 1e-5f, 1e-5f);
            }
    }

    [Fact]
    public void Max_and_min_find_the_first_extreme_for_every_length()
    {
        for (int n = 1; n <= 256; n++)
            foreach (int inner in new[] { 1, 3 })
            {
                float[] x = Data(n * inner, n);
                var values = new float[inner];
                var indices = new long[inner];
                Reduce.MaxMin(values, indices, x, 1, n, inner, max: true);
                for (int i = 0; i < inner; i++)
                {
                    int best = 0;
                    for (int j = 1; j < n; j++) if (x[j * inner + i] > x[best * inner + i]) best = j;
                    Assert.Equal(best, indices[i]);
                    Assert.Equal(x[best * inner + i], values[i]);
                }
            }
    }

    [Fact]
    public void Softmax_rows_sum_to_one_and_survive_huge_logits()
    {
        for (int n = 1; n <= 256; n += 5)
        {
            float[] x = Data(n, n).Select(v => v * 100 + 1000).ToArray(), y = new float[n], ly = new float[n];
            Softmax.Forward(y, x, 1, n, log: false);
            Softmax.Forward(ly, x, 1, n, log: true);
            Close(1f, y.Sum(), $"softmax n={n}", 1e-5f, 1e-5f);
            Assert.All(ly, v => Assert.True(float.IsFinite(v)));
            for (int i = 0; i < n; i++) Close(MathF.Log(Math.Max(y[i], float.Epsilon)), ly[i], $"log_softmax n={n}", 1e-4f, y[i] < 1e-30f ? float.MaxValue : 1e-4f);
        }
    }
}
