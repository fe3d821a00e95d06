using System.Runtime.CompilerServices;
namespace SharpGrad.Data.Images;

/// <summary>
/// Walks the MCUs of one scan, handles restart markers, and dispatches each block to the
/// sequential (decode + IDCT straight into the sample plane) or progressive block decoders.
/// </summary>
internal static class JpegScanDecoder
{
    private enum Mode
    {
        Sequential,
        DcFirst,
        DcRefine,
        AcFirst,
        AcRefine,
    }

    /// <summary>
    /// Decodes the entropy-coded segment that starts at <paramref name="start"/> and returns the
    /// offset of the marker that follows it (or the data length when none follows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Decode(ReadOnlySpan<byte> data, int start, JpegFrame frame, JpegScan scan)
    {
        Mode mode = !frame.Progressive ? Mode.Sequential
            : scan.Ss == 0 ? (scan.Ah == 0 ? Mode.DcFirst : Mode.DcRefine)
            : (scan.Ah == 0 ? Mode.AcFirst : Mode.AcRefine);

        JpegComponent[] comps = scan.Components;
        foreach (JpegComponent c in comps)
        {
            c.DcPred = 0;
        }

        var reader = new JpegBitReader(data, start);
        Span<short> scratch = stackalloc short[64];
        int eobRun = 0;
        int interval = scan.RestartInterval;
        int untilRestart = interval;
        int nextRst = 0;

        if (comps.Length == 1)
        {
            // Non-interleaved: one block per MCU, covering only the blocks that hold image data.
            JpegComponent c = comps[0];
            for (int by = 0; by < c.BlocksHigh; by++)
            {
                for (int bx = 0; bx < c.BlocksWide; bx++)
                {
                    if (interval > 0)
                    {
                        if (untilRestart == 0)
                        {
                            Restart(data, ref reader, comps, ref nextRst, ref eobRun);
                            untilRestart = interval;
                        }

                        untilRestart--;
                    }

                    DecodeBlock(mode, ref reader, c, bx, by, scan, scratch, ref eobRun);
                    if (reader.Overrun)
                    {
                        throw Truncated();
                    }
                }
            }
        }
        else
        {
            for (int my = 0; my < frame.McusHigh; my++)
            {
                for (int mx = 0; mx < frame.McusWide; mx++)
                {
                    if (interval > 0)
                    {
                        if (untilRestart == 0)
                        {
                            Restart(data, ref reader, comps, ref nextRst, ref eobRun);
                            untilRestart = interval;
                        }

                        untilRestart--;
                    }

                    foreach (JpegComponent c in comps)
                    {
                        int bx0 = mx * c.H;
                        int by0 = my * c.V;
                        for (int v = 0; v < c.V; v++)
                        {
                            for (int h = 0; h < c.H; h++)
                            {
                                DecodeBlock(mode, ref reader, c, bx0 + h, by0 + v, scan, scratch, ref eobRun);
                            }
                        }
                    }

                    if (reader.Overrun)
                    {
                        throw Truncated();
                    }
                }
            }
        }

        int marker = FindMarker(data, reader.Position);
        return marker < 0 ? data.Length : marker;
    }

    /// <summary>
    /// Returns the offset of the 0xFF that introduces the next marker at or after <paramref name="pos"/>
    /// (skipping stuffed 0xFF00 pairs and fill bytes), or -1 when the data ends first.
    /// </summary>
    public static int FindMarker(ReadOnlySpan<byte> data, int pos)
    {
        int p = pos;
        while (p < data.Length)
        {
            int i = data[p..].IndexOf((byte)0xFF);
            if (i < 0)
            {
                return -1;
            }

            p += i;
            int q = p + 1;
            while (q < data.Length && data[q] == 0xFF)
            {
                q++;
            }

            if (q >= data.Length)
            {
                return -1;
            }

            if (data[q] != 0)
            {
                return q - 1;
            }

            p = q + 1;
        }

        return -1;
    }

    private static DecodeFailure Truncated() =>
        new("JPEG entropy-coded data ends early (truncated file or unexpected marker inside a scan)");

    private static void Restart(ReadOnlySpan<byte> data, ref JpegBitReader reader, JpegComponent[] comps, ref int nextRst, ref int eobRun)
    {
        int m = FindMarker(data, reader.Position);
        if (m < 0)
        {
            throw new DecodeFailure($"JPEG data ends before restart marker RST{nextRst}");
        }

        int code = data[m + 1];
        if (code < 0xD0 || code > 0xD7)
        {
            throw new DecodeFailure($"JPEG expected restart marker RST{nextRst} but found marker 0xFF{code:X2}");
        }

        if (code - 0xD0 != nextRst)
        {
            throw new DecodeFailure($"JPEG restart marker out of sequence (expected RST{nextRst}, found RST{code - 0xD0})");
        }

        nextRst = (nextRst + 1) & 7;
        reader.Reset(m + 2);
        eobRun = 0;
        foreach (JpegComponent c in comps)
        {
            c.DcPred = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DecodeBlock(Mode mode, ref JpegBitReader reader, JpegComponent c, int bx, int by, JpegScan scan, scoped Span<short> scratch, ref int eobRun)
    {
        if (mode == Mode.Sequential)
        {
            DecodeSequential(ref reader, c, scratch);
            JpegIdct.Transform(scratch, c.Quant, c.Plane, (by * 8 * c.Stride) + (bx * 8), c.Stride);
            return;
        }

        Span<short> block = c.Coefficients.AsSpan(((by * c.BlocksWideAlloc) + bx) * 64, 64);
        switch (mode)
        {
            case Mode.DcFirst:
                JpegProgressive.DecodeDcFirst(ref reader, c, block, scan.Al);
                break;
            case Mode.DcRefine:
                JpegProgressive.DecodeDcRefine(ref reader, block, scan.Al);
                break;
            case Mode.AcFirst:
                JpegProgressive.DecodeAcFirst(ref reader, c.AcTable!, block, scan.Ss, scan.Se, scan.Al, ref eobRun);
                break;
            default:
                JpegProgressive.DecodeAcRefine(ref reader, c.AcTable!, block, scan.Ss, scan.Se, scan.Al, ref eobRun);
                break;
        }
    }

    /// <summary>Baseline / extended sequential block (T.81 F.2.2): DC difference then run-length AC codes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DecodeSequential(ref JpegBitReader reader, JpegComponent c, scoped Span<short> block)
    {
        block.Clear();
        int t = c.DcTable!.Decode(ref reader);
        c.DcPred += reader.ReceiveExtend(t);
        block[0] = (short)c.DcPred;

        JpegHuffmanTable ac = c.AcTable!;
        ReadOnlySpan<int> fastAc = ac.FastAc;
        ReadOnlySpan<byte> natural = JpegZigZag.NaturalOrder;
        for (int k = 1; k < 64; k++)
        {
            // Fast path: code and magnitude bits both inside the next 9 bits.
            int fast = fastAc[reader.PeekBits(JpegHuffmanTable.FastBits)];
            if (fast != 0)
            {
                k += (fast >> 4) & 15;
                if (k > 63)
                {
                    throw new DecodeFailure("JPEG entropy-coded data is corrupt (AC coefficient index past 63)");
                }

                reader.SkipBits(fast & 15);
                block[natural[k]] = (short)(fast >> 8);
                continue;
            }

            int rs = ac.Decode(ref reader);
            int s = rs & 15;
            int run = rs >> 4;
            if (s == 0)
            {
                if (run != 15)
                {
                    break;
                }

                k += 15;
                continue;
            }

            k += run;
            if (k > 63)
            {
                throw new DecodeFailure("JPEG entropy-coded data is corrupt (AC coefficient index past 63)");
            }

            block[natural[k]] = (short)reader.ReceiveExtend(s);
        }
    }
}
