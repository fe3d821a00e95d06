using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>
/// The forward convolution as an implicit GEMM, for the convs <see cref="ConvPixelRows"/> lowers when every tap is live:
/// training's forward with the AVX-512 micro-kernel, inference's channels-last forward with either strided kernel
/// (<see cref="StridedKernel"/>: 14 × 32 with AVX-512, 6 × 16 with AVX2). The input is channels-last (a copy of each
/// image, zero-padded, unless it already is: then it is read in place); for a tile of up to a kernel's rows of output
/// pixels along one output row, the rows of tap t's block of the im2col matrix are C consecutive floats, StrideW·C
/// apart, in that image, so the micro-kernel reads them where they lie (its strided A)
/// and adds tap after tap into the tile. Without dilation along the width a kernel row's taps are one run of KW·C
/// floats, read as one piece of K (3 calls per tile for a 3×3 conv, and the 3-channel stem's 7×7 rows are runs of 21).
/// The im2col matrix, nine times the input for a 3×3 conv and built before in a pass that took 13% of a 224×224
/// resnet18 forward, is never written. The sums run run by run (each run's products chained in registers, then added
/// to the tile), so they round differently from the explicit GEMM's single chain. In inference the tiles can be
/// written channels-last, where they lie (<see cref="ConvPixelRows.ForwardChannelsLast"/>).
/// </summary>
internal static unsafe class ConvImplicit
{
    /// <summary>
    /// Floats of padded images and output rows per block of images (4 MB). With the im2col lowering's 16 MB blocks a
    /// 1x1 stride-2 downsample copied a whole 32-image batch (26 MB, kept by the shared array pool as a 34 MB array) and
    /// the 224x224 batch-32 training step's peak went from 1,404 to 1,471 MB; with these, 1,438 MB. A block still holds
    /// a few hundred tiles, plenty for two cores.
    /// </summary>
    private const long BlockBudget = 1 << 20;

    /// <summary>The AVX-512 micro-kernel's rows, the only tile the images-layout forward (reordered weight, panels of 32) runs with.</summary>
    private const int TileRows512 = 14;

    /// <summary>Whether this path computes the plan's forward pass in the images layout (training's forward): with AVX-512.</summary>
    public static bool Supports(ConvPlan p) => Geometry(p) && Gemm.Kernel.MR == TileRows512;

    /// <summary>Whether this path computes the plan's channels-last forward: with either strided micro-kernel (<see cref="StridedKernel"/>).</summary>
    public static bool SupportsChannelsLast(ConvPlan p) => Geometry(p) && StridedKernel.Available;

    private static bool Geometry(ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        bool channels = s.C >= MinChannels || (s.DilW == 1 && s.KW * s.C >= MinChannels); // the runs the kernel reads
        return !p.Direct && s.Groups == 1 && channels && p.AllTaps && p.OW >= MinWidth;
    }

    /// <summary>
    /// Floats per run of A the micro-kernel reads: C channels of a tap, or KW·C of a kernel row when the width is not
    /// dilated (a stem's 3 channels make runs of 21 at 7×7).
    /// </summary>
    private const int MinChannels = 16;

    /// <summary>
    /// Output rows narrower than this stay on the explicit lowering, whose tiles of 14 rows run across output rows and
    /// images: tiles of 4 or 2 pixels (resnet18's layer2 and layer3 on 28x28 digits) load as much as they multiply.
    /// Measured on 28x28 batch-64 inference: 12% slower with every width here, level from 7 (layer1's 7x7 maps).
    /// </summary>
    private const int MinWidth = 7;

    /// <summary>
    /// output = conv(input, weight) + bias (bias may be null), with the weight already reordered to wr (OC, K)[oc, t·C + c]
    /// (<see cref="ConvPixelRows"/>'s order). The input is (N,C,H,W), or channels-last (N,H,W,C) when
    /// <paramref name="inputChannelsLast"/>; the output (N,OC,OH,OW), or channels-last (N,OH,OW,OC) when
    /// <paramref name="outputChannelsLast"/>: then the tiles are written where they belong and the pass that transposes
    /// them back to images (6% of a 224x224 resnet18 forward) is not needed, and a channels-last input is padded by row
    /// copies instead of transposes (another 4%).
    /// </summary>
    public static void Forward(float* output, bool outputChannelsLast, float* input, bool inputChannelsLast, float* wr, float* bias, ConvPlan p,
        ConvEpilogue epilogue = default) => Forward(output, outputChannelsLast, input, inputChannelsLast, wr, weightReordered: true, bias, p, epilogue);

    /// <summary>
    /// <see cref="Forward(float*, bool, float*, bool, float*, float*, ConvPlan, ConvEpilogue)"/> with the weight as
    /// given, (OC, C, KH, KW), when <paramref name="weightReordered"/> is false: packed into the kernel's panels in one
    /// pass, without the reordered copy (half the weight traffic per call: layer4's 9.4 MB weights dominate a batch-1 call).
    /// </summary>
    public static void Forward(float* output, bool outputChannelsLast, float* input, bool inputChannelsLast, float* weight, bool weightReordered,
        float* bias, ConvPlan p, ConvEpilogue epilogue = default)
    {
        if (epilogue.IsActive && !outputChannelsLast) throw new ArgumentException("Conv: a fused batch norm needs the channels-last output.");
        Conv2dGeometry s = p.S;
        int oc = s.OC, k = p.K, ohw = p.OH * p.OW, width = StridedKernel.Width, tileRows = StridedKernel.Rows, panels = (oc + width - 1) / width;
        // B = wrᵀ (K, OC) in panels of `width` columns, panel j at j·K·width, its rows width floats apart: tap t's rows start at t·C·width
        using var packB = new Scratch((long)panels * k * width);
        PackWeight(packB.Pointer, weight, weightReordered, p, width);
        var tiles = new TileGrid(p.OW, tileRows);
        float* bp = packB.Pointer;
        int workPerTile = Math.Max(1, 1 << 20 / Math.Max(1, k * Math.Min(oc, width) * tileRows));
        if (inputChannelsLast && outputChannelsLast)
        {
            // Inference from channels-last: the runs are read where they lie in the input, a tile that reaches into the
            // padding through a copy of its pixels with zeros (no padded copy of the batch: on a stride-2 conv that pass
            // cost as much as a fifth of the multiplies it fed).
            var source = new Source(s.H, s.W, s.PadH, s.PadW, s.InputImage);
            long stageFloats = ((long)(tileRows - 1) * s.StrideW + (long)(s.KW - 1) * s.DilW + 1) * s.C;
            Parallelism.For(s.N * p.OH * tiles.PerRow, workPerTile, 1, (t0, t1) =>
            {
                using var stage = new Scratch(stageFloats);
                for (int j = 0; j < panels; j++)
                    for (int tile = t0; tile < t1; tile++)
                        Tile(output, input, source, stage.Pointer, bp, bias, epilogue, tile, j, tiles, p);
            });
            return;
        }
        int hp = s.H + 2 * s.PadH, wp = s.W + 2 * s.PadW;
        long paddedImage = (long)hp * wp * s.C, rowsImage = outputChannelsLast ? 0 : (long)ohw * oc;
        int block = (int)Math.Clamp(BlockBudget / (paddedImage + rowsImage), 1, Math.Max(s.N, 1));
        // the padded images, then their output rows (pixels, OC) unless those are written in place
        using var buffer = new Scratch(block * (paddedImage + rowsImage));
        float* paddedImages = buffer.Pointer, rowsOut = buffer.Pointer + block * paddedImage;
        var padded = new Source(hp, wp, 0, 0, paddedImage);
        for (int n0 = 0; n0 < s.N; n0 += block)
        {
            int b = Math.Min(block, s.N - n0);
            Pad(paddedImages, input + (long)n0 * s.InputImage, inputChannelsLast, b, p, hp, wp);
            int count = b * p.OH * tiles.PerRow;
            // Each piece: B panel by panel (one panel's K·width floats stay in L2), the piece's tiles, then the taps.
            float* pad = paddedImages, y = outputChannelsLast ? output + (long)n0 * s.OutputImage : rowsOut;
            float* tileBias = outputChannelsLast ? bias : null;
            ConvEpilogue norm = epilogue.IsActive ? epilogue.Offset((long)n0 * s.OutputImage) : default;
            Parallelism.For(count, workPerTile, 1, (t0, t1) =>
            {
                for (int j = 0; j < panels; j++)
                    for (int tile = t0; tile < t1; tile++)
                        Tile(y, pad, padded, null, bp, tileBias, norm, tile, j, tiles, p);
            });
            if (!outputChannelsLast) ConvPixelRows.ToImages(output + (long)n0 * s.OutputImage, rowsOut, bias, b, ohw, oc);
        }
    }

    /// <summary>
    /// Where a tile's runs are read: channels-last images of H × W pixels, <see cref="Image"/> floats apart, with the
    /// conv's padding of PadH rows and PadW columns outside them (zero for an already padded copy).
    /// </summary>
    private readonly record struct Source(int H, int W, int PadH, int PadW, long Image);

    /// <summary>
    /// yT's rows for one tile (image, output row, run of up to a tile's rows of pixels) and panel j: the sum over the taps,
    /// plus the bias when one is given (a channels-last output has no later pass to add it in), then the epilogue if any.
    /// A run that lies in the padding rows adds nothing and is skipped; one that reaches into the padding columns is
    /// read from <paramref name="stage"/>, a copy of its pixels with zeros for those outside the image.
    /// </summary>
    private static void Tile(float* yT, float* images, in Source src, float* stage, float* packB, float* bias, in ConvEpilogue epilogue, int tile, int j,
        in TileGrid tiles, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, oc = s.OC, k = p.K;
        int perImage = p.OH * tiles.PerRow, image = tile / perImage, rest = tile - image * perImage;
        int oh = rest / tiles.PerRow, ow0 = tiles.Start(rest - oh * tiles.PerRow), rows = tiles.Start(rest - oh * tiles.PerRow + 1) - ow0;
        var kernel = StridedKernel.ByRows[rows];
        int width = StridedKernel.Width;
        float* dst = yT + ((long)image * p.OH * p.OW + (long)oh * p.OW + ow0) * oc + j * width;
        float* b = packB + (long)j * k * width;
        float* img = images + image * src.Image;
        int nn = Math.Min(width, oc - j * width);
        nint rsA = (nint)s.StrideW * c;
        // With no dilation along the width a kernel row's KW taps are KW·C consecutive floats, read as one run of K.
        bool rowRuns = s.DilW == 1;
        int runs = rowRuns ? s.KH : p.Taps.Length, run = rowRuns ? s.KW * c : c;
        int span = (rows - 1) * s.StrideW + (rowRuns ? s.KW - 1 : 0) + 1; // pixels a run reads across the tile
        bool first = true;
        for (int t = 0; t < runs; t++)
        {
            // run t (kernel row kh, or tap (kh, kw)) of output (oh, ow) starts at pixel (oh·strideH + kh·dilH, ow·strideW + kw·dilW) of the padded image
            int kh = rowRuns ? t : p.Taps[t] / s.KW, kw = rowRuns ? 0 : p.Taps[t] % s.KW;
            int ih = oh * s.StrideH + kh * s.DilH - src.PadH, iw = ow0 * s.StrideW + kw * s.DilW - src.PadW;
            if ((uint)ih >= (uint)src.H) continue; // a padding row
            float* a = img + ((long)ih * src.W + iw) * c;
            if (iw < 0 || iw + span > src.W)
            {
                for (int q = 0; q < span; q++)
                {
                    var pixel = new Span<float>(stage + (long)q * c, c);
                    if ((uint)(iw + q) < (uint)src.W) new ReadOnlySpan<float>(a + (long)q * c, c).CopyTo(pixel);
                    else pixel.Clear();
                }
                a = stage;
            }
            kernel(run, a, rsA, 1, b + (long)t * run * width, width, false, dst, oc, nn, !first);
            first = false;
        }
        if (first) // every run in the padding
            for (int r = 0; r < rows; r++) new Span<float>(dst + (long)r * oc, nn).Clear();
        if (bias != null) ConvEpilogue.AddBias(dst, rows, oc, bias + j * width, nn);
        if (epilogue.IsActive) epilogue.Apply(yT, dst - yT, rows, oc, j * width, nn);
    }

    /// <summary>
    /// B = the weight as (K, OC)[t·C + c, oc] in panels of <paramref name="width"/> columns (panel j at j·K·width, rows
    /// width floats apart, columns past OC zero), panel by panel on every core: from the reordered (OC, K) weight
    /// (panels of 32 only), or straight from (OC, C, KH, KW). With AVX-512 and panels of 32, for each channel the 16
    /// output channels × KH·KW taps of a half panel are one register transpose (a transpose per live tap when some
    /// taps only ever read padding); otherwise element by element, reading the weight in order.
    /// </summary>
    internal static void PackWeight(float* packB, float* weight, bool reordered, ConvPlan p, int width = 32)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, k = p.K, oc = s.OC, taps = s.KH * s.KW, panels = (oc + width - 1) / width;
        if (reordered && width != 32) throw new ArgumentException("Conv: a reordered weight packs in panels of 32 only.", nameof(width));
        bool transposes = width == 32 && StridedKernel.Rows == TileRows512;
        Parallelism.For(panels, Math.Max(1, (1 << 15) / Math.Max(1, k * width)), 1, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
            {
                float* panel = packB + (long)j * k * width;
                if (reordered)
                {
                    GemmPack512.PackBColumns(panel, weight + (long)j * 32 * k, k, k, Math.Min(32, oc - j * 32));
                    continue;
                }
                if (!transposes)
                {
                    PackPanel(panel, weight, j, width, p);
                    continue;
                }
                for (int h = 0; h < 32; h += 16)
                {
                    int vecs = Math.Clamp(oc - j * 32 - h, 0, 16);
                    float* src = weight + (long)(j * 32 + h) * c * taps;
                    for (int ch = 0; ch < c; ch++)
                    {
                        if (p.AllTaps)
                            for (int t0 = 0; t0 < taps; t0 += 16) // row t·C + ch of the panel ← tap t of 16 output channels
                                GemmPack512.Transpose16(src + (long)ch * taps + t0, (nint)c * taps, vecs, Math.Min(16, taps - t0),
                                    panel + ((long)t0 * c + ch) * 32 + h, (nint)c * 32, 16);
                        else
                            for (int t = 0; t < p.Taps.Length; t++) // row t·C + ch ← live tap t
                                GemmPack512.Transpose16(src + (long)ch * taps + p.Taps[t], (nint)c * taps, vecs, 1,
                                    panel + ((long)t * c + ch) * 32 + h, (nint)c * 32, 16);
                    }
                }
            }
        });
    }

    /// <summary>
    /// Panel j of <see cref="PackWeight"/> without the AVX-512 transposes: row t·C + ch, column o ← weight[j·width + o,
    /// ch, live tap t]. With AVX, a full panel with every tap live is read as 8 output channels' rows of C·KH·KW floats,
    /// 8×8 blocks transposed in registers, each resulting 8-float row stored at its (tap, channel) row; with live taps
    /// only, 8 output channels are gathered per instruction; element by element otherwise. Measured on Zen 3: the
    /// element loop (writes 16 floats apart) took a quarter of a 224x224 batch-1 resnet18 forward, and gathers 60% of
    /// a 28x28 batch-1 forward (the packing is most of a single small image's work).
    /// </summary>
    private static void PackPanel(float* panel, float* weight, int j, int width, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, taps = s.KH * s.KW, live = p.Taps.Length, cols = Math.Min(width, s.OC - j * width), kk = c * taps;
        float* first = weight + (long)j * width * kk;
        if (cols == width && Avx.IsSupported && p.AllTaps && kk % 8 == 0)
        {
            float* block = stackalloc float[64];
            for (int h = 0; h < width; h += 8)
                for (int q0 = 0; q0 < kk; q0 += 8)
                {
                    Transpose.Transpose8(first + (long)h * kk + q0, kk, block, 8); // block row i: element q0 + i of 8 output channels
                    for (int i = 0; i < 8; i++)
                    {
                        int ch = (q0 + i) / taps, t = q0 + i - ch * taps;
                        Vector256.Load(block + i * 8).Store(panel + ((long)t * c + ch) * width + h);
                    }
                }
            return;
        }
        if (cols == width && Avx2.IsSupported && (long)width * kk < int.MaxValue / sizeof(float))
        {
            Vector256<int> rows = Vector256<int>.Indices * kk;
            for (int t = 0; t < live; t++)
                for (int ch = 0; ch < c; ch++)
                {
                    float* src = first + (long)ch * taps + p.Taps[t], dst = panel + ((long)t * c + ch) * width;
                    for (int o = 0; o < width; o += 8)
                        Avx2.GatherVector256(src + (long)o * kk, rows, 4).Store(dst + o);
                }
            return;
        }
        new Span<float>(panel, (int)((long)p.K * width)).Clear();
        for (int o = 0; o < cols; o++)
        {
            float* src = first + (long)o * kk;
            for (int ch = 0; ch < c; ch++)
                for (int t = 0; t < live; t++)
                    panel[((long)t * c + ch) * width + o] = src[(long)ch * taps + p.Taps[t]];
        }
    }

    /// <summary>
    /// padded[j] (hp, wp, C) = x[j] channels-last at (padH, padW), zero everywhere else, for images [0, b); hp and wp
    /// are at least H + 2·padH and W + 2·padW (more when a tiling reads past the border). x is (C, H, W) per image,
    /// transposed a row at a time, or already (H, W, C) when <paramref name="channelsLast"/>, copied.
    /// </summary>
    internal static void Pad(float* padded, float* x, bool channelsLast, int b, ConvPlan p, int hp, int wp)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, hw = s.H * s.W, below = hp - s.PadH - s.H, right = wp - s.PadW - s.W;
        long image = (long)hp * wp * c;
        Parallelism.For(b * s.H, Math.Max(1, (1 << 14) / Math.Max(1, s.W * c)), 1, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int j = r / s.H, h = r - j * s.H;
                float* img = padded + j * image;
                if (h == 0) new Span<float>(img, s.PadH * wp * c).Clear();
                if (h == s.H - 1) new Span<float>(img + (long)(s.PadH + s.H) * wp * c, below * wp * c).Clear();
                float* row = img + (long)(h + s.PadH) * wp * c;
                new Span<float>(row, s.PadW * c).Clear();
                new Span<float>(row + (long)(s.PadW + s.W) * c, right * c).Clear();
                float* src = x + j * (long)s.InputImage;
                if (channelsLast) // row[PadW + w, ch] = x[j, h, w, ch]
                    new ReadOnlySpan<float>(src + (long)h * s.W * c, s.W * c).CopyTo(new Span<float>(row + s.PadW * c, s.W * c));
                else // row[PadW + w, ch] = x[j, ch, h, w]
                    Transpose.Run(row + s.PadW * c, c, src + (long)h * s.W, hw, c, s.W);
            }
        });
    }

    /// <summary>An output row cut into tiles of equal height (at most a tile's rows: with 14, 56 → 4 × 14, 7 → 1 × 7, 30 → 10, 10, 10).</summary>
    private readonly struct TileGrid(int width, int tileRows)
    {
        public int PerRow { get; } = Math.Max(1, (width + tileRows - 1) / tileRows);

        /// <summary>The first pixel of tile i (i = PerRow: the row's width).</summary>
        public int Start(int i) => (int)((long)i * width / PerRow);
    }
}
