using SharpGrad.Kernels;

namespace SharpGrad.Tests.Kernels;

[Trait("Category", "Kernels")]
public class TransposeTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(16, 16, 16, 16)]
    [InlineData(17, 33, 40, 20)]   // partial tiles both ways, leading dimensions wider than the matrix
    [InlineData(64, 49, 49, 64)]   // an NCHW image of resnet18's layer1 to HWC
    [InlineData(3, 200, 200, 5)]
    public unsafe void Transpose_matches_the_element_loop(int rows, int cols, int ldSrc, int ldDst)
    {
        var src = new float[(rows - 1) * ldSrc + cols];
        for (int i = 0; i < src.Length; i++) src[i] = i * 0.5f - 7;
        // cells of dst outside the transposed matrix must keep their value
        var dst = Enumerable.Repeat(-1f, (cols - 1) * ldDst + rows + 3).ToArray();
        var expected = (float[])dst.Clone();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) expected[j * ldDst + i] = src[i * ldSrc + j];
        fixed (float* d = dst, s = src) Transpose.Run(d, ldDst, s, ldSrc, rows, cols);
        Assert.Equal(expected, dst);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(64)]
    [InlineData(67)]
    public unsafe void Float_rows_copy_clear_and_add(int n)
    {
        float[] a = Enumerable.Range(0, n + 1).Select(i => i * 1.5f).ToArray(), b = Enumerable.Range(0, n + 1).Select(i => 100f - i).ToArray();
        float[] copy = Enumerable.Repeat(9f, n + 1).ToArray(), sum = (float[])b.Clone(), cleared = (float[])b.Clone();
        fixed (float* pa = a, pc = copy, ps = sum, pz = cleared)
        {
            FloatRow.Copy(pc, pa, n);
            FloatRow.Add(ps, pa, n);
            FloatRow.Clear(pz, n);
        }
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(a[i], copy[i]);
            Assert.Equal(b[i] + a[i], sum[i]);
            Assert.Equal(0f, cleared[i]);
        }
        // the element past n is untouched
        Assert.Equal(9f, copy[n]);
        Assert.Equal(b[n], sum[n]);
        Assert.Equal(b[n], cleared[n]);
    }
}
