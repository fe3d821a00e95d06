using SharpGrad.Kernels;

namespace SharpGrad.Tests.Kernels;

/// <summary>The vectorised comparison and select kernels against their scalar twins over every length 0..256, with NaNs, ties and broadcast scalars.</summary>
[Trait("Category", "Kernels")]
public class CompareTests
{
    /// <summary>Small integers, so ties are common, with a NaN every 13th element.</summary>
    private static float[] Data(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i % 13 == 5 ? float.NaN : MathF.Floor(g.NextFloat() * 4);
        return v;
    }

    public static IEnumerable<object[]> Ops() => Enum.GetNames<CompareOp>().Select(op => new object[] { op });

    [Theory]
    [MemberData(nameof(Ops))]
    public void Floats_match_scalar_for_every_length(string name)
    {
        var op = Enum.Parse<CompareOp>(name);
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Data(n, n), y = Data(n, n + 500);
            bool[] d = new bool[n], ds = new bool[n], sd = new bool[n];
            Compare.Floats(op, d, x, y);
            Compare.Floats(op, ds, x, [2f]);
            Compare.Floats(op, sd, [float.NaN], y);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Compare.Reference(op, x[i], y[i]) == d[i], $"{op} n={n} i={i}: {x[i]} vs {y[i]}");
                Assert.True(Compare.Reference(op, x[i], 2f) == ds[i], $"{op} n={n} i={i}: {x[i]} vs 2");
                Assert.Equal(op == CompareOp.Ne, sd[i]);
            }
        }
    }

    [Fact]
    public void Select_matches_scalar_for_every_length()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Data(n, n), y = Data(n, n + 7), d = new float[n], dx = new float[n], dy = new float[n];
            var c = new bool[n];
            var g = new Generator((ulong)n);
            for (int i = 0; i < n; i++) c[i] = g.NextFloat() < 0.5f;
            Compare.Select(d, c, x, y);
            Compare.Select(dx, c, [-1f], y);
            Compare.Select(dy, c, x, [-2f]);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(c[i] ? x[i] : y[i], d[i]);
                Assert.Equal(c[i] ? -1f : y[i], dx[i]);
                Assert.Equal(c[i] ? x[i] : -2f, dy[i]);
            }
        }
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Compare.Floats(CompareOp.Eq, new bool[4], new float[3], new float[4]));
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void WherePositive_matches_scalar_for_every_length()
    {
        for (int n = 0; n <= 256; n++)
        {
            var g = new Generator((ulong)n);
            float[] gate = new float[n], values = new float[n], d = new float[n];
            for (int i = 0; i < n; i++) { gate[i] = i % 7 == 3 ? 0f : g.NextFloat() - 0.5f; values[i] = g.NextFloat(); }
            Compare.WherePositive(d, gate, values);
            for (int i = 0; i < n; i++) Assert.Equal(gate[i] > 0 ? values[i] : 0f, d[i]);
        }
    }
}
