namespace SharpGrad.Data.Images;

/// <summary>
/// Block decoders for the four kinds of progressive Huffman scans (T.81 G.1.2): DC first pass,
/// DC refinement, AC spectral-selection first pass and AC successive-approximation refinement.
/// Coefficients are accumulated in natural order, unquantized.
/// </summary>
internal static class JpegProgressive
{
    /// <summary>DC first pass: Huffman-coded difference, point-transformed by <paramref name="al"/>.</summary>
    public static void DecodeDcFirst(ref JpegBitReader reader, JpegComponent c, Span<short> block, int al)
    {
        int s = c.DcTable!.Decode(ref reader);
        c.DcPred += reader.ReceiveExtend(s);
        block[0] = (short)(c.DcPred << al);
    }

    /// <summary>DC refinement: one raw bit per block.</summary>
    public static void DecodeDcRefine(ref JpegBitReader reader, Span<short> block, int al)
    {
        if (reader.ReadBit() != 0)
        {
            block[0] = (short)((ushort)block[0] | (1 << al));
        }
    }

    /// <summary>AC first pass over the band <paramref name="ss"/>..<paramref name="se"/>, with end-of-band runs.</summary>
    public static void DecodeAcFirst(ref JpegBitReader reader, JpegHuffmanTable ac, Span<short> block, int ss, int se, int al, ref int eobRun)
    {
        if (eobRun > 0)
        {
            eobRun--;
            return;
        }

        ReadOnlySpan<byte> natural = JpegZigZag.NaturalOrder;
        for (int k = ss; k <= se; k++)
        {
            int rs = ac.Decode(ref reader);
            int run = rs >> 4;
            int s = rs & 15;
            if (s != 0)
            {
                k += run;
                if (k > se)
                {
                    throw new DecodeFailure("JPEG entropy-coded data is corrupt (AC coefficient index past the end of the band)");
                }

                block[natural[k]] = (short)(reader.ReceiveExtend(s) << al);
            }
            else if (run == 15)
            {
                k += 15;
            }
            else
            {
                eobRun = (1 << run) - 1;
                if (run != 0)
                {
                    eobRun += reader.ReadBits(run);
                }

                break;
            }
        }
    }

    /// <summary>
    /// AC refinement: adds one bit of precision to coefficients that are already non-zero and
    /// places newly significant coefficients (magnitude 1 at this bit position).
    /// </summary>
    public static void DecodeAcRefine(ref JpegBitReader reader, JpegHuffmanTable ac, Span<short> block, int ss, int se, int al, ref int eobRun)
    {
        ReadOnlySpan<byte> natural = JpegZigZag.NaturalOrder;
        int plus = 1 << al;
        int minus = -1 << al;
        int k = ss;

        if (eobRun == 0)
        {
            for (; k <= se; k++)
            {
                int rs = ac.Decode(ref reader);
                int zeros = rs >> 4;
                int s = rs & 15;
                int newValue = 0;
                if (s != 0)
                {
                    if (s != 1)
                    {
                        throw new DecodeFailure("JPEG entropy-coded data is corrupt (refinement coefficient size is not 1)");
                    }

                    newValue = reader.ReadBit() != 0 ? plus : minus;
                }
                else if (zeros != 15)
                {
                    eobRun = 1 << zeros;
                    if (zeros != 0)
                    {
                        eobRun += reader.ReadBits(zeros);
                    }

                    break;
                }

                // Skip `zeros` still-zero coefficients, refining the non-zero ones passed on the way.
                while (k <= se)
                {
                    int pos = natural[k];
                    int coef = block[pos];
                    if (coef != 0)
                    {
                        if (reader.ReadBit() != 0 && (coef & plus) == 0)
                        {
                            block[pos] = (short)(coef >= 0 ? coef + plus : coef + minus);
                        }
                    }
                    else
                    {
                        if (zeros == 0)
                        {
                            break;
                        }

                        zeros--;
                    }

                    k++;
                }

                if (newValue != 0)
                {
                    if (k > se)
                    {
                        throw new DecodeFailure("JPEG entropy-coded data is corrupt (AC coefficient index past the end of the band)");
                    }

                    block[natural[k]] = (short)newValue;
                }
            }
        }

        if (eobRun > 0)
        {
            // Inside an end-of-band run: only correction bits for already non-zero coefficients.
            for (; k <= se; k++)
            {
                int pos = natural[k];
                int coef = block[pos];
                if (coef != 0 && reader.ReadBit() != 0 && (coef & plus) == 0)
                {
                    block[pos] = (short)(coef >= 0 ? coef + plus : coef + minus);
                }
            }

            eobRun--;
        }
    }
}
