namespace SharpGrad.Data.Images;

/// <summary>
/// A decoding table for one JPEG Huffman table (ITU T.81 Annex C / F.2.2.3): codes of up to
/// <see cref="FastBits"/> bits resolve with a single lookup, longer codes via the canonical
/// max-code comparison. Immutable after construction, so scans may share it across threads.
/// </summary>
internal sealed class JpegHuffmanTable
{
    /// <summary>Number of bits resolved by the direct lookup.</summary>
    public const int FastBits = 9;

    // (codeLength << 8) | symbol for every FastBits-bit prefix whose code is at most FastBits long; 0 otherwise.
    private readonly ushort[] _fast = new ushort[1 << FastBits];

    // Largest code of each length (index 1..16), -1 when that length has no codes.
    private readonly int[] _maxCode = new int[17];

    // Index into _symbols of a length-l code is code + _symbolOffset[l].
    private readonly int[] _symbolOffset = new int[17];

    private readonly byte[] _symbols;

    private JpegHuffmanTable(byte[] symbols)
    {
        _symbols = symbols;
    }

    private int[]? _fastAc;

    /// <summary>
    /// For AC tables: for every <see cref="FastBits"/>-bit prefix that holds a complete code plus its
    /// magnitude bits, <c>(value &lt;&lt; 8) | (run &lt;&lt; 4) | totalBits</c>; 0 where the slow path is
    /// needed (longer codes, end-of-block, zero runs). Built on first use (sequential scans only);
    /// a table belongs to one decode call, so the lazy initialisation is not shared between threads.
    /// </summary>
    public int[] FastAc => _fastAc ??= BuildFastAc();

    /// <summary>
    /// Builds a table from the 16 code-length counts and the symbol list of a DHT segment.
    /// </summary>
    /// <param name="counts">Number of codes of each length 1..16.</param>
    /// <param name="symbols">Symbols in code order; its length must equal the sum of <paramref name="counts"/>.</param>
    /// <param name="isDc">Whether this is a DC table (symbols must then be at most 15).</param>
    /// <param name="id">Table slot, used only in error messages.</param>
    public static JpegHuffmanTable Create(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols, bool isDc, int id)
    {
        string name = $"JPEG {(isDc ? "DC" : "AC")} Huffman table {id}";
        var table = new JpegHuffmanTable(symbols.ToArray());
        int code = 0;
        int k = 0;
        for (int len = 1; len <= 16; len++)
        {
            int n = counts[len - 1];
            if (n == 0)
            {
                table._maxCode[len] = -1;
            }
            else
            {
                table._symbolOffset[len] = k - code;
                for (int i = 0; i < n; i++, k++, code++)
                {
                    if (code >= 1 << len)
                    {
                        throw new DecodeFailure($"{name} is malformed (too many codes of length {len} or shorter)");
                    }

                    if (len <= FastBits)
                    {
                        int shift = FastBits - len;
                        int first = code << shift;
                        ushort entry = (ushort)((len << 8) | symbols[k]);
                        table._fast.AsSpan(first, 1 << shift).Fill(entry);
                    }
                }

                table._maxCode[len] = code - 1;
            }

            // The next code must still fit in len bits: all-ones codes are reserved (T.81 C.2).
            if (code >= 1 << len)
            {
                throw new DecodeFailure($"{name} is malformed (too many codes of length {len} or shorter)");
            }

            code <<= 1;
        }

        if (isDc)
        {
            foreach (byte s in symbols)
            {
                if (s > 15)
                {
                    throw new DecodeFailure($"{name} is malformed (DC symbol {s} is larger than 15)");
                }
            }
        }

        return table;
    }

    private int[] BuildFastAc()
    {
        var fastAc = new int[1 << FastBits];
        for (int i = 0; i < fastAc.Length; i++)
        {
            int entry = _fast[i];
            int len = entry >> 8;
            int size = entry & 15;
            if (entry == 0 || size == 0 || len + size > FastBits)
            {
                continue;
            }

            int bits = (i >> (FastBits - len - size)) & ((1 << size) - 1);
            int value = bits < (1 << (size - 1)) ? bits - (1 << size) + 1 : bits;
            int run = (entry >> 4) & 15;
            fastAc[i] = (value << 8) | (run << 4) | (len + size);
        }

        return fastAc;
    }

    /// <summary>Decodes one symbol, consuming its code bits.</summary>
    public int Decode(ref JpegBitReader reader)
    {
        int peek = reader.PeekBits(16);
        int entry = _fast[peek >> (16 - FastBits)];
        if (entry != 0)
        {
            reader.SkipBits(entry >> 8);
            return entry & 0xFF;
        }

        for (int len = FastBits + 1; len <= 16; len++)
        {
            int code = peek >> (16 - len);
            if (code <= _maxCode[len])
            {
                reader.SkipBits(len);
                return _symbols[code + _symbolOffset[len]];
            }
        }

        throw new DecodeFailure("JPEG entropy-coded data is corrupt (invalid Huffman code)");
    }
}
