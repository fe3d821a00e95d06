using System.Buffers.Binary;
using System.Numerics;

namespace SharpGrad.Data.Images;

/// <content>Conversion of BMP pixel rows (palette indices, BGR, bit fields) into output images.</content>
public static partial class BmpDecoder
{
    private static Image FromIndexRows(ReadOnlySpan<byte> src, int w, int h, int stride, int bits, bool topDown, byte[] palette, int channels)
    {
        var output = new byte[(long)w * h * channels];
        int mask = (1 << bits) - 1;
        int perByte = 8 / bits;
        for (int y = 0; y < h; y++)
        {
            ReadOnlySpan<byte> row = src.Slice(y * stride, ((w * bits) + 7) >> 3);
            int outY = topDown ? y : h - 1 - y;
            Span<byte> dst = output.AsSpan(outY * w * channels, w * channels);
            for (int x = 0; x < w; x++)
            {
                int index = bits == 8
                    ? row[x]
                    : (row[x / perByte] >> (8 - (bits * ((x % perByte) + 1)))) & mask;
                if (channels == 1)
                {
                    dst[x] = palette[3 * index];
                }
                else
                {
                    dst[3 * x] = palette[3 * index];
                    dst[(3 * x) + 1] = palette[(3 * index) + 1];
                    dst[(3 * x) + 2] = palette[(3 * index) + 2];
                }
            }
        }

        return new Image(w, h, channels, output);
    }

    private static Image FromBgr24(ReadOnlySpan<byte> src, int w, int h, int stride, bool topDown)
    {
        var output = new byte[(long)w * h * 3];
        for (int y = 0; y < h; y++)
        {
            ReadOnlySpan<byte> row = src.Slice(y * stride, w * 3);
            int outY = topDown ? y : h - 1 - y;
            Span<byte> dst = output.AsSpan(outY * w * 3, w * 3);
            for (int x = 0; x < dst.Length; x += 3)
            {
                dst[x] = row[x + 2];
                dst[x + 1] = row[x + 1];
                dst[x + 2] = row[x];
            }
        }

        return new Image(w, h, 3, output);
    }

    private static Image FromBitfields(ReadOnlySpan<byte> src, int w, int h, int stride, int bits, bool topDown, uint rMask, uint gMask, uint bMask)
    {
        var r = new BitField(rMask);
        var g = new BitField(gMask);
        var b = new BitField(bMask);
        int bytesPer = bits / 8;
        var output = new byte[(long)w * h * 3];
        for (int y = 0; y < h; y++)
        {
            ReadOnlySpan<byte> row = src.Slice(y * stride, w * bytesPer);
            int outY = topDown ? y : h - 1 - y;
            Span<byte> dst = output.AsSpan(outY * w * 3, w * 3);
            for (int x = 0; x < w; x++)
            {
                uint px = bytesPer switch
                {
                    2 => BinaryPrimitives.ReadUInt16LittleEndian(row[(2 * x)..]),
                    3 => (uint)(row[3 * x] | (row[(3 * x) + 1] << 8) | (row[(3 * x) + 2] << 16)),
                    _ => BinaryPrimitives.ReadUInt32LittleEndian(row[(4 * x)..]),
                };
                dst[3 * x] = r.Extract(px);
                dst[(3 * x) + 1] = g.Extract(px);
                dst[(3 * x) + 2] = b.Extract(px);
            }
        }

        return new Image(w, h, 3, output);
    }

    /// <summary>One channel mask of a BI_BITFIELDS image, scaled to 8 bits as v * 255 / max (PIL's rule).</summary>
    private readonly struct BitField
    {
        private readonly int _shift;
        private readonly uint _max;

        public BitField(uint mask)
        {
            if (mask == 0)
            {
                _shift = 0;
                _max = 0;
                return;
            }

            _shift = BitOperations.TrailingZeroCount(mask);
            _max = mask >> _shift;
            if ((_max & (_max + 1)) != 0)
            {
                throw new DecodeFailure($"BMP bit field mask 0x{mask:X8} is not contiguous");
            }
        }

        public byte Extract(uint px)
        {
            if (_max == 0)
            {
                return 0;
            }

            uint v = (px >> _shift) & _max;
            return _max == 255 ? (byte)v : (byte)((ulong)v * 255 / _max);
        }
    }
}
