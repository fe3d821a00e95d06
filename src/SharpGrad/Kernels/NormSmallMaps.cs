using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>
/// <see cref="Norm"/>'s batch norm for maps shorter than a vector (L &lt; 16: a resnet's 4×4 to 1×1 maps, a
/// BatchNorm1d's single values), over a range of channels [c0, c1): in each image those channels are one contiguous
/// run of (c1 - c0)·L floats, so every pass is a full-width SIMD operation along that run, against per-channel values
/// repeated L times, instead of one call per (image, channel) row of 1 to 15 floats. Sums are taken in float over
/// blocks of <see cref="Block"/> images and combined per channel in double, in a fixed order (so the result does not
/// depend on how the channels were split over the threads).
/// </summary>
internal static unsafe class NormSmallMaps
{
    /// <summary>Maps shorter than this take this path.</summary>
    public const int MaxLength = 16;

    private const int Block = 64;

    /// <summary>The forward pass of <see cref="Norm.BatchNormForward"/> for channels [c0, c1); null pointers for the absent optional buffers.</summary>
    public static void Forward(float* y, float* mean, float* invstd, float* x, float* gamma, float* beta, float* runningMean, float* runningVar,
        int n, int c, int l, int c0, int c1, bool training, float momentum, float eps, bool relu)
    {
        int channels = c1 - c0, run = channels * l;
        long count = (long)n * l;
        using var scratch = new Scratch(3L * run);
        var expanded = new Span<float>(scratch.Pointer, run);
        var partial = new Span<float>(scratch.Pointer + run, run);
        var second = new Span<float>(scratch.Pointer + 2L * run, run);
        Span<double> totals = channels <= 256 ? stackalloc double[channels] : new double[channels];
        for (int ch = 0; ch < channels; ch++) mean[c0 + ch] = training ? 0 : runningMean[c0 + ch];
        if (training)
        {
            SumRuns(totals, partial, x, n, c, l, c0, channels, squares: false);
            for (int ch = 0; ch < channels; ch++) mean[c0 + ch] = (float)(totals[ch] / count);
        }
        // y = x - mean; training also sums its squares
        Expand(expanded, mean + c0, channels, l);
        for (int i = 0; i < n; i++) TensorPrimitives.Subtract(Run(x, i, c, l, c0, run), expanded, Run(y, i, c, l, c0, run));
        if (training) SumRuns(totals, partial, y, n, c, l, c0, channels, squares: true);
        for (int ch = 0; ch < channels; ch++)
        {
            int k = c0 + ch;
            double variance;
            if (training)
            {
                variance = totals[ch] / count;
                if (runningMean != null)
                {
                    double unbiased = count > 1 ? totals[ch] / (count - 1) : double.NaN;
                    runningMean[k] = momentum * mean[k] + (1 - momentum) * runningMean[k];
                    runningVar[k] = momentum * (float)unbiased + (1 - momentum) * runningVar[k];
                }
            }
            else variance = runningVar[k];
            invstd[k] = (float)(1 / Math.Sqrt(variance + eps));
        }
        // y = y · scale + shift (then max(y, 0)): scale = invstd · gamma, shift = beta
        for (int ch = 0; ch < channels; ch++)
        {
            int k = c0 + ch;
            float scale = invstd[k] * (gamma == null ? 1f : gamma[k]), shift = beta == null ? 0f : beta[k];
            expanded.Slice(ch * l, l).Fill(scale);
            second.Slice(ch * l, l).Fill(shift);
        }
        for (int i = 0; i < n; i++)
        {
            Span<float> row = Run(y, i, c, l, c0, run);
            TensorPrimitives.FusedMultiplyAdd(row, expanded, second, row);
            if (relu) TensorPrimitives.Max(row, 0f, row);
        }
    }

    /// <summary>
    /// The backward pass of <see cref="Norm.BatchNormBackward"/> for channels [c0, c1); dx, dgamma, dbeta and gamma
    /// may be null. dx's rows hold x - mean until the last pass.
    /// </summary>
    public static void Backward(float* dx, float* dgamma, float* dbeta, float* dy, float* x, float* mean, float* invstd, float* gamma,
        int n, int c, int l, int c0, int c1, bool training)
    {
        int channels = c1 - c0, run = channels * l;
        long count = (long)n * l;
        using var scratch = new Scratch((dx == null ? 4L : 3L) * run);
        var expanded = new Span<float>(scratch.Pointer, run);
        var partial = new Span<float>(scratch.Pointer + run, run);
        var second = new Span<float>(scratch.Pointer + 2L * run, run);
        float* centredRow = dx == null ? scratch.Pointer + 3L * run : null;
        Span<double> sumDy = channels <= 256 ? stackalloc double[channels] : new double[channels];
        Span<double> sumDyXmu = channels <= 256 ? stackalloc double[channels] : new double[channels];
        SumRuns(sumDy, partial, dy, n, c, l, c0, channels, squares: false);
        // Σ dy·(x - mean), the centred rows kept in dx when it is wanted
        Expand(expanded, mean + c0, channels, l);
        sumDyXmu.Clear();
        for (int i0 = 0; i0 < n; i0 += Block)
        {
            partial.Clear();
            for (int i = i0; i < Math.Min(n, i0 + Block); i++)
            {
                var centred = new Span<float>(dx != null ? dx + ((long)i * c + c0) * l : centredRow, run);
                TensorPrimitives.Subtract(Run(x, i, c, l, c0, run), expanded, centred);
                TensorPrimitives.FusedMultiplyAdd(centred, Run(dy, i, c, l, c0, run), partial, partial);
            }
            AddPerChannel(sumDyXmu, partial, channels, l);
        }
        for (int ch = 0; ch < channels; ch++)
        {
            int k = c0 + ch;
            if (dgamma != null) dgamma[k] = (float)(sumDyXmu[ch] * invstd[k]);
            if (dbeta != null) dbeta[k] = (float)sumDy[ch];
        }
        if (dx == null) return;
        // evaluation: dx = dy·a; training: dx = (x - mean)·k + b + dy·a, with a = gamma·invstd
        for (int ch = 0; ch < channels; ch++)
        {
            int q = c0 + ch;
            float istd = invstd[q], a = (gamma == null ? 1f : gamma[q]) * istd;
            float k = training ? (float)(-a * (double)istd * istd * sumDyXmu[ch] / count) : 0f;
            float b = training ? (float)(-a * sumDy[ch] / count) : 0f;
            expanded.Slice(ch * l, l).Fill(a);
            partial.Slice(ch * l, l).Fill(k);
            second.Slice(ch * l, l).Fill(b);
        }
        for (int i = 0; i < n; i++)
        {
            Span<float> row = Run(dx, i, c, l, c0, run);
            ReadOnlySpan<float> grad = Run(dy, i, c, l, c0, run);
            if (!training)
            {
                TensorPrimitives.Multiply(grad, expanded, row);
                continue;
            }
            TensorPrimitives.FusedMultiplyAdd(row, partial, second, row);
            TensorPrimitives.FusedMultiplyAdd(grad, expanded, row, row);
        }
    }

    /// <summary>totals[ch] = Σ over images and the channel's L values of src, or of src² when <paramref name="squares"/>.</summary>
    private static void SumRuns(Span<double> totals, Span<float> partial, float* src, int n, int c, int l, int c0, int channels, bool squares)
    {
        int run = channels * l;
        totals.Clear();
        for (int i0 = 0; i0 < n; i0 += Block)
        {
            partial.Clear();
            for (int i = i0; i < Math.Min(n, i0 + Block); i++)
            {
                Span<float> row = Run(src, i, c, l, c0, run);
                if (squares) TensorPrimitives.FusedMultiplyAdd(row, row, partial, partial);
                else TensorPrimitives.Add(partial, row, partial);
            }
            AddPerChannel(totals, partial, channels, l);
        }
    }

    private static void AddPerChannel(Span<double> totals, Span<float> partial, int channels, int l)
    {
        for (int ch = 0; ch < channels; ch++)
        {
            double s = 0;
            for (int j = 0; j < l; j++) s += partial[ch * l + j];
            totals[ch] += s;
        }
    }

    /// <summary>dst[ch·L + j] = values[ch] for j &lt; L.</summary>
    private static void Expand(Span<float> dst, float* values, int channels, int l)
    {
        for (int ch = 0; ch < channels; ch++) dst.Slice(ch * l, l).Fill(values[ch]);
    }

    private static Span<float> Run(float* p, int i, int c, int l, int c0, int run) => new(p + ((long)i * c + c0) * l, run);
}
