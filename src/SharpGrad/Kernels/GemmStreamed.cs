namespace SharpGrad.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>A at most this many rows tall (four tiles) is always read in place: packing it would not pay.</summary>
    private const int StreamRows = 4 * 14;

    /// <summary>A (kc × n) block of packed B up to this many floats (512 KB) stays in L2 while A's tiles sweep over it.</summary>
    private const long StreamBlockFloats = 128 * 1024;

    /// <summary>
    /// Whether to read A in place through the AVX-512 kernel rather than pack it. Packing A pays when many column
    /// panels reuse each packed tile; it does not when n ≤ 64 (one or two panels: for the MLP's 256×784 · 784×30,
    /// packing A cost as much as the multiply), when A is a few tiles tall, or when B's (kc × n) block fits in L2, so
    /// that a 14-row tile of A stays in L1 across all the panels. Leading dimensions that are multiples of 512 floats
    /// (2 KB) map a tile's rows onto a few L1 sets, so those are packed unless every element is used only once.
    /// </summary>
    private static bool StreamA(int m, int n, int k, int rsA, int csA, int csB)
    {
        if (n <= 32) return true;
        if ((Math.Max(rsA, csA) & 511) == 0) return false;
        if (n <= 64) return true;
        if (m <= StreamRows) return csB == 1 || n <= NC;
        return (long)Math.Min(k, KC) * RoundUp(n, 32) <= StreamBlockFloats;
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    /// <summary>
    /// The AVX-512 product that streams A: each tile of up to 14 rows is broadcast straight from A through its strides
    /// (<see cref="GemmKernels512"/>), rows are cut into tiles of equal height (30 rows: 10, 10, 10, no 2-row
    /// remainder), and partial tiles are masked, never copied through scratch. B is read in place when its rows are
    /// contiguous and either short (then B is as compact as its packed form) or used by at most four row tiles;
    /// otherwise it is packed once — for all of k when that fits the buffer, so two threads share it after a single
    /// hand-off — and the threads split the row tiles (or the column panels, when there are more of those).
    /// </summary>
    private static void Streamed(float* c, int ldc, float* a, int rsA, int csA, float* b, int rsB, int csB, int m, int n, int k,
        bool accumulate, int threads)
    {
        int tiles = (m + 13) / 14, panels = (n + 31) / 32;
        bool tilesOuter = tiles >= panels;
        int extent = tilesOuter ? tiles : panels;
        int pieces = threads == 1 ? 1 : Math.Min(threads * 4, extent);
        var job = new StreamJob(c, ldc, a, rsA, csA, m, n, accumulate, tiles, panels, tilesOuter, (extent + pieces - 1) / pieces);

        if (csB == 1 && (rsB <= 64 || tiles <= 4))
        {
            job.Run(b, rsB, 32, true, 0, k);
            return;
        }
        const int Capacity = KC * (NC + 32);
        float* packB = Buffer(ref t_packB, Capacity);
        if ((long)k * panels * 32 <= Capacity)
        {
            PackB(packB, b, rsB, csB, k, n, 32);
            job.Run(packB, 32, (nint)k * 32, false, 0, k);
            return;
        }
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            PackB(packB, b + (long)pc * rsB, rsB, csB, kc, n, 32);
            job.Run(packB, 32, (nint)kc * 32, false, pc, pc + kc);
        }
    }

    /// <summary>One streamed product: C, A and the tiling, with the pieces the threads claim.</summary>
    private readonly struct StreamJob(float* c, int ldc, float* a, int rsA, int csA, int m, int n, bool accumulate,
        int tiles, int panels, bool tilesOuter, int chunk)
    {
        /// <summary>
        /// Rows [k0, k1) of the product, with B's row k0 at <paramref name="b"/>: rows <paramref name="bRow"/> floats
        /// apart, column panels <paramref name="bPanel"/> floats apart, loads masked when B is read in place.
        /// </summary>
        public void Run(float* b, nint bRow, nint bPanel, bool inPlace, int k0, int k1)
        {
            int extent = tilesOuter ? tiles : panels, size = chunk;
            int pieces = (extent + size - 1) / size;
            if (pieces <= 1) Range(b, bRow, bPanel, inPlace, k0, k1, 0, extent);
            else RunPieces(b, bRow, bPanel, inPlace, k0, k1, pieces, extent, size);
        }

        /// <summary>The pieces on the worker pool (its own method, so a one-piece product allocates no closure).</summary>
        private void RunPieces(float* b, nint bRow, nint bPanel, bool inPlace, int k0, int k1, int pieces, int extent, int size)
        {
            StreamJob self = this;
            WorkerPool.Run(pieces, t => self.Range(b, bRow, bPanel, inPlace, k0, k1, t * size, Math.Min(extent, (t + 1) * size)));
        }

        /// <summary>Row tiles (or column panels) [start, end) over all the column panels (or row tiles).</summary>
        private void Range(float* b, nint bRow, nint bPanel, bool inPlace, int k0, int k1, int start, int end)
        {
            int t0 = tilesOuter ? start : 0, t1 = tilesOuter ? end : tiles;
            int j0 = tilesOuter ? 0 : start, j1 = tilesOuter ? panels : end;
            var kernels = GemmKernels512.ByRows;
            for (int pc = k0; pc < k1; pc += KC)
            {
                int kc = Math.Min(KC, k1 - pc);
                bool acc = accumulate || pc > 0;
                float* bk = b + (pc - k0) * bRow;
                if (tilesOuter)
                {
                    // A tile stays in L1 while it meets every panel of the (L2-resident) B block.
                    for (int t = t0; t < t1; t++)
                    {
                        int i0 = TileStart(t), rows = TileStart(t + 1) - i0;
                        var kernel = kernels[rows];
                        float* ap = a + (long)i0 * rsA + (long)pc * csA;
                        float* ct = c + (long)i0 * ldc;
                        for (int jp = j0; jp < j1; jp++)
                            kernel(kc, ap, rsA, csA, bk + jp * bPanel, bRow, inPlace, ct + jp * 32, ldc, Math.Min(32, n - jp * 32), acc);
                    }
                }
                else
                {
                    // A B panel stays in L1 while it meets every (short) tile of A.
                    for (int jp = j0; jp < j1; jp++)
                    {
                        float* bp = bk + jp * bPanel;
                        int nn = Math.Min(32, n - jp * 32);
                        for (int t = t0; t < t1; t++)
                        {
                            int i0 = TileStart(t), rows = TileStart(t + 1) - i0;
                            kernels[rows](kc, a + (long)i0 * rsA + (long)pc * csA, rsA, csA, bp, bRow, inPlace, c + (long)i0 * ldc + jp * 32, ldc, nn, acc);
                        }
                    }
                }
            }
        }

        /// <summary>First row of tile t: tiles differ in height by at most one row, none over 14.</summary>
        private int TileStart(int t) => (int)((long)t * m / tiles);
    }
}
