using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>
/// The row operations of <see cref="Norm"/>: System.Numerics.Tensors for rows of 16 or more, a plain loop for the
/// short rows of small feature maps (a resnet's 4×4 to 1×1 maps, a BatchNorm1d's single values), where a vectorised
/// call costs more than the arithmetic.
/// </summary>
internal static unsafe class NormRows
{
    private const int Short = 16;

    public static float Sum(float* x, int l)
    {
        if (l >= Short) return TensorPrimitives.Sum(new ReadOnlySpan<float>(x, l));
        float s = 0;
        for (int k = 0; k < l; k++) s += x[k];
        return s;
    }

    public static float SumOfSquares(float* x, int l)
    {
        if (l >= Short) return TensorPrimitives.SumOfSquares(new ReadOnlySpan<float>(x, l));
        float s = 0;
        for (int k = 0; k < l; k++) s += x[k] * x[k];
        return s;
    }

    public static float Dot(float* x, float* y, int l)
    {
        if (l >= Short) return TensorPrimitives.Dot(new ReadOnlySpan<float>(x, l), new ReadOnlySpan<float>(y, l));
        float s = 0;
        for (int k = 0; k < l; k++) s += x[k] * y[k];
        return s;
    }

    /// <summary>dst = x - a.</summary>
    public static void Subtract(float* dst, float* x, float a, int l)
    {
        if (l >= Short) TensorPrimitives.Subtract(new ReadOnlySpan<float>(x, l), a, new Span<float>(dst, l));
        else for (int k = 0; k < l; k++) dst[k] = x[k] - a;
    }

    /// <summary>dst = x · a.</summary>
    public static void Multiply(float* dst, float* x, float a, int l)
    {
        if (l >= Short) TensorPrimitives.Multiply(new ReadOnlySpan<float>(x, l), a, new Span<float>(dst, l));
        else for (int k = 0; k < l; k++) dst[k] = x[k] * a;
    }

    /// <summary>dst = dst · a + b (b = 0 skipped, as the vector path does), then max(dst, 0) when <paramref name="relu"/> (as ReLU computes it).</summary>
    public static void ScaleShift(float* dst, float a, float b, int l, bool relu)
    {
        if (l >= Short)
        {
            var row = new Span<float>(dst, l);
            TensorPrimitives.Multiply(row, a, row);
            if (b != 0) TensorPrimitives.Add(row, b, row);
            if (relu) TensorPrimitives.Max(row, 0f, row);
            return;
        }
        if (b != 0) for (int k = 0; k < l; k++) dst[k] = dst[k] * a + b;
        else for (int k = 0; k < l; k++) dst[k] *= a;
        if (relu) for (int k = 0; k < l; k++) dst[k] = MathF.Max(dst[k], 0f);
    }

    /// <summary>dst = (dst · k + b) + g · a, rounded as the vector path rounds (no fused multiply-add).</summary>
    public static void Affine(float* dst, float k, float b, float* g, float a, int l)
    {
        if (l >= Short)
        {
            var row = new Span<float>(dst, l);
            TensorPrimitives.Multiply(row, k, row);
            TensorPrimitives.Add(row, b, row);
            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(g, l), a, row, row);
        }
        else for (int q = 0; q < l; q++) dst[q] = (dst[q] * k + b) + g[q] * a;
    }
}
