using SharpGrad.Kernels;

namespace SharpGrad.Tests.Kernels;

/// <summary>
/// The strided micro-kernel the channels-last convs use (AVX-512's 14 × 32 or AVX2's 6 × 16): every row count, full
/// and masked column counts, A read through both of its strides, B packed or read in place with its columns masked,
/// overwriting or accumulating, against the plain triple loop.
/// </summary>
[Trait("Category", "Kernels")]
public class StridedKernelTests
{
    [Fact]
    public unsafe void The_kernel_is_the_one_the_GEMM_uses()
    {
        if (!StridedKernel.Available) return;
        Assert.Equal(Gemm.Kernel.MR, StridedKernel.Rows);
        Assert.Equal(Gemm.Kernel.NR == 32 ? 32 : 16, StridedKernel.Width);
        Assert.Equal(StridedKernel.Rows + 1, StridedKernel.ByRows.Length);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public unsafe void Every_row_and_column_count_matches_the_plain_loop(bool accumulate, bool maskB)
    {
        if (!StridedKernel.Available) return; // the AVX2-off rerun has none (the test above checks the selection)
        int width = StridedKernel.Width, kc = 37, rsA = 41, csA = 1, ldc = width + 3;
        var g = new Generator(21);
        float[] a = Tensor.Randn([StridedKernel.Rows * rsA + kc], g).ToArray<float>();
        // B read in place with its rows width + 5 floats apart when masked, packed (width apart) otherwise
        int rsB = maskB ? width + 5 : width;
        float[] b = Tensor.Randn([kc * rsB], g).ToArray<float>();
        foreach (int nn in new[] { width, width - 5, 3, 1 })
            for (int rows = 1; rows <= StridedKernel.Rows; rows++)
            {
                float[] c = Tensor.Randn([StridedKernel.Rows * ldc], g).ToArray<float>(), expected = (float[])c.Clone();
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < nn; j++)
                    {
                        float sum = 0;
                        for (int p = 0; p < kc; p++) sum += a[i * rsA + p * csA] * b[p * rsB + j];
                        expected[i * ldc + j] = accumulate ? expected[i * ldc + j] + sum : sum;
                    }
                fixed (float* pa = a, pb = b, pc = c)
                    StridedKernel.ByRows[rows](kc, pa, rsA, csA, pb, rsB, maskB, pc, ldc, nn, accumulate);
                for (int i = 0; i < c.Length; i++)
                    Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])),
                        $"rows {rows}, nn {nn}: C[{i / ldc},{i % ldc}] = {c[i]}, expected {expected[i]} (untouched past nn and rows)");
            }
    }
}
