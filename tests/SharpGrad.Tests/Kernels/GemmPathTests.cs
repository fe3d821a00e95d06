using System.Runtime.InteropServices;
using SharpGrad.Kernels;

namespace SharpGrad.Tests.Kernels;

/// <summary>
/// The GEMM's strategies against the reference: A read in place (narrow or short products, the MLP's shapes), B read
/// in place or packed, masked edge tiles of every width, the packed path's edges, and the two-thread splits. Operands
/// sit at offsets inside larger buffers with padded leading dimensions, and C's gaps must stay untouched.
/// </summary>
[Trait("Category", "Kernels")]
public class GemmPathTests
{
    /// <summary>
    /// Multiplies operands stored at an offset with leading dimensions padded by <paramref name="pad"/> (A as (m,k) or,
    /// transposed, (k,m); likewise B), into a C with ldc = n + pad, and compares with the reference.
    /// </summary>
    private static void Check(int m, int n, int k, bool transA, bool transB, bool accumulate, int pad, int seed)
    {
        const int Offset = 5;
        var g = new Generator((ulong)seed);
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        int rsA = transA ? 1 : lda, csA = transA ? lda : 1, rsB = transB ? 1 : ldb, csB = transB ? ldb : 1;
        // Each buffer ends exactly at its operand's last element.
        float[] a = Tensor.Randn([Offset + (transA ? (k - 1) * lda + m : (m - 1) * lda + k)], g).ToArray<float>();
        float[] b = Tensor.Randn([Offset + (transB ? (n - 1) * ldb + k : (k - 1) * ldb + n)], g).ToArray<float>();
        float[] c0 = Tensor.Randn([Offset + (m - 1) * ldc + n], g).ToArray<float>();
        float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
        GemmReference.Multiply(expected.AsSpan(Offset), ldc, a.AsSpan(Offset), rsA, csA, b.AsSpan(Offset), rsB, csB, m, n, k, accumulate);
        Gemm.Multiply(actual.AsSpan(Offset), ldc, a.AsSpan(Offset), rsA, csA, b.AsSpan(Offset), rsB, csB, m, n, k, accumulate);
        for (int i = 0; i < expected.Length; i++)
        {
            int row = (i - Offset) / ldc, col = (i - Offset) % ldc;
            bool inside = i >= Offset && col < n;
            if (!inside)
                Assert.True(actual[i] == c0[i], $"C's gap at {i} changed (m {m}, n {n}, k {k}, transA {transA}, transB {transB}, accumulate {accumulate})");
            else
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])) * Math.Sqrt(k),
                    $"C[{row},{col}] = {actual[i]}, expected {expected[i]} (m {m}, n {n}, k {k}, transA {transA}, transB {transB}, accumulate {accumulate}, pad {pad})");
        }
    }

    private static void CheckAllVariants(int m, int n, int k, int pad = 0, int seed = 1)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (bool acc in new[] { false, true })
                    Check(m, n, k, ta, tb, acc, pad, seed);
    }

    public static IEnumerable<object[]> Widths() => Enumerable.Range(1, 40).Select(n => new object[] { n });

    /// <summary>Every partial width of the 32-column micro-tile, with odd row counts (tiles of unequal height).</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void Every_width_up_to_40_matches(int n)
    {
        CheckAllVariants(131, n, 900 / n + 97, pad: n % 3, seed: n);
        CheckAllVariants(45, n, 257, pad: 1, seed: n + 100);
    }

    public static IEnumerable<object[]> Shapes()
    {
        int[][] shapes =
        [
            // the MLP's products and their neighbours
            [256, 30, 784], [255, 30, 785], [30, 784, 256], [29, 783, 255], [784, 30, 256], [256, 784, 30], [257, 785, 31],
            // k around the 256-deep blocks, including k = 1 and a lone last block
            [100, 30, 1], [100, 30, 2], [100, 30, 255], [100, 30, 256], [100, 30, 257], [60, 70, 513],
            // few rows (A a few tiles tall, B read in place along long rows), a single row, rows just past a tile
            [1, 300, 400], [2, 700, 100], [14, 96, 300], [15, 65, 300], [56, 1000, 120], [57, 1000, 120],
            // wide and narrow enough that A is packed: the packed path's masked edges
            [200, 700, 300], [183, 97, 600], [170, 520, 260],
        ];
        foreach (int[] s in shapes)
            foreach (int pad in new[] { 0, 3 })
                yield return [s[0], s[1], s[2], pad];
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Shapes_match_with_padded_strides(int m, int n, int k, int pad) => CheckAllVariants(m, n, k, pad, seed: m + n + k);

    /// <summary>Leading dimensions that are multiples of 512 floats send A to the packed path whatever the shape.</summary>
    [Theory]
    [InlineData(100, 70, 512)]
    [InlineData(29, 40, 1024)]
    [InlineData(512, 30, 100)]
    public void Power_of_two_strides_match(int m, int n, int k) => CheckAllVariants(m, n, k, pad: 0, seed: 3);

    /// <summary>
    /// Above the parallel threshold: A read in place with row tiles (tall) or column panels (short and wide) split
    /// across threads; packed with B's blocks shared by the threads (two column blocks in the last), or with columns
    /// split when there are too few rows.
    /// </summary>
    [Theory]
    [InlineData(300, 30, 1900)]
    [InlineData(30, 700, 820)]
    [InlineData(290, 61, 1000)]
    [InlineData(120, 600, 512)]
    [InlineData(100, 1000, 512)]
    [InlineData(130, 2100, 300)]
    public void Products_split_across_threads_match(int m, int n, int k)
    {
        Check(m, n, k, false, true, false, 1, 5);
        Check(m, n, k, true, false, true, 0, 6);
        Check(m, n, k, false, false, true, 2, 7);
    }

    /// <summary>Broadcast operands (an expanded row or column has stride 0), read in place or packed.</summary>
    [Theory]
    [InlineData(100, 30, 200)]
    [InlineData(40, 300, 100)]
    [InlineData(300, 100, 50)]
    [InlineData(200, 700, 300)]
    public void Zero_strides_match(int m, int n, int k)
    {
        var g = new Generator(13);
        (int Rs, int Cs, float[] Data)[] aViews =
        [
            (0, 1, Tensor.Randn([k], g).ToArray<float>()), // every row the same
            (1, 0, Tensor.Randn([m], g).ToArray<float>()), // every column the same
            (k, 1, Tensor.Randn([m * k], g).ToArray<float>()),
        ];
        (int Rs, int Cs, float[] Data)[] bViews =
        [
            (0, 1, Tensor.Randn([n], g).ToArray<float>()),
            (1, 0, Tensor.Randn([k], g).ToArray<float>()),
            (1, k, Tensor.Randn([k * n], g).ToArray<float>()),
        ];
        foreach (var (rsA, csA, a) in aViews)
            foreach (var (rsB, csB, b) in bViews)
            {
                float[] c0 = Tensor.Randn([m * n], g).ToArray<float>();
                float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
                GemmReference.Multiply(expected, n, a, rsA, csA, b, rsB, csB, m, n, k, true);
                Gemm.Multiply(actual, n, a, rsA, csA, b, rsB, csB, m, n, k, true);
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])) * Math.Sqrt(k),
                        $"C[{i / n},{i % n}] = {actual[i]}, expected {expected[i]} (A strides {rsA},{csA}, B strides {rsB},{csB})");
            }
    }

    /// <summary>
    /// B and C end exactly where an inaccessible page begins: a kernel that read or wrote a column past the last
    /// (instead of masking it) would fault.
    /// </summary>
    [Theory]
    [InlineData(100, 30, 200)]
    [InlineData(30, 50, 300)]
    [InlineData(131, 1, 400)]
    [InlineData(40, 17, 3000)]
    public void Edge_columns_never_touch_memory_past_the_operands(int m, int n, int k)
    {
        if (!OperatingSystem.IsLinux()) return;
        var g = new Generator(9);
        float[] a = Tensor.Randn([m * k], g).ToArray<float>(), b = Tensor.Randn([k * n], g).ToArray<float>();
        float[] c0 = Tensor.Randn([m * n], g).ToArray<float>();
        foreach (bool accumulate in new[] { false, true })
        {
            float[] expected = (float[])c0.Clone();
            GemmReference.Multiply(expected, n, a, k, 1, b, n, 1, m, n, k, accumulate);
            using var pb = new GuardedBuffer(b);
            using var pc = new GuardedBuffer(c0);
            Gemm.Multiply(pc.Span, n, a, k, 1, pb.Span, n, 1, m, n, k, accumulate);
            float[] actual = pc.Span.ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])) * Math.Sqrt(k),
                    $"C[{i / n},{i % n}] = {actual[i]}, expected {expected[i]} (m {m}, n {n}, k {k}, accumulate {accumulate})");
        }
    }

    /// <summary>A copy of an array in anonymous memory whose last element is followed by a PROT_NONE page.</summary>
    private sealed unsafe class GuardedBuffer : IDisposable
    {
        private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20;
        private readonly nint _base;
        private readonly nuint _bytes;
        private readonly float* _data;
        private readonly int _length;

        public GuardedBuffer(float[] values)
        {
            nuint page = (nuint)Environment.SystemPageSize;
            nuint dataBytes = ((nuint)values.Length * sizeof(float) + page - 1) / page * page;
            _bytes = dataBytes + page;
            _base = mmap(0, _bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            Assert.True(_base != -1, "mmap failed");
            Assert.Equal(0, mprotect(_base + (nint)dataBytes, page, 0));
            _length = values.Length;
            _data = (float*)(_base + (nint)dataBytes) - values.Length;
            values.CopyTo(Span);
        }

        public Span<float> Span => new(_data, _length);

        public void Dispose() => munmap(_base, _bytes);

        [DllImport("libc", SetLastError = true)]
        private static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

        [DllImport("libc", SetLastError = true)]
        private static extern int mprotect(nint addr, nuint length, int prot);

        [DllImport("libc", SetLastError = true)]
        private static extern int munmap(nint addr, nuint length);
    }
}
