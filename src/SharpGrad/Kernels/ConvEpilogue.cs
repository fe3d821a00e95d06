using System.Runtime.Intrinsics;

namespace SharpGrad.Kernels;

/// <summary>
/// An evaluation-mode batch norm (and a residual sum and ReLU) applied to a channels-last conv's tiles as they are
/// finished, while they are still in L1: y = (v - mean) · scale + shift, plus the residual, then max(y, 0). The same
/// roundings, in the same order, as <see cref="NormChannelsLast.EvalForward"/> on the conv's output, so fusing changes
/// no float. Mean, scale and shift are per output channel; the residual is channels-last like the output, and
/// <see cref="Residual"/> points at the element matching the output block's first.
/// </summary>
internal readonly unsafe struct ConvEpilogue(float* mean, float* scale, float* shift, float* residual, bool relu)
{
    public float* Mean { get; } = mean;

    public float* Scale { get; } = scale;

    public float* Shift { get; } = shift;

    public float* Residual { get; } = residual;

    public bool Relu { get; } = relu;

    /// <summary>Whether there is a norm to apply (default: none).</summary>
    public bool IsActive => Scale != null;

    /// <summary>The same epilogue for the output block starting <paramref name="offset"/> floats in.</summary>
    public ConvEpilogue Offset(long offset) => new(Mean, Scale, Shift, Residual == null ? null : Residual + offset, Relu);

    /// <summary>
    /// Applies the epilogue to <paramref name="rows"/> rows of <paramref name="nn"/> channels from channel
    /// <paramref name="col0"/>, the rows <paramref name="ld"/> floats apart, starting <paramref name="at"/> floats into the block.
    /// </summary>
    public void Apply(float* block, long at, int rows, int ld, int col0, int nn)
    {
        float* m = Mean + col0, s = Scale + col0, b = Shift + col0;
        for (int r = 0; r < rows; r++)
        {
            float* y = block + at + (long)r * ld, res = Residual == null ? null : Residual + at + (long)r * ld;
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; i + 16 <= nn; i += 16)
                {
                    Vector512<float> t = (Vector512.Load(y + i) - Vector512.Load(m + i)) * Vector512.Load(s + i) + Vector512.Load(b + i);
                    if (res != null) t += Vector512.Load(res + i);
                    if (Relu) t = Vector512.Max(t, Vector512<float>.Zero);
                    t.Store(y + i);
                }
            for (; i < nn; i++)
            {
                float t = (y[i] - m[i]) * s[i] + b[i];
                if (res != null) t += res[i];
                y[i] = Relu ? MathF.Max(t, 0f) : t;
            }
        }
    }
}
