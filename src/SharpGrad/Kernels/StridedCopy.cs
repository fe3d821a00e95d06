namespace SharpGrad.Kernels;

/// <summary>Copies between strided views and contiguous buffers, for any element type.</summary>
internal static class StridedCopy
{
    /// <summary>dst (strided view) = src (strided view), both of shape <paramref name="sizes"/>.</summary>
    public static void Copy<T>(Span<T> dst, int[] dstStrides, int dstOffset, ReadOnlySpan<T> src, int[] srcStrides, int srcOffset, int[] sizes)
    {
        if (ShapeMath.Numel(sizes) == 0) return;
        var (sz, st) = RowCursor.Coalesce(sizes, dstStrides, srcStrides);
        int n = sz[^1], ds = st[0][^1], ss = st[1][^1];
        var cur = new RowCursor(sz, st[0], dstOffset, st[1], srcOffset, st[1], 0);
        for (int r = 0; r < cur.Rows; r++)
        {
            if (ds == 1 && ss == 1) src.Slice(cur.B, n).CopyTo(dst.Slice(cur.A, n));
            else if (ss == 0) dst.Slice(cur.A, n).Fill(src[cur.B]);
            else
                for (int i = 0, di = cur.A, si = cur.B; i < n; i++, di += ds, si += ss) dst[di] = src[si];
            cur.Advance();
        }
    }
}
