namespace SharpGrad.Data.Images;

/// <summary>The JPEG zig-zag coefficient ordering (T.81 Figure 5).</summary>
internal static class JpegZigZag
{
    /// <summary>
    /// <c>NaturalOrder[k]</c> is the row-major position (row * 8 + column) of the k-th coefficient in zig-zag order.
    /// </summary>
    public static readonly byte[] NaturalOrder = Build();

    private static byte[] Build()
    {
        // Walk the anti-diagonals, alternating direction: up-right on even sums, down-left on odd ones.
        var order = new byte[64];
        int k = 0;
        for (int sum = 0; sum <= 14; sum++)
        {
            int lo = Math.Max(0, sum - 7);
            int hi = Math.Min(7, sum);
            for (int i = lo; i <= hi; i++)
            {
                int row = (sum & 1) == 0 ? sum - i : i;
                int col = sum - row;
                order[k++] = (byte)((row * 8) + col);
            }
        }

        return order;
    }
}
