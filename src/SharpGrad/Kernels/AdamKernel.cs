using System.Numerics;

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

    public static void Step(Span<float> w, ReadOnlySpan<float> g, Span<float> avg, Span<float> sqr, float decay,
        float mom, float sqrMom, float stepSize, float invDebias2, float eps)
    {
        if (g.Length != w.Length || avg.Length != w.Length || sqr.Length != w.Length)
            throw new ArgumentException($"Adam: parameter, gradient and state lengths differ ({w.Length}, {g.Length}, {avg.Length}, {sqr.Length}).");
        if (w.Length < 2 * ParallelLength) StepRange(w, g, avg, sqr, decay, mom, sqrMom, stepSize, invDebias2, eps);
        else StepParallel(w, g, avg, sqr, decay, mom, sqrMom, stepSize, invDebias2, eps);
    }

    /// <summary>The update split over the cores (its own method, so short parameters allocate no closure).</summary>
    private static unsafe void StepParallel(Span<float> w, ReadOnlySpan<float> g, Span<float> avg, Span<float> sqr, float decay,
        float mom, float sqrMom, float stepSize, float invDebias2, float eps)
    {
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
        // Vector<float>: the update streams four arrays, so it is memory-bound and the widest vectors gain nothing.
        if (Vector.IsHardwareAccelerated)
        {
            var vmom = new Vector<float>(mom);
            var vmom1 = new Vector<float>(1f - mom);
            var vsqr = new Vector<float>(sqrMom);
            var vsqr1 = new Vector<float>(1f - sqrMom);
            for (; i <= w.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = new Vector<float>(g[i..]);
                Vector<float> a = vmom * new Vector<float>(avg[i..]) + vmom1 * gi;
                Vector<float> q = vsqr * new Vector<float>(sqr[i..]) + vsqr1 * gi * gi;
                a.CopyTo(avg[i..]);
                q.CopyTo(sqr[i..]);
                (new Vector<float>(w[i..]) * new Vector<float>(decay) - new Vector<float>(stepSize) * a
                    / (Vector.SquareRoot(q * new Vector<float>(invDebias2)) + new Vector<float>(eps))).CopyTo(w[i..]);
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
