namespace SharpGrad.Kernels;

/// <summary>
/// How <see cref="Conv"/> lowers one geometry to GEMM: how many images an im2col block holds, whether a pointwise
/// conv reads its input in place, and which kernel taps take part. A tap that reads only padding for every output
/// (the 3×3 taps around the centre of a padded conv on a 1×1 map, as in resnet18's last layer on MNIST) contributes
/// nothing, so its rows are left out of the im2col matrix and its columns out of the weight: the products shrink by
/// the fraction of dead taps (8/9 for those convs) and the results are exactly those of the full lowering.
/// </summary>
internal sealed class ConvPlan
{
    /// <summary>Floats of im2col matrix per block (16 MB): a whole 64-image batch of the MNIST-size resnet layers.</summary>
    private const int ColumnBudget = 1 << 22;

    /// <summary>
    /// Maps of at least this many output pixels lower one image per block: its GEMM is wide enough alone, and its result
    /// lands in the output directly, without the pass that scatters a multi-image block to NCHW (a 224x224 stem: 112x112).
    /// </summary>
    private const int OwnGemmPixels = 8192;

    /// <summary>Pointwise convs with at least this many pixels per image read their input in place, one image at a time.</summary>
    private const int DirectPixels = 256;

    public ConvPlan(in Conv2dGeometry s)
    {
        S = s;
        OH = s.OH;
        OW = s.OW;
        Taps = LiveTaps(s);
        AllTaps = Taps.Length == s.KH * s.KW;
        RowOffset = new int[Taps.Length];
        ColumnOffset = new int[Taps.Length];
        for (int t = 0; t < Taps.Length; t++)
        {
            RowOffset[t] = Taps[t] / s.KW * s.DilH - s.PadH;
            ColumnOffset[t] = Taps[t] % s.KW * s.DilW - s.PadW;
        }
        K = s.Cg * Taps.Length;
        bool pointwise = s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 && s.PadH == 0 && s.PadW == 0;
        if (pointwise && s.H * s.W >= DirectPixels) Block = 1;
        else if ((long)OH * OW >= OwnGemmPixels) Block = 1;
        else Block = (int)Math.Clamp(ColumnBudget / Math.Max((long)s.C * Taps.Length * OH * OW, 1), 1, Math.Max(s.N, 1));
        Direct = pointwise && Block == 1;
    }

    public Conv2dGeometry S { get; }

    public int OH { get; }

    public int OW { get; }

    /// <summary>The taps kh·KW + kw that read inside the input for at least one output, ascending.</summary>
    public int[] Taps { get; }

    /// <summary>Per live tap, the input row read for output row 0 before the stride: kh·dilH - padH (output row r reads r·strideH + this).</summary>
    public int[] RowOffset { get; }

    /// <summary>Per live tap, the input column read for output column 0 before the stride: kw·dilW - padW.</summary>
    public int[] ColumnOffset { get; }

    /// <summary>Whether every tap is live (no reduced weight needed).</summary>
    public bool AllTaps { get; }

    /// <summary>Rows of one group's im2col matrix: Cg · live taps.</summary>
    public int K { get; }

    /// <summary>Images per im2col block.</summary>
    public int Block { get; }

    /// <summary>Whether the input itself is the im2col matrix (a large pointwise conv, one image per block).</summary>
    public bool Direct { get; }

    /// <summary>Floats of one block's im2col matrix.</summary>
    public long ColumnFloats => (long)S.Groups * K * Block * OH * OW;

    /// <summary>Whether one block covers the whole batch (then forward's im2col can be kept for the weight gradient).</summary>
    public bool OneBlock => !Direct && Block >= S.N;

    private static int[] LiveTaps(in Conv2dGeometry s)
    {
        int oh = s.OH, ow = s.OW;
        var taps = new List<int>(s.KH * s.KW);
        for (int kh = 0; kh < s.KH; kh++)
        {
            if (!Reaches(oh, s.StrideH, kh * s.DilH - s.PadH, s.H)) continue;
            for (int kw = 0; kw < s.KW; kw++)
                if (Reaches(ow, s.StrideW, kw * s.DilW - s.PadW, s.W)) taps.Add(kh * s.KW + kw);
        }
        return [.. taps];
    }

    /// <summary>Whether some output o in [0, outSize) reads input o·stride + offset inside [0, size).</summary>
    private static bool Reaches(int outSize, int stride, int offset, int size)
    {
        (int lo, int hi) = ValidRange(outSize, stride, offset, size);
        return lo < hi;
    }

    /// <summary>The outputs [lo, hi) of a row whose input column ow·stride + offset lies in [0, size).</summary>
    internal static (int Lo, int Hi) ValidRange(int outSize, int stride, int offset, int size)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
        lo = Math.Min(lo, outSize);
        hi = Math.Clamp(hi, lo, outSize);
        return (lo, hi);
    }
}
