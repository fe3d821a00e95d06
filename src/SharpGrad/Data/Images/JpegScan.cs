namespace SharpGrad.Data.Images;

/// <summary>Parameters of one scan (SOS header) plus the restart interval in force.</summary>
internal sealed class JpegScan
{
    public JpegScan(JpegComponent[] components, int ss, int se, int ah, int al, int restartInterval)
    {
        Components = components;
        Ss = ss;
        Se = se;
        Ah = ah;
        Al = al;
        RestartInterval = restartInterval;
    }

    /// <summary>Components in scan order (1..4).</summary>
    public JpegComponent[] Components { get; }

    /// <summary>Start of spectral selection (zig-zag index).</summary>
    public int Ss { get; }

    /// <summary>End of spectral selection (zig-zag index).</summary>
    public int Se { get; }

    /// <summary>Successive approximation bit position high (0 on a first pass).</summary>
    public int Ah { get; }

    /// <summary>Successive approximation bit position low (point transform).</summary>
    public int Al { get; }

    /// <summary>MCUs per restart interval, 0 when restart markers are not used.</summary>
    public int RestartInterval { get; }
}
