using SharpGrad.Data.Images;
using System.Buffers.Binary;

namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Builds small BMP files (BITMAPINFOHEADER) for hand-made test cases.</summary>
internal static class BmpBuilder
{
    public static byte[] Build(int width, int height, int bits, byte[] pixelData, (byte R, byte G, byte B)[]? palette = null,
        int compression = 0, uint[]? masks = null, uint colorsUsed = 0)
    {
        int paletteBytes = (palette?.Length ?? 0) * 4;
        int maskBytes = masks is null ? 0 : 12;
        int offset = 14 + 40 + maskBytes + paletteBytes;
        var b = new byte[offset + pixelData.Length];
        b[0] = (byte)'B';
        b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), offset);
        Span<byte> h = b.AsSpan(14);
        BinaryPrimitives.WriteInt32LittleEndian(h, 40);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], width);
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], height);
        BinaryPrimitives.WriteInt16LittleEndian(h[12..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(h[14..], (short)bits);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], compression);
        BinaryPrimitives.WriteInt32LittleEndian(h[20..], pixelData.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[32..], colorsUsed != 0 ? colorsUsed : (uint)(palette?.Length ?? 0));
        int p = 54;
        if (masks is not null)
        {
            foreach (uint m in masks)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(p), m);
                p += 4;
            }
        }

        foreach (var (r, g, bl) in palette ?? [])
        {
            b[p] = bl;
            b[p + 1] = g;
            b[p + 2] = r;
            p += 4;
        }

        pixelData.CopyTo(b, offset);
        return b;
    }

    public static (byte R, byte G, byte B)[] Palette(int n) =>
        Enumerable.Range(0, n).Select(i => ((byte)(i * 7 + 1), (byte)(i * 13 + 2), (byte)(i * 29 + 3))).ToArray();
}
