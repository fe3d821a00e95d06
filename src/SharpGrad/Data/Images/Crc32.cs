using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpGrad.Data.Images;

/// <summary>The CRC-32 of PNG chunks and zlib/gzip (ISO 3309, reflected polynomial 0xEDB88320), slicing by 8 bytes.</summary>
internal static class Crc32
{
    // Tables[k * 256 + n]: the CRC of byte n followed by k zero bytes. Built once, read-only afterwards.
    private static readonly uint[] Tables = BuildTables();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Extends a finished CRC-32 <paramref name="crc"/> (0 for none) with <paramref name="data"/>, like zlib's <c>crc32(crc, buf, len)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        ref uint t = ref MemoryMarshal.GetArrayDataReference(Tables);
        ref byte p = ref MemoryMarshal.GetReference(data);
        int n = data.Length, i = 0;
        for (; i + 8 <= n; i += 8)
        {
            uint one = ReadLittleEndian(ref Unsafe.Add(ref p, i)) ^ c;
            uint two = ReadLittleEndian(ref Unsafe.Add(ref p, i + 4));
            c = Unsafe.Add(ref t, 7 * 256 + (int)(one & 0xFF))
              ^ Unsafe.Add(ref t, 6 * 256 + (int)((one >> 8) & 0xFF))
              ^ Unsafe.Add(ref t, 5 * 256 + (int)((one >> 16) & 0xFF))
              ^ Unsafe.Add(ref t, 4 * 256 + (int)(one >> 24))
              ^ Unsafe.Add(ref t, 3 * 256 + (int)(two & 0xFF))
              ^ Unsafe.Add(ref t, 2 * 256 + (int)((two >> 8) & 0xFF))
              ^ Unsafe.Add(ref t, 1 * 256 + (int)((two >> 16) & 0xFF))
              ^ Unsafe.Add(ref t, (int)(two >> 24));
        }
        for (; i < n; i++)
            c = Unsafe.Add(ref t, (int)((c ^ Unsafe.Add(ref p, i)) & 0xFF)) ^ (c >> 8);
        return ~c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadLittleEndian(ref byte p)
    {
        uint v = Unsafe.ReadUnaligned<uint>(ref p);
        return BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
    }

    private static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        for (int k = 1; k < 8; k++)
            for (int n = 0; n < 256; n++)
            {
                uint prev = t[(k - 1) * 256 + n];
                t[k * 256 + n] = (prev >> 8) ^ t[prev & 0xFF];
            }
        return t;
    }
}
