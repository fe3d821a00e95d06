using System.Buffers;

namespace SharpGrad.Data.Images;

/// <summary>
/// Frame-level state of a JPEG image (SOF header): geometry, MCU layout, components and the
/// storage each component's scans decode into.
/// </summary>
internal sealed class JpegFrame
{
    public JpegFrame(int width, int height, bool progressive, JpegComponent[] components)
    {
        Width = width;
        Height = height;
        Progressive = progressive;
        Components = components;
        foreach (JpegComponent c in components)
        {
            MaxH = Math.Max(MaxH, c.H);
            MaxV = Math.Max(MaxV, c.V);
        }

        McusWide = CeilDiv(width, 8 * MaxH);
        McusHigh = CeilDiv(height, 8 * MaxV);
        foreach (JpegComponent c in components)
        {
            c.Width = CeilDiv(width * c.H, MaxH);
            c.Height = CeilDiv(height * c.V, MaxV);
            c.BlocksWide = CeilDiv(c.Width, 8);
            c.BlocksHigh = CeilDiv(c.Height, 8);
            c.BlocksWideAlloc = McusWide * c.H;
            c.BlocksHighAlloc = McusHigh * c.V;
        }
    }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>True for SOF2 (progressive DCT).</summary>
    public bool Progressive { get; }

    /// <summary>Components in frame-header order.</summary>
    public JpegComponent[] Components { get; }

    /// <summary>Largest horizontal sampling factor.</summary>
    public int MaxH { get; }

    /// <summary>Largest vertical sampling factor.</summary>
    public int MaxV { get; }

    /// <summary>MCUs per row of an interleaved scan.</summary>
    public int McusWide { get; }

    /// <summary>MCU rows of an interleaved scan.</summary>
    public int McusHigh { get; }

    /// <summary>
    /// Allocates storage for the components of a scan the first time they appear, after checking that
    /// the remaining data could plausibly hold that many blocks (every block of a DC-bearing scan costs
    /// at least one bit), so forged dimensions cannot trigger huge allocations.
    /// </summary>
    public void Prepare(JpegScan scan, int bytesLeft)
    {
        long blocksInScan = 0;
        bool needsStorage = false;
        foreach (JpegComponent c in scan.Components)
        {
            needsStorage |= c.Plane is null && c.Coefficients is null;
            blocksInScan += scan.Components.Length == 1
                ? (long)c.BlocksWide * c.BlocksHigh
                : (long)McusWide * McusHigh * c.H * c.V;
        }

        if (!needsStorage)
        {
            return;
        }

        if (Progressive && scan.Ss != 0)
        {
            throw new DecodeFailure("JPEG progressive AC scan comes before the component's DC scan");
        }

        if (blocksInScan > 8L * bytesLeft)
        {
            throw new DecodeFailure(
                $"JPEG scan needs {blocksInScan} blocks but only {bytesLeft} bytes remain (dimensions {Width}x{Height} are implausible for the data)");
        }

        foreach (JpegComponent c in scan.Components)
        {
            if (c.Plane is not null || c.Coefficients is not null)
            {
                continue;
            }

            // Pooled: every sample the output stage reads is written by the IDCT first, and
            // coefficients are cleared here because progressive scans accumulate into them.
            int samples = c.BlocksWideAlloc * c.BlocksHighAlloc * 64;
            if (Progressive)
            {
                c.Coefficients = ArrayPool<short>.Shared.Rent(samples);
                Array.Clear(c.Coefficients, 0, samples);
            }
            else
            {
                c.Plane = ArrayPool<byte>.Shared.Rent(samples);
            }
        }
    }

    /// <summary>Runs the inverse DCT over the accumulated coefficients of a progressive frame.</summary>
    public void FinishProgressive()
    {
        foreach (JpegComponent c in Components)
        {
            short[] coefs = c.Coefficients!;
            ushort[] quant = c.Quant!;
            byte[] plane = ArrayPool<byte>.Shared.Rent(c.BlocksWideAlloc * c.BlocksHighAlloc * 64);
            int stride = c.Stride;
            for (int by = 0; by < c.BlocksHigh; by++)
            {
                for (int bx = 0; bx < c.BlocksWide; bx++)
                {
                    int block = (by * c.BlocksWideAlloc) + bx;
                    JpegIdct.Transform(coefs.AsSpan(block * 64, 64), quant, plane, (by * 8 * stride) + (bx * 8), stride);
                }
            }

            c.Plane = plane;
            c.Coefficients = null;
            ArrayPool<short>.Shared.Return(coefs);
        }
    }

    /// <summary>Returns the pooled sample and coefficient buffers; the frame is unusable afterwards.</summary>
    public void ReleaseBuffers()
    {
        foreach (JpegComponent c in Components)
        {
            if (c.Plane is { } plane)
            {
                c.Plane = null;
                ArrayPool<byte>.Shared.Return(plane);
            }

            if (c.Coefficients is { } coefs)
            {
                c.Coefficients = null;
                ArrayPool<short>.Shared.Return(coefs);
            }
        }
    }

    private static int CeilDiv(int a, int b) => (int)(((long)a + b - 1) / b);
}
