using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SharpGrad.Kernels;

/// <summary>
/// The channels-last inference forward of a 3×3, stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3)
/// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): each 2×2 block of outputs is
/// Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for its 4×4 input patch d, so the products per block fall from 36 to 16 per channel pair
/// (2.25× fewer; 1.7× on a 7×7 map, whose last block row and column are half outside). The element-wise products
/// over all channels are 16 GEMMs, one per position ξ of the 4×4 transformed tile: M_ξ (tiles, OC) = V_ξ (tiles, C) ·
/// U_ξ (C, OC), run by the strided micro-kernel (<see cref="StridedKernel"/>, AVX-512 or AVX2) with V_ξ read in
/// place and U_ξ packed once per call in its panels. The transforms are additions and halvings along whole channel
/// vectors (the layout is channels-last): 7% of a 224x224 batch-64 resnet18 forward on Zen 3, against 51% for the
/// GEMMs. Tiles go through in groups sized so one position's V and M stay near L2 while the group's 16 positions go
/// by, and big enough that U, read once per group, is not the bottleneck at 512 channels. Rounding differs from the
/// direct sum (the transforms add before they multiply), its error against the exact sum measured as the direct
/// GEMM's (the tests hold it there); results do not depend on the grouping or the thread count.
/// </summary>
internal static unsafe class ConvWinograd
{
    /// <summary>Positions of a transformed 4×4 tile.</summary>
    private const int Positions = 16;

    /// <summary>Channels per vector of the transforms (Vector256: the same code with AVX2 and AVX-512).</summary>
    private const int Lanes = 8;

    /// <summary>Floats of one group's transformed tiles, V and M together, per position (see <see cref="GroupTiles"/>).</summary>
    private const int PositionBudget = 1 << 16;

    /// <summary>Fewest tiles per group: U (16·C·OC floats, 16 MB at 512 channels) is read once per group.</summary>
    private const int MinGroupTiles = 112;

    /// <summary>Whether F(2×2, 3×3) is used where it applies: a switch for timing it against the direct sum in one process (not thread-safe to flip while convs run).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether this path serves the plan: an ungrouped 3×3 conv, stride 1, no dilation, 16+ channels, with a strided
    /// micro-kernel (<see cref="StridedKernel"/>), and enough images and pixels to pay for the weight's transform.
    /// </summary>
    public static bool Supports(ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        if (!Enabled || s.KH != 3 || s.KW != 3 || s.StrideH != 1 || s.StrideW != 1 || s.DilH != 1 || s.DilW != 1 || s.Groups != 1
            || s.C < 16 || !p.AllTaps || !StridedKernel.Available || p.OH < 2 || p.OW < 2) return false;
        long tiles = (long)s.N * ((p.OH + 1) / 2) * ((p.OW + 1) / 2);
        return 9L * s.N * p.OH * p.OW - Positions * tiles >= MinSavedPerWeight;
    }

    /// <summary>
    /// Fewest multiplies a call must save per (input, output) channel pair to pay for transforming and packing 16/9 of
    /// the weight (more than the direct path packs). Measured on Zen 3 (AVX2, ms Winograd vs direct): resnet18's
    /// 14x14x256 at batch 1 (980 saved) 3.73 vs 3.85, 7x7x512 at batch 4 (740) 10.1 vs 8.8, 2x2x256 at batch 64
    /// (1,280) 1.85 vs 2.69, 28x28x128 at batch 1 (3,920) 1.89 vs 2.74.
    /// </summary>
    private const int MinSavedPerWeight = 1024;

    /// <summary>
    /// output (N, OH, OW, OC) channels-last = conv(input, weight (OC, C, 3, 3)) + bias (may be null), then the
    /// epilogue if active; input (N, H, W, C) channels-last, or (N, C, H, W), which is first copied channels-last.
    /// </summary>
    public static void Forward(float* output, float* input, bool inputChannelsLast, float* weight, float* bias, ConvPlan p, ConvEpilogue epilogue)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, oc = s.OC, width = StridedKernel.Width, panels = (oc + width - 1) / width;
        using var u = new Scratch((long)Positions * panels * c * width);
        TransformWeight(u.Pointer, weight, p);
        using var copy = new Scratch(inputChannelsLast ? 0 : (long)s.N * s.InputImage);
        if (!inputChannelsLast)
        {
            float* dst = copy.Pointer;
            int hw = s.H * s.W;
            WorkerPool.Run(s.N, j => Transpose.Run(dst + (long)j * s.InputImage, c, input + (long)j * s.InputImage, hw, c, hw)); // (C, HW) → (HW, C)
        }
        float* x = inputChannelsLast ? input : copy.Pointer, uu = u.Pointer;
        var layout = new Layout(p);
        int tileRows = s.N * layout.TilesH;
        // whole tile rows per group; at least four groups per thread when the batch allows, so both cores stay busy
        int rows = Math.Clamp((tileRows + 4 * Parallelism.Threads - 1) / (4 * Parallelism.Threads), 1,
            Math.Max(1, GroupTiles(c, oc) / layout.TilesW));
        int groups = (tileRows + rows - 1) / rows;
        WorkerPool.Run(groups, g =>
        {
            int r0 = g * rows, r1 = Math.Min(tileRows, r0 + rows), count = (r1 - r0) * layout.TilesW;
            using var v = new Scratch((long)Positions * count * c);
            using var m = new Scratch((long)Positions * count * oc);
            Group(output, x, uu, v.Pointer, m.Pointer, bias, epilogue, r0, r1, layout);
        });
    }

    /// <summary>
    /// Tiles per group: enough that V_ξ and M_ξ of one position take <see cref="PositionBudget"/> floats together,
    /// and at least <see cref="MinGroupTiles"/>.
    /// </summary>
    private static int GroupTiles(int c, int oc) => Math.Max(MinGroupTiles, PositionBudget / (c + oc));

    /// <summary>Where tiles, input pixels and outputs lie for one call.</summary>
    private readonly struct Layout(ConvPlan p)
    {
        public int C { get; } = p.S.C;
        public int OC { get; } = p.S.OC;
        public int H { get; } = p.S.H;
        public int W { get; } = p.S.W;
        public int PadH { get; } = p.S.PadH;
        public int PadW { get; } = p.S.PadW;
        public int OH { get; } = p.OH;
        public int OW { get; } = p.OW;
        public int TilesH { get; } = (p.OH + 1) / 2;
        public int TilesW { get; } = (p.OW + 1) / 2;
    }

    /// <summary>
    /// Tile rows [r0, r1) of the batch (image r / TilesH, tile row r % TilesH): transform the input patches, multiply
    /// position by position, transform back into the output, then apply the epilogue to the group's output rows.
    /// V and M hold the group's tiles position by position: tile t of position ξ at (ξ·count + t)·C, and ·OC.
    /// </summary>
    private static void Group(float* y, float* x, float* u, float* v, float* m, float* bias, in ConvEpilogue epilogue,
        int r0, int r1, in Layout l)
    {
        int count = (r1 - r0) * l.TilesW;
        TransformInputs(v, count, x, r0, r1, l);
        Multiply(m, v, u, count, l.C, l.OC);
        TransformOutputs(y, m, count, bias, r0, r1, l);
        if (epilogue.IsActive)
        {
            // the group's outputs are whole output rows, one run of pixels
            int first = r0 / l.TilesH, last = (r1 - 1) / l.TilesH;
            long start = ((long)first * l.OH + 2 * (r0 - first * l.TilesH)) * l.OW;
            long end = ((long)last * l.OH + Math.Min(l.OH, 2 * (r1 - 1 - last * l.TilesH) + 2)) * l.OW;
            epilogue.Apply(y, start * l.OC, (int)(end - start), l.OC, 0, l.OC);
        }
    }

    /// <summary>V ← Bᵀ d B for every tile of tile rows [r0, r1), read from the channels-last input x.</summary>
    private static void TransformInputs(float* v, int count, float* x, int r0, int r1, in Layout l)
    {
        int c = l.C;
        nint rowStride = (nint)l.W * c;
        for (int r = r0; r < r1; r++)
        {
            int image = r / l.TilesH, th = r - image * l.TilesH, h0 = 2 * th - l.PadH;
            float* img = x + (long)image * l.H * rowStride;
            for (int tw = 0; tw < l.TilesW; tw++)
            {
                int t = (r - r0) * l.TilesW + tw, w0 = 2 * tw - l.PadW;
                // the patch's pixels inside the image, one bit per (i, j) at 4i + j (a border tile reads zeros for the rest)
                int inside = 0;
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                        if ((uint)(h0 + i) < (uint)l.H && (uint)(w0 + j) < (uint)l.W) inside |= 1 << (i * 4 + j);
                float* patch = img + h0 * rowStride + (long)w0 * c;
                if (inside == 0xFFFF) InputTile<Interior>(v + (long)t * c, (long)count * c, patch, rowStride, c, inside);
                else InputTile<Border>(v + (long)t * c, (long)count * c, patch, rowStride, c, inside);
            }
        }
    }

    /// <summary>M_ξ (count, OC) = V_ξ (count, C) · U_ξ (C, OC) for each position ξ, a U panel at a time over the group's tiles.</summary>
    private static void Multiply(float* m, float* v, float* u, int count, int c, int oc)
    {
        int width = StridedKernel.Width, tileRows = StridedKernel.Rows, panels = (oc + width - 1) / width;
        for (int xi = 0; xi < Positions; xi++)
        {
            float* a = v + (long)xi * count * c, mm = m + (long)xi * count * oc;
            for (int j = 0; j < panels; j++)
            {
                float* b = u + ((long)xi * panels + j) * c * width;
                int nn = Math.Min(width, oc - j * width);
                for (int t0 = 0; t0 < count; t0 += tileRows)
                {
                    int rows = Math.Min(tileRows, count - t0);
                    StridedKernel.ByRows[rows](c, a + (long)t0 * c, c, 1, b, width, false, mm + (long)t0 * oc + j * width, oc, nn, false);
                }
            }
        }
    }

    /// <summary>The output ← Aᵀ M A + bias for every tile of tile rows [r0, r1), the outputs past the map's edge dropped.</summary>
    private static void TransformOutputs(float* y, float* m, int count, float* bias, int r0, int r1, in Layout l)
    {
        int oc = l.OC;
        for (int r = r0; r < r1; r++)
        {
            int image = r / l.TilesH, th = r - image * l.TilesH;
            int outRows = Math.Min(2, l.OH - 2 * th);
            for (int tw = 0; tw < l.TilesW; tw++)
            {
                int t = (r - r0) * l.TilesW + tw, outCols = Math.Min(2, l.OW - 2 * tw);
                float* dst = y + (((long)image * l.OH + 2 * th) * l.OW + 2 * tw) * oc;
                OutputTile(dst, (nint)l.OW * oc, outRows, outCols, m + (long)t * oc, (long)count * oc, bias, oc);
            }
        }
    }

    /// <summary>
    /// V = Bᵀ d B for one 4×4 patch, channel by channel: d[i, j] is the C channels at <paramref name="d"/> + i·rowStride
    /// + j·C, read only where bit 4i + j of <paramref name="inside"/> is set (zero elsewhere: the padding, or past the
    /// map's last row or column); position ξ = 4i + j is written at <paramref name="v"/> + ξ·positionStride.
    /// </summary>
    private static void InputTile<TPatch>(float* v, long positionStride, float* d, nint rowStride, int c, int inside) where TPatch : struct, IPatch
    {
        int ch = 0;
        for (; ch + Lanes <= c; ch += Lanes) InputVector<TPatch>(v + ch, positionStride, d + ch, rowStride, c, inside);
        if (ch == c) return;
        // the last channels through copies of the patch and the result, a vector per position
        float* patch = stackalloc float[Positions * Lanes], result = stackalloc float[Positions * Lanes];
        int rest = c - ch;
        new Span<float>(patch, Positions * Lanes).Clear();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                if ((inside >> (i * 4 + j) & 1) != 0)
                    new ReadOnlySpan<float>(d + i * rowStride + j * c + ch, rest).CopyTo(new Span<float>(patch + (i * 4 + j) * Lanes, rest));
        InputVector<Interior>(result, Lanes, patch, 4 * Lanes, Lanes, 0xFFFF);
        for (int xi = 0; xi < Positions; xi++)
            new ReadOnlySpan<float>(result + xi * Lanes, rest).CopyTo(new Span<float>(v + xi * positionStride + ch, rest));
    }

    // Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: row i of Bᵀd from two of d's rows, then its four positions along j,
    // all in registers (16 stores per vector of channels)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputVector<TPatch>(float* v, long positionStride, float* d, nint rowStride, int step, int inside) where TPatch : struct, IPatch
    {
        Row<TPatch>(v + 0 * 4 * positionStride, positionStride, d, 0, 2, -1, rowStride, step, inside); // d0 - d2
        Row<TPatch>(v + 1 * 4 * positionStride, positionStride, d, 1, 2, +1, rowStride, step, inside); // d1 + d2
        Row<TPatch>(v + 2 * 4 * positionStride, positionStride, d, 2, 1, -1, rowStride, step, inside); // d2 - d1
        Row<TPatch>(v + 3 * 4 * positionStride, positionStride, d, 1, 3, -1, rowStride, step, inside); // d1 - d3
    }

    // t = d[a] ± d[b] (4 vectors along j), then v[4i + j] = (t0 - t2, t1 + t2, t2 - t1, t1 - t3)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TPatch>(float* v, long positionStride, float* d, int a, int b, int sign, nint rowStride, int step, int inside) where TPatch : struct, IPatch
    {
        var t0 = Combine<TPatch>(d, a, b, 0, sign, rowStride, step, inside);
        var t1 = Combine<TPatch>(d, a, b, 1, sign, rowStride, step, inside);
        var t2 = Combine<TPatch>(d, a, b, 2, sign, rowStride, step, inside);
        var t3 = Combine<TPatch>(d, a, b, 3, sign, rowStride, step, inside);
        Vector256.Store(t0 - t2, v);
        Vector256.Store(t1 + t2, v + positionStride);
        Vector256.Store(t2 - t1, v + 2 * positionStride);
        Vector256.Store(t1 - t3, v + 3 * positionStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Combine<TPatch>(float* d, int a, int b, int j, int sign, nint rowStride, int step, int inside) where TPatch : struct, IPatch
    {
        var x = !TPatch.Partial || (inside >> (a * 4 + j) & 1) != 0 ? Vector256.Load(d + a * rowStride + j * step) : Vector256<float>.Zero;
        var y = !TPatch.Partial || (inside >> (b * 4 + j) & 1) != 0 ? Vector256.Load(d + b * rowStride + j * step) : Vector256<float>.Zero;
        return sign > 0 ? x + y : x - y;
    }

    /// <summary>Whether a patch may have pixels outside the image, as a type, so the interior tiles' code has no tests.</summary>
    private interface IPatch
    {
        static abstract bool Partial { get; }
    }

    private struct Interior : IPatch { public static bool Partial => false; }

    private struct Border : IPatch { public static bool Partial => true; }

    /// <summary>
    /// Y = Aᵀ M A for one tile, plus the bias, its <paramref name="rows"/> × <paramref name="cols"/> outputs that lie
    /// inside the map written at <paramref name="y"/> (rows <paramref name="rowStride"/> apart, pixels OC apart);
    /// position ξ of M at <paramref name="m"/> + ξ·positionStride.
    /// </summary>
    private static void OutputTile(float* y, nint rowStride, int rows, int cols, float* m, long positionStride, float* bias, int oc)
    {
        float* result = stackalloc float[4 * Lanes], staged = stackalloc float[Positions * Lanes];
        for (int o = 0; o < oc; o += Lanes)
        {
            int nn = Math.Min(Lanes, oc - o);
            Vector256<float> b = default;
            if (bias != null)
            {
                if (nn == Lanes) b = Vector256.Load(bias + o);
                else for (int i = 0; i < nn; i++) b = b.WithElement(i, bias[o + i]);
            }
            float* src = m + o;
            if (nn < Lanes)
            {
                // the last channels: a copy of M's 16 positions (M's rows hold OC floats; past them lies the next tile)
                for (int xi = 0; xi < Positions; xi++)
                {
                    new Span<float>(staged + xi * Lanes, Lanes).Clear();
                    new ReadOnlySpan<float>(src + xi * positionStride, nn).CopyTo(new Span<float>(staged + xi * Lanes, nn));
                }
                OutputVector(result, staged, Lanes, b);
            }
            else OutputVector(result, src, positionStride, b);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                {
                    float* dst = y + i * rowStride + j * oc + o;
                    if (nn == Lanes) Vector256.Store(Vector256.Load(result + (i * 2 + j) * Lanes), dst);
                    else new ReadOnlySpan<float>(result + (i * 2 + j) * Lanes, nn).CopyTo(new Span<float>(dst, nn));
                }
        }
    }

    // Aᵀ = [1 1 1 0; 0 1 -1 -1], applied to the columns, then to the rows; result[2i + j] = Y[i, j] + bias
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputVector(float* result, float* m, long positionStride, Vector256<float> bias)
    {
        Vector256<float> s00, s01, s02, s03, s10, s11, s12, s13;
        {
            var m0 = Vector256.Load(m + 0 * positionStride); var m4 = Vector256.Load(m + 4 * positionStride);
            var m8 = Vector256.Load(m + 8 * positionStride); var m12 = Vector256.Load(m + 12 * positionStride);
            s00 = m0 + m4 + m8; s10 = m4 - m8 - m12;
        }
        {
            var m1 = Vector256.Load(m + 1 * positionStride); var m5 = Vector256.Load(m + 5 * positionStride);
            var m9 = Vector256.Load(m + 9 * positionStride); var m13 = Vector256.Load(m + 13 * positionStride);
            s01 = m1 + m5 + m9; s11 = m5 - m9 - m13;
        }
        {
            var m2 = Vector256.Load(m + 2 * positionStride); var m6 = Vector256.Load(m + 6 * positionStride);
            var m10 = Vector256.Load(m + 10 * positionStride); var m14 = Vector256.Load(m + 14 * positionStride);
            s02 = m2 + m6 + m10; s12 = m6 - m10 - m14;
        }
        {
            var m3 = Vector256.Load(m + 3 * positionStride); var m7 = Vector256.Load(m + 7 * positionStride);
            var m11 = Vector256.Load(m + 11 * positionStride); var m15 = Vector256.Load(m + 15 * positionStride);
            s03 = m3 + m7 + m11; s13 = m7 - m11 - m15;
        }
        Vector256.Store(s00 + s01 + s02 + bias, result);
        Vector256.Store(s01 - s02 - s03 + bias, result + Lanes);
        Vector256.Store(s10 + s11 + s12 + bias, result + 2 * Lanes);
        Vector256.Store(s11 - s12 - s13 + bias, result + 3 * Lanes);
    }

    /// <summary>
    /// U_ξ = (G g Gᵀ)_ξ for every (oc, c), packed as the micro-kernel's B: position ξ's panel j (<see cref="StridedKernel.Width"/>
    /// output channels) at (ξ·panels + j)·C·width, row c width floats apart, columns past OC zero.
    /// G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]. The weight is first packed as the other channels-last convs pack it, panels
    /// whose rows t·C + c hold tap t of a panel's output channels, so the transform runs along output-channel vectors.
    /// </summary>
    internal static void TransformWeight(float* u, float* weight, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, k = p.K, width = StridedKernel.Width, panels = (s.OC + width - 1) / width;
        using var packed = new Scratch((long)panels * k * width);
        ConvImplicit.PackWeight(packed.Pointer, weight, reordered: false, p, width);
        float* src0 = packed.Pointer;
        long positionStride = (long)panels * c * width;
        Parallelism.For(panels * c, Math.Max(1, (1 << 12) / Math.Max(1, c)), 1, (i0, i1) =>
        {
            for (int i = i0; i < i1; i++)
            {
                int j = i / c, ch = i - j * c;
                float* g = src0 + (long)j * k * width + (long)ch * width;
                float* dst = u + ((long)j * c + ch) * width;
                for (int h = 0; h < width; h += Lanes) WeightVector(dst + h, positionStride, g + h, (nint)c * width);
            }
        });
    }

    // g[t] (t = 3kh + kw) at g + t·tapStride; U[4i + j] at u + (4i + j)·positionStride
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WeightVector(float* u, long positionStride, float* g, nint tapStride)
    {
        var half = Vector256.Create(0.5f);
        Vector256<float>* r = stackalloc Vector256<float>[12];
        for (int kw = 0; kw < 3; kw++)
        {
            var g0 = Vector256.Load(g + (0 * 3 + kw) * tapStride);
            var g1 = Vector256.Load(g + (1 * 3 + kw) * tapStride);
            var g2 = Vector256.Load(g + (2 * 3 + kw) * tapStride);
            r[0 * 3 + kw] = g0;
            r[1 * 3 + kw] = (g0 + g1 + g2) * half;
            r[2 * 3 + kw] = (g0 - g1 + g2) * half;
            r[3 * 3 + kw] = g2;
        }
        for (int i = 0; i < 4; i++)
        {
            var a0 = r[i * 3]; var a1 = r[i * 3 + 1]; var a2 = r[i * 3 + 2];
            Vector256.Store(a0, u + (i * 4 + 0) * positionStride);
            Vector256.Store((a0 + a1 + a2) * half, u + (i * 4 + 1) * positionStride);
            Vector256.Store((a0 - a1 + a2) * half, u + (i * 4 + 2) * positionStride);
            Vector256.Store(a2, u + (i * 4 + 3) * positionStride);
        }
    }
}
