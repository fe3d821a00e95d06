using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace SharpGrad.Cuda;

/// <summary>A batch norm's layout and settings, passed as one kernel argument.</summary>
internal readonly record struct NormShape(int N, int C, int L, int Training, float Momentum, float Eps, int HasAffine, int HasRunning, int Relu);

/// <summary>A 2-D pool's geometry (square kernel, stride and padding per axis) over (planes, H, W).</summary>
internal readonly record struct PoolShape(int Planes, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, int OH, int OW, int CountIncludePad);

/// <summary>
/// Batch norm and pooling on the device. Per-channel sums are a group of 256 threads per channel, each summing a fixed
/// stride of the channel's elements, then a tree in shared memory: the same order every run (deterministic), in
/// float where the CPU sums in double (so they agree within the tests' tolerance, not bitwise). The pool gradients
/// gather (each input pixel reads the outputs whose windows cover it), so they need no atomics either.
/// </summary>
internal static class GpuNormPool
{
    public const int Threads = 256;

    /// <summary>Sum of <paramref name="value"/> over the group's 256 threads, the same tree every time; every thread gets it.</summary>
    private static float GroupSum(ArrayView<float> scratch, float value)
    {
        int t = Group.IdxX;
        scratch[t] = value;
        Group.Barrier();
        for (int width = Threads / 2; width > 0; width /= 2)
        {
            if (t < width) scratch[t] += scratch[t + width];
            Group.Barrier();
        }
        float total = scratch[0];
        Group.Barrier();
        return total;
    }

    private static long Index(NormShape s, int channel, int e) => ((long)(e / s.L) * s.C + channel) * s.L + e % s.L;

    /// <summary>
    /// One group per channel: the statistics that normalise it (the batch's in training, updating the running ones
    /// with the unbiased variance; the running ones in evaluation), then y = (x - mean)·invstd·gamma + beta (ReLU'd on request).
    /// </summary>
    public static void Forward(ArrayView<float> y, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> mean, ArrayView<float> invstd, NormShape s)
    {
        var scratch = SharedMemory.Allocate<float>(Threads);
        int ch = Grid.IdxX, t = Group.IdxX, count = s.N * s.L;
        float mu, variance;
        if (s.Training != 0)
        {
            float sum = 0f;
            for (int e = t; e < count; e += Threads) sum += x[Index(s, ch, e)];
            mu = GroupSum(scratch, sum) / count;
            float squares = 0f;
            for (int e = t; e < count; e += Threads)
            {
                float d = x[Index(s, ch, e)] - mu;
                squares += d * d;
            }
            float total = GroupSum(scratch, squares);
            variance = total / count;
            if (t == 0 && s.HasRunning != 0)
            {
                runningMean[ch] = s.Momentum * mu + (1f - s.Momentum) * runningMean[ch];
                runningVar[ch] = s.Momentum * total / (count - 1) + (1f - s.Momentum) * runningVar[ch];
            }
        }
        else
        {
            mu = runningMean[ch];
            variance = runningVar[ch];
        }
        float istd = XMath.Rsqrt(variance + s.Eps);
        if (t == 0)
        {
            mean[ch] = mu;
            invstd[ch] = istd;
        }
        float g = s.HasAffine != 0 ? gamma[ch] : 1f, b = s.HasAffine != 0 ? beta[ch] : 0f;
        for (int e = t; e < count; e += Threads)
        {
            long k = Index(s, ch, e);
            float v = (x[k] - mu) * istd * g + b;
            y[k] = s.Relu != 0 && v < 0f ? 0f : v;
        }
    }

    /// <summary>
    /// One group per channel: dgamma = Σ dy·x̂, dbeta = Σ dy, and dx (training: through the batch statistics;
    /// evaluation: dy·gamma·invstd). With ReLU fused, dy is first masked where the output y is not positive.
    /// </summary>
    public static void Backward(ArrayView<float> dx, ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> dy,
        ArrayView<float> x, ArrayView<float> y, ArrayView<float> gamma, ArrayView<float> mean, ArrayView<float> invstd, NormShape s)
    {
        var scratch = SharedMemory.Allocate<float>(Threads);
        int ch = Grid.IdxX, t = Group.IdxX, count = s.N * s.L;
        float mu = mean[ch], istd = invstd[ch], g = s.HasAffine != 0 ? gamma[ch] : 1f;
        float sumDy = 0f, sumDyXhat = 0f;
        for (int e = t; e < count; e += Threads)
        {
            long k = Index(s, ch, e);
            float d = s.Relu != 0 && y[k] <= 0f ? 0f : dy[k];
            sumDy += d;
            sumDyXhat += d * (x[k] - mu) * istd;
        }
        sumDy = GroupSum(scratch, sumDy);
        sumDyXhat = GroupSum(scratch, sumDyXhat);
        if (t == 0 && s.HasAffine != 0)
        {
            dgamma[ch] = sumDyXhat;
            dbeta[ch] = sumDy;
        }
        for (int e = t; e < count; e += Threads)
        {
            long k = Index(s, ch, e);
            float d = s.Relu != 0 && y[k] <= 0f ? 0f : dy[k];
            dx[k] = s.Training != 0
                ? g * istd / count * (count * d - sumDy - (x[k] - mu) * istd * sumDyXhat)
                : d * g * istd;
        }
    }

    /// <summary>Max or average pool, one thread per output; the max keeps its argmax (h·W + w) for the gradient.</summary>
    public static void PoolForward(Index1D i, ArrayView<float> y, ArrayView<int> argmax, ArrayView<float> x, PoolShape s, int max)
    {
        int plane = i / (s.OH * s.OW), o = i % (s.OH * s.OW), oh = o / s.OW, ow = o % s.OW;
        long baseIn = (long)plane * s.H * s.W;
        float best = float.NegativeInfinity, sum = 0f;
        int at = -1, count = 0;
        for (int kh = 0; kh < s.KH; kh++)
        {
            int ih = oh * s.SH - s.PH + kh;
            for (int kw = 0; kw < s.KW; kw++)
            {
                int iw = ow * s.SW - s.PW + kw;
                bool inside = ih >= 0 && iw >= 0 && ih < s.H && iw < s.W;
                if (inside)
                {
                    float v = x[baseIn + ih * s.W + iw];
                    if (v > best || float.IsNaN(v) || at < 0) { best = v; at = ih * s.W + iw; }
                    sum += v;
                    count++;
                }
                else if (s.CountIncludePad != 0 && ih < s.H + s.PH && iw < s.W + s.PW)
                {
                    count++;
                }
            }
        }
        if (max != 0)
        {
            y[i] = best;
            argmax[i] = at;
        }
        else
        {
            y[i] = sum / count;
        }
    }

    /// <summary>The pools' input gradient, one thread per input pixel gathering from the outputs whose windows cover it.</summary>
    public static void PoolBackward(Index1D i, ArrayView<float> dx, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> counts, PoolShape s, int max)
    {
        int plane = i / (s.H * s.W), q = i % (s.H * s.W), ih = q / s.W, iw = q % s.W;
        long baseOut = (long)plane * s.OH * s.OW;
        // Outputs oh with oh·sh - ph <= ih < oh·sh - ph + kh.
        int ohLo = XMath.Max(0, (ih + s.PH - s.KH + s.SH) / s.SH), ohHi = XMath.Min(s.OH - 1, (ih + s.PH) / s.SH);
        int owLo = XMath.Max(0, (iw + s.PW - s.KW + s.SW) / s.SW), owHi = XMath.Min(s.OW - 1, (iw + s.PW) / s.SW);
        float g = 0f;
        for (int oh = ohLo; oh <= ohHi; oh++)
            for (int ow = owLo; ow <= owHi; ow++)
            {
                long o = baseOut + oh * s.OW + ow;
                if (max != 0) { if (argmax[o] == q) g += dy[o]; }
                else g += dy[o] / counts[oh * s.OW + ow];
            }
        dx[i] = g;
    }
}
