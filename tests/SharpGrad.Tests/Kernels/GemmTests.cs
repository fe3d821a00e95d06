using SharpGrad.Kernels;

namespace SharpGrad.Tests.Kernels;

/// <summary>The packed GEMM against the plain triple loop, for every transpose variant and for shapes that hit every edge tile.</summary>
[Trait("Category", "Kernels")]
public class GemmTests
{
    public static IEnumerable<object[]> Shapes()
    {
        int[][] shapes =
        [
            [1, 1, 1], [3, 5, 7], [14, 32, 1], [15, 33, 17], [13, 31, 300], [64, 64, 64], [100, 1, 50], [1, 100, 50],
            [257, 30, 784], [30, 784, 256], [784, 30, 256], [29, 65, 513], [200, 100, 260],
        ];
        foreach (int[] s in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return [s[0], s[1], s[2], ta, tb];
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_reference(int m, int n, int k, bool transA, bool transB)
    {
        var g = new Generator(7);
        float[] a = Tensor.Randn([m * k], g).ToArray<float>();
        float[] b = Tensor.Randn([k * n], g).ToArray<float>();
        // A stored as (m,k) row-major, or as its transpose (k,m); likewise B.
        int rsA = transA ? 1 : k, csA = transA ? m : 1;
        int rsB = transB ? 1 : n, csB = transB ? k : 1;
        foreach (bool accumulate in new[] { false, true })
        {
            float[] c0 = Tensor.Randn([m * n], g).ToArray<float>();
            float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
            GemmReference.Multiply(expected, n, a, rsA, csA, b, rsB, csB, m, n, k, accumulate);
            Gemm.Multiply(actual, n, a, rsA, csA, b, rsB, csB, m, n, k, accumulate);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])) * Math.Sqrt(k),
                    $"C[{i / n},{i % n}] = {actual[i]}, expected {expected[i]} (m {m}, n {n}, k {k}, accumulate {accumulate})");
        }
    }

    [Fact]
    public void Writes_into_a_strided_C_without_touching_the_gaps()
    {
        int m = 20, n = 40, k = 33, ldc = 50;
        var g = new Generator(3);
        float[] a = Tensor.Randn([m * k], g).ToArray<float>(), b = Tensor.Randn([k * n], g).ToArray<float>();
        float[] c = Enumerable.Repeat(7f, m * ldc).ToArray();
        Gemm.Multiply(c, ldc, a, k, 1, b, n, 1, m, n, k, accumulate: false);
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++) Assert.Equal(7f, c[i * ldc + j]);
    }

    [Fact]
    public void Zero_k_clears_or_keeps_C()
    {
        float[] c = [1, 2, 3, 4];
        Gemm.Multiply(c, 2, [], 0, 1, [], 2, 1, 2, 2, 0, accumulate: true);
        Assert.Equal([1f, 2, 3, 4], c);
        Gemm.Multiply(c, 2, [], 0, 1, [], 2, 1, 2, 2, 0, accumulate: false);
        Assert.Equal([0f, 0, 0, 0], c);
    }

    [Fact]
    public void Same_inputs_give_bitwise_identical_results_across_runs()
    {
        var g = new Generator(11);
        int m = 300, n = 200, k = 500;
        float[] a = Tensor.Randn([m * k], g).ToArray<float>(), b = Tensor.Randn([k * n], g).ToArray<float>();
        float[] c1 = new float[m * n], c2 = new float[m * n];
        Gemm.Multiply(c1, n, a, k, 1, b, n, 1, m, n, k, false);
        Gemm.Multiply(c2, n, a, k, 1, b, n, 1, m, n, k, false);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void Operand_too_short_for_its_shape_is_a_clear_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[4], 2, new float[3], 2, 1, new float[4], 2, 1, 2, 2, 2, false));
        Assert.Contains("operand A", ex.Message);
    }
}
