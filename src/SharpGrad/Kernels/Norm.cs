using System.Buffers;
using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>
/// Batch normalisation over (N, L) per channel of a contiguous (N, C, L) block (L = H·W for images, 1 for features),
/// split over the cores by channels. Training normalises with the batch mean and biased variance and moves the running
/// statistics towards the batch mean and the unbiased variance; evaluation normalises with the running statistics. The
/// forward pass caches the mean and inverse standard deviation it used, which the backward pass reads. Each channel's
/// sums are taken per (n, c) row with SIMD and combined in double, in a fixed order; maps shorter than a vector go
/// through <see cref="NormSmallMaps"/>, which works along each image's run of channels instead. All outputs are
/// written, not accumulated. <see cref="NormReference"/> is the plain loop the tests compare with.
/// </summary>
internal static unsafe class Norm
{
    /// <summary>Elements a channel loop must touch before it is split over the cores.</summary>
    private const int ChannelWork = 1 << 15;

    // y (N,C,L) = (x (N,C,L) - mean) · invstd · gamma + beta, then max(y, 0) when relu; mean, invstd (C) written; gamma, beta (C) or empty (1 and 0);
    // training: batch statistics, and runningMean, runningVar (C, or empty) ← (1 - momentum)·running + momentum·batch
    // (unbiased variance); otherwise the running statistics are used.
    public static void BatchNormForward(Span<float> y, Span<float> mean, Span<float> invstd, ReadOnlySpan<float> x,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> runningMean, Span<float> runningVar,
        int n, int c, int l, bool training, float momentum, float eps, bool relu = false)
    {
        long count = (long)n * l;
        Check(y.Length, x.Length, mean.Length, invstd.Length, gamma, beta, n, c, l);
        if (runningMean.Length != runningVar.Length || (!runningMean.IsEmpty && runningMean.Length < c))
            throw new ArgumentException($"BatchNorm: running statistics of {runningMean.Length} and {runningVar.Length} elements for {c} channels.");
        if (!training && runningMean.IsEmpty) throw new ArgumentException("BatchNorm: evaluation needs running statistics.");
        if (training && count < 1) throw new ArgumentException("BatchNorm: training needs at least one value per channel.");
        fixed (float* py = y, pm = mean, ps = invstd, px = x, pg = gamma, pb = beta, prm = runningMean, prv = runningVar)
        {
            float* yy = py, mm = pm, ss = ps, xx = px, gg = gamma.IsEmpty ? null : pg, bb = beta.IsEmpty ? null : pb;
            float* rm = runningMean.IsEmpty ? null : prm, rv = runningVar.IsEmpty ? null : prv;
            ForChannels(c, count, (c0, c1) =>
            {
                if (l < NormSmallMaps.MaxLength)
                {
                    NormSmallMaps.Forward(yy, mm, ss, xx, gg, bb, rm, rv, n, c, l, c0, c1, training, momentum, eps, relu);
                    return;
                }
                for (int ch = c0; ch < c1; ch++)
                {
                    float mu, istd;
                    if (training)
                    {
                        double sum = 0, squares = 0;
                        for (int i = 0; i < n; i++) sum += NormRows.Sum(At(xx, i, ch, c, l), l);
                        mu = (float)(sum / count);
                        // y's row holds x - mean until the final pass
                        for (int i = 0; i < n; i++)
                        {
                            float* centred = At(yy, i, ch, c, l);
                            NormRows.Subtract(centred, At(xx, i, ch, c, l), mu, l);
                            squares += NormRows.SumOfSquares(centred, l);
                        }
                        double variance = squares / count;
                        istd = (float)(1 / Math.Sqrt(variance + eps));
                        if (rm != null)
                        {
                            double unbiased = count > 1 ? squares / (count - 1) : double.NaN;
                            rm[ch] = momentum * mu + (1 - momentum) * rm[ch];
                            rv[ch] = momentum * (float)unbiased + (1 - momentum) * rv[ch];
                        }
                    }
                    else
                    {
                        mu = rm[ch];
                        istd = (float)(1 / Math.Sqrt((double)rv[ch] + eps));
                        for (int i = 0; i < n; i++) NormRows.Subtract(At(yy, i, ch, c, l), At(xx, i, ch, c, l), mu, l);
                    }
                    mm[ch] = mu;
                    ss[ch] = istd;
                    float scale = istd * (gg == null ? 1f : gg[ch]), shift = bb == null ? 0f : bb[ch];
                    for (int i = 0; i < n; i++) NormRows.ScaleShift(At(yy, i, ch, c, l), scale, shift, l, relu);
                }
            });
        }
    }

    // dx (N,C,L) (or empty), dgamma, dbeta (C) (or empty) from dy (N,C,L), x, and the forward's mean and invstd (C); gamma (C) or empty.
    // training: dx = gamma·invstd·(dy - mean(dy) - x̂·mean(dy·x̂)) with x̂ = (x - mean)·invstd; evaluation: dx = dy·gamma·invstd.
    // dgamma = Σ dy·x̂, dbeta = Σ dy over (N, L).
    // relu: the norm was followed by a fused ReLU, so dy counts only where the output was positive (ReLU's backward).
    // The sign is recomputed from x, mean, invstd, gamma and beta (C, or empty: 0) with the forward's own arithmetic,
    // a row at a time, so neither the output nor a second activation-sized gradient has to live until here.
    public static void BatchNormBackward(Span<float> dx, Span<float> dgamma, Span<float> dbeta, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invstd, ReadOnlySpan<float> gamma, int n, int c, int l, bool training,
        bool relu = false, ReadOnlySpan<float> beta = default)
    {
        long count = (long)n * l;
        Check(dy.Length, x.Length, mean.Length, invstd.Length, gamma, beta, n, c, l);
        if ((!dx.IsEmpty && dx.Length < count * c) || (!dgamma.IsEmpty && dgamma.Length < c) || (!dbeta.IsEmpty && dbeta.Length < c))
            throw new ArgumentException($"BatchNorm backward: gradient buffers too small for ({n}, {c}, {l}).");
        if (relu && l < NormSmallMaps.MaxLength)
        {
            // Small maps work on runs of whole channels: mask the (small) gradient up front.
            using var masked = new Scratch(count * c);
            MaskSmallMaps(new Span<float>(masked.Pointer, (int)(count * c)), dy, x, mean, invstd, gamma, beta, n, c, l);
            BatchNormBackward(dx, dgamma, dbeta, new ReadOnlySpan<float>(masked.Pointer, (int)(count * c)), x, mean, invstd, gamma, n, c, l, training);
            return;
        }
        fixed (float* pdx = dx, pdg = dgamma, pdb = dbeta, pdy = dy, px = x, pm = mean, ps = invstd, pg = gamma, pb = beta)
        {
            float* ddx = dx.IsEmpty ? null : pdx, ddg = dgamma.IsEmpty ? null : pdg, ddb = dbeta.IsEmpty ? null : pdb;
            float* gy = pdy, xx = px, mm = pm, ss = ps, gg = gamma.IsEmpty ? null : pg, bb = beta.IsEmpty ? null : pb;
            ForChannels(c, count, (c0, c1) =>
            {
                if (l < NormSmallMaps.MaxLength)
                {
                    NormSmallMaps.Backward(ddx, ddg, ddb, gy, xx, mm, ss, gg, n, c, l, c0, c1, training);
                    return;
                }
                using var scratch = new Scratch((ddx == null ? Math.Max(l, 1) : 0) + (relu ? l : 0));
                float* rowScratch = scratch.Pointer, maskedRow = scratch.Pointer + (ddx == null ? Math.Max(l, 1) : 0);
                for (int ch = c0; ch < c1; ch++)
                {
                    float mu = mm[ch], istd = ss[ch], g = gg == null ? 1f : gg[ch], shift = bb == null ? 0f : bb[ch];
                    // dy's row of image i, or, after a ReLU, dy where the forward's pre-ReLU value (centred · scale + shift,
                    // computed as the forward computed it) was positive
                    float* Dy(int i, float* centredRow)
                    {
                        float* row = At(gy, i, ch, c, l);
                        if (!relu) return row;
                        new ReadOnlySpan<float>(centredRow, l).CopyTo(new Span<float>(maskedRow, l));
                        NormRows.ScaleShift(maskedRow, istd * g, shift, l, relu: false);
                        var masked = new Span<float>(maskedRow, l);
                        Compare.WherePositiveRange(masked, masked, new ReadOnlySpan<float>(row, l));
                        return maskedRow;
                    }
                    double sumDy = 0, sumDyXmu = 0;
                    for (int i = 0; i < n; i++)
                    {
                        float* centred = ddx != null ? At(ddx, i, ch, c, l) : rowScratch;
                        NormRows.Subtract(centred, At(xx, i, ch, c, l), mu, l);
                        float* gr = Dy(i, centred);
                        sumDyXmu += NormRows.Dot(gr, centred, l);
                        sumDy += NormRows.Sum(gr, l);
                    }
                    if (ddg != null) ddg[ch] = (float)(sumDyXmu * istd);
                    if (ddb != null) ddb[ch] = (float)sumDy;
                    if (ddx == null) continue;
                    float a = g * istd;
                    if (!training)
                    {
                        for (int i = 0; i < n; i++) NormRows.Multiply(At(ddx, i, ch, c, l), Dy(i, At(ddx, i, ch, c, l)), a, l);
                        continue;
                    }
                    // dx = (x - mean)·k + b + dy·a; the rows of dx already hold x - mean
                    float k = (float)(-a * (double)istd * istd * sumDyXmu / count), b = (float)(-a * sumDy / count);
                    for (int i = 0; i < n; i++) NormRows.Affine(At(ddx, i, ch, c, l), k, b, Dy(i, At(ddx, i, ch, c, l)), a, l);
                }
            });
        }
    }

    /// <summary>
    /// masked = dy where the forward's pre-ReLU value was positive, for maps under <see cref="NormSmallMaps.MaxLength"/>:
    /// that path computes it as (x - mean) fused-multiplied by invstd·gamma and added to beta, and so does this.
    /// </summary>
    private static void MaskSmallMaps(Span<float> masked, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> invstd, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int n, int c, int l)
    {
        for (int i = 0, at = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
            {
                float mu = mean[ch], scale = invstd[ch] * (gamma.IsEmpty ? 1f : gamma[ch]), shift = beta.IsEmpty ? 0f : beta[ch];
                for (int q = 0; q < l; q++, at++)
                    masked[at] = MathF.FusedMultiplyAdd(x[at] - mu, scale, shift) > 0 ? dy[at] : 0f;
            }
    }

    private static float* At(float* p, int i, int ch, int c, int l) => p + ((long)i * c + ch) * l;

    private static void Check(int yLength, int xLength, int meanLength, int invstdLength, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int n, int c, int l)
    {
        if (n < 0 || c < 0 || l < 0) throw new ArgumentException($"BatchNorm: invalid sizes ({n}, {c}, {l}).");
        long size = (long)n * c * l;
        if (yLength < size || xLength < size || meanLength < c || invstdLength < c || (!gamma.IsEmpty && gamma.Length < c) || (!beta.IsEmpty && beta.Length < c))
            throw new ArgumentException($"BatchNorm: buffers too small for ({n}, {c}, {l}).");
    }

    private static void ForChannels(int channels, long perChannel, Action<int, int> body)
    {
        int threshold = (int)Math.Clamp(ChannelWork / Math.Max(perChannel, 1), 1, int.MaxValue);
        Parallelism.For(channels, threshold, 1, body);
    }
}
