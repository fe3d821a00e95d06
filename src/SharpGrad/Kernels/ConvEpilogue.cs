namespace SharpGrad.Kernels;

/// <summary>
/// An evaluation-mode batch norm (and a residual sum and ReLU) applied to a channels-last conv's tiles as they are
/// finished, while they are still in L1: y = (v - mean) · scale + shift, plus the residual, then max(y, 0), by
/// <see cref="NormChannelsLast.EvalForward"/>'s own row code, so fusing changes no float. Mean, scale and shift are per output channel; the residual is channels-last like the output, and
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
        for (int r = 0; r < rows; r++)
        {
            float* y = block + at + (long)r * ld;
            NormChannelsLast.Row(y, y, Residual == null ? null : Residual + at + (long)r * ld, Mean + col0, Scale + col0, Shift + col0, nn, Relu);
        }
    }

    /// <summary>Adds <paramref name="bias"/>'s <paramref name="nn"/> channels to each of <paramref name="rows"/> channels-last rows, <paramref name="ld"/> floats apart (a conv's bias, before any epilogue).</summary>
    public static void AddBias(float* tile, int rows, int ld, float* bias, int nn)
    {
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < nn; i++) tile[(long)r * ld + i] += bias[i];
    }
}
