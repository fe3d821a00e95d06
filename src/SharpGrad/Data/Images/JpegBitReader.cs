namespace SharpGrad.Data.Images;

/// <summary>
/// Reads bits MSB-first from a JPEG entropy-coded segment, removing 0xFF00 byte stuffing.
/// When a marker (or the end of the data) is reached, zero bits are supplied instead and counted,
/// so callers can detect that a segment ended before its data was complete (<see cref="Overrun"/>).
/// </summary>
internal ref struct JpegBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private ulong _bits;      // valid bits are left-aligned (bit 63 is the next bit)
    private int _count;       // number of valid bits in _bits
    private int _padBits;     // how many of the bits ever appended were padding, not data
    private bool _atMarker;

    public JpegBitReader(ReadOnlySpan<byte> data, int position)
    {
        _data = data;
        _pos = position;
        _bits = 0;
        _count = 0;
        _padBits = 0;
        _atMarker = false;
    }

    /// <summary>Offset of the next byte not yet loaded; at the marker once one has been reached.</summary>
    public readonly int Position => _pos;

    /// <summary>True once the decoder has consumed padding bits, i.e. the segment's data ran out.</summary>
    public readonly bool Overrun => _count < _padBits;

    /// <summary>Restarts reading at <paramref name="position"/> with an empty bit buffer.</summary>
    public void Reset(int position)
    {
        _pos = position;
        _bits = 0;
        _count = 0;
        _padBits = 0;
        _atMarker = false;
    }

    /// <summary>Returns the next <paramref name="n"/> (1..16) bits without consuming them.</summary>
    public int PeekBits(int n)
    {
        if (_count < n)
        {
            Fill();
        }

        return (int)(_bits >> (64 - n));
    }

    /// <summary>Consumes <paramref name="n"/> bits that were previously peeked.</summary>
    public void SkipBits(int n)
    {
        _bits <<= n;
        _count -= n;
    }

    /// <summary>Reads <paramref name="n"/> (0..16) bits as an unsigned value.</summary>
    public int ReadBits(int n)
    {
        if (n == 0)
        {
            return 0;
        }

        if (_count < n)
        {
            Fill();
        }

        int v = (int)(_bits >> (64 - n));
        _bits <<= n;
        _count -= n;
        return v;
    }

    /// <summary>Reads one bit.</summary>
    public int ReadBit()
    {
        if (_count < 1)
        {
            Fill();
        }

        int v = (int)(_bits >> 63);
        _bits <<= 1;
        _count--;
        return v;
    }

    /// <summary>Reads an <paramref name="s"/>-bit magnitude and sign-extends it (T.81 F.2.2.1 EXTEND).</summary>
    public int ReceiveExtend(int s)
    {
        if (s == 0)
        {
            return 0;
        }

        int v = ReadBits(s);
        return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
    }

    private void Fill()
    {
        ReadOnlySpan<byte> data = _data;
        while (_count <= 56)
        {
            int b = 0;
            if (!_atMarker && (uint)_pos < (uint)data.Length)
            {
                b = data[_pos];
                if (b != 0xFF)
                {
                    _pos++;
                }
                else
                {
                    // 0xFF 0x00 is a stuffed data byte; further 0xFF bytes are fill before a marker.
                    int p = _pos + 1;
                    while ((uint)p < (uint)data.Length && data[p] == 0xFF)
                    {
                        p++;
                    }

                    if ((uint)p < (uint)data.Length && data[p] == 0)
                    {
                        _pos = p + 1;
                    }
                    else
                    {
                        _atMarker = true;
                        b = 0;
                        _padBits += 8;
                    }
                }
            }
            else
            {
                _atMarker = true;
                _padBits += 8;
            }

            _bits |= (ulong)(uint)b << (56 - _count);
            _count += 8;
        }
    }
}
