using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Helpers to locate and modify marker segments of a JPEG file in tests.</summary>
internal static class JpegEdit
{
    /// <summary>Offset of the 0xFF of the first marker <paramref name="code"/> in the header part (before the first SOS data).</summary>
    public static int Find(byte[] data, byte code, int occurrence = 0)
    {
        int i = 2;
        while (i + 4 <= data.Length)
        {
            Assert.Equal(0xFF, data[i]);
            byte m = data[i + 1];
            int len = (data[i + 2] << 8) | data[i + 3];
            if (m == code && occurrence-- == 0)
            {
                return i;
            }

            if (m == 0xDA)
            {
                break;
            }

            i += 2 + len;
        }

        throw new InvalidOperationException($"marker 0xFF{code:X2} not found");
    }

    /// <summary>Removes every segment with marker <paramref name="code"/> that precedes the first scan.</summary>
    public static byte[] RemoveAll(byte[] data, byte code)
    {
        var outBytes = new List<byte>(data[..2]);
        int i = 2;
        while (i < data.Length)
        {
            byte m = data[i + 1];
            if (m == 0xDA)
            {
                outBytes.AddRange(data[i..]);
                break;
            }

            int len = (data[i + 2] << 8) | data[i + 3];
            if (m != code)
            {
                outBytes.AddRange(data[i..(i + 2 + len)]);
            }

            i += 2 + len;
        }

        return outBytes.ToArray();
    }

    public static byte[] With(byte[] data, int offset, params byte[] bytes)
    {
        byte[] copy = (byte[])data.Clone();
        bytes.CopyTo(copy, offset);
        return copy;
    }

    /// <summary>Offset of the first byte of entropy-coded data of the first scan.</summary>
    public static int FirstScanData(byte[] data)
    {
        int sos = Find(data, 0xDA);
        return sos + 2 + ((data[sos + 2] << 8) | data[sos + 3]);
    }
}
