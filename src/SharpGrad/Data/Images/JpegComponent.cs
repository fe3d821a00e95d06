namespace SharpGrad.Data.Images;

/// <summary>One colour component of a JPEG frame: its sampling, tables and decoded storage.</summary>
internal sealed class JpegComponent
{
    public JpegComponent(int index, int id, int h, int v, int quantId)
    {
        Index = index;
        Id = id;
        H = h;
        V = v;
        QuantId = quantId;
    }

    /// <summary>Position in the frame header.</summary>
    public int Index { get; }

    /// <summary>Component identifier used by scan headers.</summary>
    public int Id { get; }

    /// <summary>Horizontal sampling factor (1..4).</summary>
    public int H { get; }

    /// <summary>Vertical sampling factor (1..4).</summary>
    public int V { get; }

    /// <summary>Quantization table slot named in the frame header.</summary>
    public int QuantId { get; }

    /// <summary>Samples per row of this component: ceil(X * H / Hmax).</summary>
    public int Width { get; set; }

    /// <summary>Sample rows of this component: ceil(Y * V / Vmax).</summary>
    public int Height { get; set; }

    /// <summary>Blocks per row that carry data in a non-interleaved scan: ceil(Width / 8).</summary>
    public int BlocksWide { get; set; }

    /// <summary>Block rows that carry data in a non-interleaved scan: ceil(Height / 8).</summary>
    public int BlocksHigh { get; set; }

    /// <summary>Blocks per row including interleaved-MCU padding (MCUs across * H).</summary>
    public int BlocksWideAlloc { get; set; }

    /// <summary>Block rows including interleaved-MCU padding (MCUs down * V).</summary>
    public int BlocksHighAlloc { get; set; }

    /// <summary>Row pitch of <see cref="Plane"/> in bytes.</summary>
    public int Stride => BlocksWideAlloc * 8;

    /// <summary>Decoded samples (allocated at this component's first scan).</summary>
    public byte[]? Plane { get; set; }

    /// <summary>Accumulated coefficients of a progressive frame, 64 per block in natural order.</summary>
    public short[]? Coefficients { get; set; }

    /// <summary>Dequantization table latched at the component's first scan (natural order).</summary>
    public ushort[]? Quant { get; set; }

    /// <summary>DC prediction of the current scan.</summary>
    public int DcPred { get; set; }

    /// <summary>DC table for the current scan.</summary>
    public JpegHuffmanTable? DcTable { get; set; }

    /// <summary>AC table for the current scan.</summary>
    public JpegHuffmanTable? AcTable { get; set; }

    /// <summary>Whether a scan has covered this component (sequential) or its DC coefficients (progressive).</summary>
    public bool HasData { get; set; }
}
