using System.Runtime.Intrinsics;

namespace SharpGrad.Kernels;

/// <summary>
/// Adam's per-element update, vectorised: w ·= decay (decoupled weight decay, 1 - lr·wd); avg = mom·avg + (1 - mom)·g;
/// sqr = sqrMom·sqr + (1 - sqrMom)·g·g; w -= stepSize·avg / (sqrt(sqr·invDebias2) + eps). Every lane does the scalar loop's operations in the same order
/// (no fused multiply-add), so the result is bitwise the same on every SIMD path.
/// </summary>
internal static class AdamKernel
{
    /// <summary>Elements from which the update is split over the cores (it streams four arrays: memory-bound, but each core brings its own bandwidth).</summary>
    private const int ParallelLength = 1 << 16;

    public static unsafe void Step(Span<float> w, ReadOnlySpan<float> g, Span<float> avg, Span<float> sqr, float decay,
        float mom, float sqrMom, float stepSize, float invDebias2, float eps)
    {
        if (g.Length != w.Length || avg.Length != w.Length || sqr.Length != w.Length)
            throw new ArgumentException($"Adam: parameter, gradient and state lengths differ ({w.Length}, {g.Length}, {avg.Length}, {sqr.Length}).");
        if (w.Length < 2 * ParallelLength)
        {
            StepRange(w, g, avg, sqr, decay, mom, sqrMom, stepSize, invDebias2, eps);
            return;
        }
        fixed (float* pw = w, pg = g, pa = avg, ps = sqr)
        {
            float* ww = pw, gg = pg, aa = pa, ss = ps;
            Parallelism.For(w.Length, ParallelLength, 16, (i0, i1) =>
                StepRange(new Span<float>(ww + i0, i1 - i0), new ReadOnlySpan<float>(gg + i0, i1 - i0), new Span<float>(aa + i0, i1 - i0),
                    new Span<float>(ss + i0, i1 - i0), decay, mom, sqrMom, stepSize, invDebias2, eps));
        }
    }

    private static void StepRange(Span<float> w, ReadOnlySpan<float> g, Span<float> avg, Span<float> sqr, float decay,
        float mom, float sqrMom, float stepSize, float invDebias2, float eps)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= w.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> gi = Vector512.Create(g[i..]);
                Vector512<float> a = Vector512.Create(mom) * Vector512.Create(avg[i..]) + Vector512.Create(1f - mom) * gi;
                Vector512<float> q = Vector512.Create(sqrMom) * Vector512.Create(sqr[i..]) + Vector512.Create(1f - sqrMom) * gi * gi;
                a.CopyTo(avg[i..]);
                q.CopyTo(sqr[i..]);
                (Vector512.Create(w[i..]) * Vector512.Create(decay) - Vector512.Create(stepSize) * a / (Vector512.Sqrt(q * Vector512.Create(invDebias2)) + Vector512.Create(eps))).CopyTo(w[i..]);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= w.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> gi = Vector256.Create(g[i..]);
                Vector256<float> a = Vector256.Create(mom) * Vector256.Create(avg[i..]) + Vector256.Create(1f - mom) * gi;
                Vector256<float> q = Vector256.Create(sqrMom) * Vector256.Create(sqr[i..]) + Vector256.Create(1f - sqrMom) * gi * gi;
                a.CopyTo(avg[i..]);
                q.CopyTo(sqr[i..]);
                (Vector256.Create(w[i..]) * Vector256.Create(decay) - Vector256.Create(stepSize) * a / (Vector256.Sqrt(q * Vector256.Create(invDebias2)) + Vector256.Create(eps))).CopyTo(w[i..]);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            float a = avg[i] = mom * avg[i] + (1f - mom) * gi;
            float q = sqr[i] = sqrMom * sqr[i] + (1f - sqrMom) * gi * gi;
            w[i] = w[i] * decay - stepSize * a / (MathF.Sqrt(q * invDebias2) + eps);
        }
    }
}
