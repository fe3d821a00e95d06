namespace SharpGrad.Kernels;

/// <summary>The plain triple loop that <see cref="Gemm"/> is tested against (double accumulation).</summary>
internal static class GemmReference
{
    public static void Multiply(Span<float> c, int ldc, ReadOnlySpan<float> a, int rsA, int csA, ReadOnlySpan<float> b, int rsB, int csB,
        int m, int n, int k, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c[i * ldc + j] : 0;
                for (int p = 0; p < k; p++) s += (double)a[i * rsA + p * csA] * b[p * rsB + j * csB];
                c[i * ldc + j] = (float)s;
            }
    }
}
