using System.Buffers.Binary;

namespace SharpGrad.Data.Images;

/// <summary>The validated fields of a PNG IHDR chunk and the layout they imply.</summary>
internal readonly struct PngHeader
{
    /// <summary>The length of the IHDR chunk's data.</summary>
    public const int Length = 13;

    public PngHeader(int width, int height, int bitDepth, int colorType, bool interlaced)
    {
        Width = width;
        Height = height;
        BitDepth = bitDepth;
        ColorType = colorType;
        Interlaced = interlaced;
        SamplesPerPixel = colorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        BitsPerPixel = SamplesPerPixel * bitDepth;
        FilterStride = Math.Max(1, BitsPerPixel / 8);
        OutputChannels = colorType is 0 or 4 ? 1 : 3;
    }

    public int Width { get; }
    public int Height { get; }
    public int BitDepth { get; }

    /// <summary>0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGB + alpha.</summary>
    public int ColorType { get; }

    public bool Interlaced { get; }
    public int SamplesPerPixel { get; }
    public int BitsPerPixel { get; }

    /// <summary>The filters' "bpp": bytes per complete pixel, rounded up to 1.</summary>
    public int FilterStride { get; }

    /// <summary>1 for gray and gray + alpha, 3 for RGB, RGB + alpha and palette.</summary>
    public int OutputChannels { get; }

    /// <summary>Bytes in one scanline of <paramref name="pixels"/> pixels, without the filter byte.</summary>
    public long RowBytes(int pixels) => ((long)pixels * BitsPerPixel + 7) >> 3;

    /// <summary>Parses and validates the 13 data bytes of IHDR.</summary>
    public static PngHeader Parse(ReadOnlySpan<byte> data, string? source)
    {
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int bitDepth = data[8], colorType = data[9];
        if (width is 0 or > int.MaxValue)
            throw new ImageDecodeException(source, $"PNG width {width} is invalid (must be 1 to {int.MaxValue})");
        if (height is 0 or > int.MaxValue)
            throw new ImageDecodeException(source, $"PNG height {height} is invalid (must be 1 to {int.MaxValue})");
        string? allowed = colorType switch
        {
            0 => "1, 2, 4, 8, 16",
            2 or 4 or 6 => "8, 16",
            3 => "1, 2, 4, 8",
            _ => null,
        };
        if (allowed is null)
            throw new ImageDecodeException(source, $"PNG colour type {colorType} is invalid (must be 0, 2, 3, 4 or 6)");
        bool depthOk = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            _ => bitDepth is 8 or 16,
        };
        if (!depthOk)
            throw new ImageDecodeException(source, $"PNG bit depth {bitDepth} is invalid for colour type {colorType} (allowed: {allowed})");
        if (data[10] != 0)
            throw new ImageDecodeException(source, $"PNG compression method {data[10]} is unknown (only 0, deflate, is defined)");
        if (data[11] != 0)
            throw new ImageDecodeException(source, $"PNG filter method {data[11]} is unknown (only 0 is defined)");
        if (data[12] > 1)
            throw new ImageDecodeException(source, $"PNG interlace method {data[12]} is unknown (must be 0, none, or 1, Adam7)");
        return new PngHeader((int)width, (int)height, bitDepth, colorType, data[12] == 1);
    }
}
