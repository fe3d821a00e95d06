namespace SharpGrad.Kernels;

/// <summary>
/// The lowering <see cref="Conv"/> uses for ungrouped convolutions with at least 16 input channels (every conv of a
/// resnet after its stem): im2col with one row per output pixel (image, oh, ow) and, along the row, the live taps'
/// channels, channels innermost (column t·C + c). Each image is transposed to HWC first, so a row is assembled from
/// whole C-float copies, where the channel-major lowering made one short masked copy per output row, tap and channel
/// (on 7×7 to 2×2 maps that copy cost 2-3× the GEMM it fed). The GEMM's large operand, the rows, is then its A,
/// which the threads pack in their own row panels, and the small weight its B; outputs return to NCHW through 16×16
/// register transposes. Forward and the weight gradient share the row matrix (<see cref="Conv.KeptColumnsLength"/>).
/// </summary>
internal static unsafe class ConvPixelRows
{
    private const int MinChannels = 16;

    /// <summary>Floats an image loop must touch before it is split over the cores.</summary>
    private const int ImageWork = 1 << 14;

    /// <summary>Whether this lowering handles the plan.</summary>
    public static bool Supports(ConvPlan p) => !p.Direct && p.S.Groups == 1 && p.S.C >= MinChannels;

    /// <summary>Floats of the reordered weight (OC × K) that Forward can hand to BackwardInput.</summary>
    public static long ReorderedWeightLength(ConvPlan p) => (long)p.S.OC * p.K;

    /// <summary>
    /// output (N,OC,OH,OW) = conv(input, weight) + bias (bias may be null); keptColumns, when not null, receives the
    /// rows for BackwardWeight, and keptWeight the reordered weight for BackwardInput.
    /// </summary>
    public static void Forward(float* output, float* input, float* weight, float* bias, float* keptColumns, float* keptWeight, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int ohw = p.OH * p.OW, k = p.K;
        using var reordered = new Scratch(keptWeight != null ? 0 : ReorderedWeightLength(p));
        float* wr = keptWeight != null ? keptWeight : reordered.Pointer;
        ReorderWeight(wr, weight, p);
        if (keptColumns == null && ConvImplicit.Supports(p))
        {
            ConvImplicit.Forward(output, false, input, false, wr, bias, p); // no im2col matrix, unless backward keeps it
            return;
        }
        using var rows = new Scratch(keptColumns != null ? 0 : p.ColumnFloats);
        using var yT = new Scratch((long)p.Block * ohw * s.OC);
        for (int n0 = 0; n0 < s.N; n0 += p.Block)
        {
            int b = Math.Min(p.Block, s.N - n0), pixels = b * ohw;
            float* r = keptColumns != null ? keptColumns : rows.Pointer;
            BuildRows(r, input + (long)n0 * s.InputImage, b, p);
            // yT (pixels, OC) = rows (pixels, K) · wrᵀ
            Gemm.Multiply(yT.Pointer, s.OC, r, k, 1, wr, 1, k, pixels, s.OC, k, accumulate: false);
            ToImages(output + (long)n0 * s.OutputImage, yT.Pointer, bias, b, ohw, s.OC);
        }
    }

    /// <summary>
    /// output (N,OH,OW,OC) channels-last = conv(input, weight) + bias, input (N,C,H,W) or channels-last (N,H,W,C), for
    /// the plans <see cref="ConvImplicit"/> supports: inference, where no backward needs an im2col matrix or NCHW output.
    /// </summary>
    public static void ForwardChannelsLast(float* output, float* input, bool inputChannelsLast, float* weight, float* bias, ConvPlan p,
        ConvEpilogue epilogue = default)
    {
        if (ConvFewPixels.Supports(p))
        {
            ConvFewPixels.Forward(output, input, inputChannelsLast, weight, bias, p, epilogue);
            return;
        }
        if (ConvWinograd.Supports(p))
        {
            ConvWinograd.Forward(output, input, inputChannelsLast, weight, bias, p, epilogue);
            return;
        }
        if (ConvImplicit.SupportsChannelsLast(p))
        {
            ConvImplicit.Forward(output, true, input, inputChannelsLast, weight, weightReordered: false, bias, p, epilogue);
            return;
        }
        // Small maps (rows of under 7 pixels): the explicit rows, multiplied tile by tile against the
        // weight packed once into the micro-kernel's panels; each tile of rows is an output block already channels-last.
        Conv2dGeometry s = p.S;
        int ohw = p.OH * p.OW, k = p.K, oc = s.OC, width = StridedKernel.Width, tileRows = StridedKernel.Rows, panels = (oc + width - 1) / width;
        using var packB = new Scratch((long)panels * k * width);
        ConvImplicit.PackWeight(packB.Pointer, weight, reordered: false, p, width);
        using var rows = new Scratch(p.ColumnFloats);
        for (int n0 = 0; n0 < s.N; n0 += p.Block)
        {
            int b = Math.Min(p.Block, s.N - n0), tiles = (b * ohw + tileRows - 1) / tileRows;
            float* r = rows.Pointer, bp = packB.Pointer, y = output + (long)n0 * s.OutputImage;
            BuildRows(r, input + (long)n0 * s.InputImage, b, p, inputChannelsLast);
            ConvEpilogue norm = epilogue.IsActive ? epilogue.Offset((long)n0 * s.OutputImage) : default;
            int pixels = b * ohw;
            Parallelism.For(tiles, Math.Max(1, 1 << 20 / Math.Max(1, k * Math.Min(oc, width) * tileRows)), 1, (t0, t1) =>
            {
                for (int j = 0; j < panels; j++)
                    for (int t = t0; t < t1; t++)
                    {
                        int i0 = t * tileRows, n = Math.Min(tileRows, pixels - i0), nn = Math.Min(width, oc - j * width);
                        float* dst = y + (long)i0 * oc + j * width;
                        StridedKernel.ByRows[n](k, r + (long)i0 * k, k, 1, bp + (long)j * k * width, width, false, dst, oc, nn, false);
                        if (bias != null) ConvEpilogue.AddBias(dst, n, oc, bias + j * width, nn);
                        if (norm.IsActive) norm.Apply(y, dst - y, n, oc, j * width, nn);
                    }
            });
        }
    }

    /// <summary>Whether <see cref="ForwardChannelsLast"/> serves the plan: every plan this lowering takes, with a strided micro-kernel (AVX-512 or AVX2).</summary>
    public static bool SupportsChannelsLast(ConvPlan p) => ConvWinograd.Supports(p) || ConvImplicit.SupportsChannelsLast(p) || (Supports(p) && StridedKernel.Available);

    /// <summary>dinput (+)= the input gradient (= unless <paramref name="accumulate"/>); reorderedWeight: Forward's keptWeight, or null.</summary>
    public static void BackwardInput(float* dinput, float* dout, float* weight, float* reorderedWeight, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        int ohw = p.OH * p.OW, k = p.K;
        using var dcol = new Scratch(p.ColumnFloats);
        using var dyT = new Scratch((long)p.Block * ohw * s.OC);
        using var reordered = new Scratch(reorderedWeight != null ? 0 : ReorderedWeightLength(p));
        float* wr = reorderedWeight;
        if (wr == null) ReorderWeight(wr = reordered.Pointer, weight, p);
        for (int n0 = 0; n0 < s.N; n0 += p.Block)
        {
            int b = Math.Min(p.Block, s.N - n0), pixels = b * ohw;
            FromImages(dyT.Pointer, dout + (long)n0 * s.OutputImage, b, ohw, s.OC);
            // dcol (pixels, K) = dyT (pixels, OC) · wr (OC, K)
            Gemm.Multiply(dcol.Pointer, k, dyT.Pointer, s.OC, 1, wr, k, 1, pixels, k, s.OC, accumulate: false);
            ScatterRows(dinput + (long)n0 * s.InputImage, dcol.Pointer, b, p, accumulate);
        }
    }

    /// <summary>dweight (+)= the weight gradient (= unless <paramref name="accumulate"/>); keptColumns: Forward's rows, or null.</summary>
    public static void BackwardWeight(float* dweight, float* dout, float* input, float* keptColumns, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        int ohw = p.OH * p.OW, k = p.K;
        using var rows = new Scratch(keptColumns != null ? 0 : p.ColumnFloats);
        using var dyT = new Scratch((long)p.Block * ohw * s.OC);
        using var dwrT = new Scratch((long)k * s.OC);
        for (int n0 = 0; n0 < s.N; n0 += p.Block)
        {
            int b = Math.Min(p.Block, s.N - n0), pixels = b * ohw;
            float* r = keptColumns != null ? keptColumns : rows.Pointer;
            if (keptColumns == null) BuildRows(r, input + (long)n0 * s.InputImage, b, p);
            FromImages(dyT.Pointer, dout + (long)n0 * s.OutputImage, b, ohw, s.OC);
            // dwrT (K, OC) (+)= rowsᵀ (K, pixels) · dyT (pixels, OC): the long side K is the GEMM's rows, split over the threads
            Gemm.Multiply(dwrT.Pointer, s.OC, r, 1, k, dyT.Pointer, s.OC, 1, k, s.OC, pixels, accumulate: n0 > 0);
        }
        ScatterWeight(dweight, dwrT.Pointer, p, accumulate);
    }

    /// <summary>wr (OC, K)[oc, t·C + c] = weight (OC, C, KH·KW)[oc, c, live tap t]: per output channel a (C × KH·KW) transpose.</summary>
    private static void ReorderWeight(float* wr, float* weight, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, k = p.K, all = s.KH * s.KW;
        Parallelism.For(s.OC, Math.Max(1, ImageWork / (c * all)), 1, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
            {
                float* src = weight + (long)o * c * all, dst = wr + (long)o * k;
                if (p.AllTaps)
                {
                    Transpose.Run(dst, c, src, all, c, all);
                    continue;
                }
                for (int t = 0; t < p.Taps.Length; t++)
                {
                    float* from = src + p.Taps[t], to = dst + t * c;
                    for (int ch = 0; ch < c; ch++) to[ch] = from[ch * all];
                }
            }
        });
    }

    /// <summary>
    /// dweight (OC, C, KH·KW)[oc, c, live tap t] (+)= dwrT (K, OC)[t·C + c, oc], through two transposes per block of
    /// output channels; overwriting writes every element once (the dead taps' as zero) instead of clearing first.
    /// </summary>
    private static void ScatterWeight(float* dweight, float* dwrT, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, oc = s.OC, k = p.K, all = s.KH * s.KW;
        Parallelism.For(oc, Math.Max(1, ImageWork / (c * all)), 1, (o0, o1) =>
        {
            using var dwr = new Scratch((long)(o1 - o0) * k);
            using var sum = new Scratch(accumulate ? (long)c * all : 0);
            // dwr (o1 - o0, K) = dwrT[:, o0..o1)ᵀ
            Transpose.Run(dwr.Pointer, k, dwrT + o0, oc, k, o1 - o0);
            for (int o = o0; o < o1; o++)
            {
                float* src = dwr.Pointer + (long)(o - o0) * k, dst = dweight + (long)o * c * all;
                float* row = accumulate ? sum.Pointer : dst;
                if (p.AllTaps) Transpose.Run(row, all, src, c, all, c);
                else
                {
                    new Span<float>(row, c * all).Clear();
                    for (int t = 0; t < p.Taps.Length; t++)
                    {
                        float* from = src + t * c, to = row + p.Taps[t];
                        for (int ch = 0; ch < c; ch++) to[ch * all] = from[ch];
                    }
                }
                if (accumulate) FloatRow.Add(dst, row, c * all);
            }
        });
    }

    /// <summary>Rows (b·OH·OW, K) of images [0, b) of x: row (j, oh, ow), columns t·C..t·C+C = x[j, :, ih, iw] at tap t, or 0 in the padding.</summary>
    private static void BuildRows(float* rows, float* x, int b, ConvPlan p, bool channelsLast = false)
    {
        Conv2dGeometry s = p.S;
        int hw = s.H * s.W, ohw = p.OH * p.OW;
        ForImages(b, (long)ohw * p.K, (j0, j1) =>
        {
            using var image = new Scratch(channelsLast ? 0 : (long)hw * s.C);
            for (int j = j0; j < j1; j++)
            {
                // image (H·W, C) = x[j] (C, H·W), or x[j] itself when it is channels-last already
                float* hwc = x + (long)j * s.InputImage;
                if (!channelsLast) Transpose.Run(hwc = image.Pointer, s.C, x + (long)j * s.InputImage, hw, s.C, hw);
                ImageRows(rows + (long)j * ohw * p.K, hwc, p);
            }
        });
    }

    private static void ImageRows(float* rows, float* image, ConvPlan p)
    {
        Conv2dGeometry s = p.S;
        int c = s.C, taps = p.Taps.Length;
        for (int oh = 0; oh < p.OH; oh++)
            for (int ow = 0; ow < p.OW; ow++, rows += p.K)
                for (int t = 0; t < taps; t++)
                {
                    int ih = oh * s.StrideH + p.RowOffset[t], iw = ow * s.StrideW + p.ColumnOffset[t];
                    float* dst = rows + t * c;
                    if ((uint)ih < (uint)s.H && (uint)iw < (uint)s.W) FloatRow.Copy(dst, image + ((long)ih * s.W + iw) * c, c);
                    else FloatRow.Clear(dst, c);
                }
    }

    /// <summary>dx[j] (C, H·W) (+)= the sum of every row segment that <see cref="BuildRows"/> copied from there.</summary>
    private static void ScatterRows(float* dx, float* dcol, int b, ConvPlan p, bool accumulate)
    {
        Conv2dGeometry s = p.S;
        int hw = s.H * s.W, ohw = p.OH * p.OW, c = s.C, taps = p.Taps.Length;
        ForImages(b, (long)ohw * p.K, (j0, j1) =>
        {
            using var image = new Scratch((long)hw * c);
            using var plane = new Scratch(accumulate ? (long)hw * c : 0);
            for (int j = j0; j < j1; j++)
            {
                float* g = image.Pointer, rows = dcol + (long)j * ohw * p.K;
                new Span<float>(g, hw * c).Clear();
                for (int oh = 0; oh < p.OH; oh++)
                    for (int ow = 0; ow < p.OW; ow++, rows += p.K)
                        for (int t = 0; t < taps; t++)
                        {
                            int ih = oh * s.StrideH + p.RowOffset[t], iw = ow * s.StrideW + p.ColumnOffset[t];
                            if ((uint)ih >= (uint)s.H || (uint)iw >= (uint)s.W) continue;
                            FloatRow.Add(g + ((long)ih * s.W + iw) * c, rows + t * c, c);
                        }
                float* dst = dx + (long)j * s.InputImage;
                if (!accumulate)
                {
                    Transpose.Run(dst, hw, g, c, hw, c);
                    continue;
                }
                Transpose.Run(plane.Pointer, hw, g, c, hw, c);
                var d = new Span<float>(dst, hw * c);
                System.Numerics.Tensors.TensorPrimitives.Add(d, new ReadOnlySpan<float>(plane.Pointer, hw * c), d);
            }
        });
    }

    /// <summary>out[j] (OC, OH·OW) = yT (b·OH·OW, OC) rows of image j, transposed, + bias.</summary>
    internal static void ToImages(float* output, float* yT, float* bias, int b, int ohw, int channels)
    {
        ForImages(b, (long)ohw * channels, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
            {
                float* dst = output + (long)j * channels * ohw;
                Transpose.Run(dst, ohw, yT + (long)j * ohw * channels, channels, ohw, channels);
                if (bias == null) continue;
                for (int o = 0; o < channels; o++)
                {
                    var row = new Span<float>(dst + (long)o * ohw, ohw);
                    System.Numerics.Tensors.TensorPrimitives.Add(row, bias[o], row);
                }
            }
        });
    }

    /// <summary>yT (b·OH·OW, OC) = dout[j] (OC, OH·OW) transposed, image after image.</summary>
    private static void FromImages(float* yT, float* dout, int b, int ohw, int channels)
    {
        ForImages(b, (long)ohw * channels, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
                Transpose.Run(yT + (long)j * ohw * channels, channels, dout + (long)j * channels * ohw, ohw, channels, ohw);
        });
    }

    private static void ForImages(int images, long workPerImage, Action<int, int> body) =>
        Parallelism.For(images, (int)Math.Clamp(ImageWork / Math.Max(workPerImage, 1), 1, int.MaxValue), 1, body);
}
