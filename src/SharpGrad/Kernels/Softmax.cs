using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>Row-wise softmax and log-softmax, stable for large logits (the row max is subtracted first).</summary>
internal static class Softmax
{
    // x, y: (rows, n) contiguous
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, int rows, int n, bool log)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * n, n);
            Span<float> yr = y.Slice(r * n, n);
            if (n == 0) continue;
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            if (log)
            {
                // log_softmax = (x - max) - log(sum(exp(x - max)))
                float sum = 0;
                foreach (float v in yr) sum += MathF.Exp(v);
                TensorPrimitives.Subtract(yr, MathF.Log(sum), yr);
            }
            else
            {
                TensorPrimitives.Exp(yr, yr);
                TensorPrimitives.Divide(yr, TensorPrimitives.Sum(yr), yr);
            }
        }
    }

    // dx = y * (dy - sum(dy * y))  for softmax;  dx = dy - exp(y) * sum(dy)  for log-softmax (y = output)
    public static void Backward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int rows, int n, bool log)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * n, n), gr = dy.Slice(r * n, n);
            Span<float> dr = dx.Slice(r * n, n);
            if (log)
            {
                float s = TensorPrimitives.Sum(gr);
                TensorPrimitives.Exp(yr, dr);
                TensorPrimitives.Multiply(dr, -s, dr);
                TensorPrimitives.Add(dr, gr, dr);
            }
            else
            {
                float s = TensorPrimitives.Dot(gr, yr);
                TensorPrimitives.Subtract(gr, s, dr);
                TensorPrimitives.Multiply(dr, yr, dr);
            }
        }
    }
}
