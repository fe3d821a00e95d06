using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpGrad.Data.Images;

/// <summary>
/// Turns reconstructed PNG scanlines into 8-bit gray or RGB pixels exactly as PIL 9.4's
/// <c>Image.open(f).convert('L')</c> (gray types) or <c>.convert('RGB')</c> (colour types) gives them.
/// </summary>
/// <remarks>
/// PIL's rules, checked against PIL 9.4:
/// <list type="bullet">
/// <item>Gray at 1, 2 or 4 bits is scaled to 0..255 (times 255, 85 or 17).</item>
/// <item>16-bit gray opens as PIL mode <c>I</c> and <c>I</c> to <c>L</c> clamps, so a sample v becomes min(v, 255), not v &gt;&gt; 8.</item>
/// <item>Every other 16-bit sample (gray + alpha, RGB, RGB + alpha) keeps its high byte.</item>
/// <item>Alpha is dropped without compositing; tRNS is ignored.</item>
/// <item>Palette indices past the end of PLTE give gray (i, i, i): PIL's palette starts as a gray ramp.</item>
/// </list>
/// </remarks>
internal static class PngRowConverter
{
    /// <summary>
    /// Converts the first <paramref name="count"/> pixels of scanline <paramref name="src"/> into
    /// <c>count * header.OutputChannels</c> bytes of <paramref name="dst"/>. <paramref name="palette"/> is 768 bytes
    /// of RGB triples for colour type 3 and ignored otherwise.
    /// </summary>
    public static void Convert(in PngHeader header, ReadOnlySpan<byte> src, Span<byte> dst, int count, ReadOnlySpan<byte> palette)
    {
        if (src.Length < header.RowBytes(count) || dst.Length < count * header.OutputChannels)
            throw new ArgumentException("row buffers are too short");
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        int depth = header.BitDepth;
        switch (header.ColorType)
        {
            case 0 when depth == 8:
            case 2 when depth == 8:
                src[..(count * header.OutputChannels)].CopyTo(dst);
                break;
            case 0 when depth == 16:
                for (int i = 0; i < count; i++)
                    Unsafe.Add(ref d, i) = Unsafe.Add(ref s, 2 * i) != 0 ? (byte)255 : Unsafe.Add(ref s, 2 * i + 1);
                break;
            case 0:
                UnpackGray(ref s, ref d, count, depth);
                break;
            case 2: // 16-bit RGB
                for (int i = 0; i < 3 * count; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, 2 * i);
                break;
            case 3:
                ExpandPalette(ref s, ref d, count, depth, palette);
                break;
            case 4:
                int step = depth == 8 ? 2 : 4;
                for (int i = 0; i < count; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, step * i);
                break;
            case 6:
                int stride = depth == 8 ? 4 : 8, sample = depth / 8;
                for (int i = 0; i < count; i++)
                {
                    ref byte px = ref Unsafe.Add(ref s, stride * i);
                    Unsafe.Add(ref d, 3 * i) = px;
                    Unsafe.Add(ref d, 3 * i + 1) = Unsafe.Add(ref px, sample);
                    Unsafe.Add(ref d, 3 * i + 2) = Unsafe.Add(ref px, 2 * sample);
                }
                break;
            default:
                throw new InvalidOperationException($"colour type {header.ColorType} was not validated");
        }
    }

    private static void UnpackGray(ref byte s, ref byte d, int count, int depth)
    {
        int mask = (1 << depth) - 1, scale = 255 / mask;
        for (int i = 0; i < count; i++)
        {
            int bit = i * depth;
            int v = (Unsafe.Add(ref s, bit >> 3) >> (8 - depth - (bit & 7))) & mask;
            Unsafe.Add(ref d, i) = (byte)(v * scale);
        }
    }

    private static void ExpandPalette(ref byte s, ref byte d, int count, int depth, ReadOnlySpan<byte> palette)
    {
        if (palette.Length < 768) throw new ArgumentException("a palette needs 256 entries", nameof(palette));
        ref byte pal = ref MemoryMarshal.GetReference(palette);
        int mask = (1 << depth) - 1;
        for (int i = 0; i < count; i++)
        {
            int index;
            if (depth == 8)
            {
                index = Unsafe.Add(ref s, i);
            }
            else
            {
                int bit = i * depth;
                index = (Unsafe.Add(ref s, bit >> 3) >> (8 - depth - (bit & 7))) & mask;
            }
            ref byte rgb = ref Unsafe.Add(ref pal, 3 * index);
            Unsafe.Add(ref d, 3 * i) = rgb;
            Unsafe.Add(ref d, 3 * i + 1) = Unsafe.Add(ref rgb, 1);
            Unsafe.Add(ref d, 3 * i + 2) = Unsafe.Add(ref rgb, 2);
        }
    }
}
