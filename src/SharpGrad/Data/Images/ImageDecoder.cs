using System.Text;

namespace SharpGrad.Data.Images;

/// <summary>Decodes PNG, JPEG and BMP images, choosing the codec from the file's magic bytes.</summary>
public static class ImageDecoder
{
    /// <summary>
    /// Decodes an image, detecting the format from its first bytes
    /// (PNG <c>89 50 4E 47</c>, JPEG <c>FF D8 FF</c>, BMP <c>42 4D</c>).
    /// </summary>
    /// <param name="data">The complete file contents.</param>
    /// <param name="source">File path or other name used in error messages; <c>null</c> reads as <c>&lt;memory&gt;</c>.</param>
    /// <returns>The decoded image (1 channel grayscale or 3 channel RGB).</returns>
    /// <exception cref="ImageDecodeException">The format is unknown, or the data is malformed or unsupported.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, string? source = null)
    {
        if (data.Length >= 4 && data[0] == 0x89 && data[1] == (byte)'P' && data[2] == (byte)'N' && data[3] == (byte)'G')
        {
            return PngDecoder.Decode(data, source);
        }

        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return JpegDecoder.Decode(data, source);
        }

        if (data.Length >= 2 && data[0] == (byte)'B' && data[1] == (byte)'M')
        {
            return BmpDecoder.Decode(data, source);
        }

        throw new ImageDecodeException(source, DescribeUnknown(data));
    }

    /// <summary>
    /// Decodes an image as a viewer shows it: as <see cref="Decode"/>, then turned upright by a JPEG's EXIF
    /// orientation tag (PIL's <c>ImageOps.exif_transpose(Image.open(f))</c>), so phone photos are not sideways.
    /// </summary>
    /// <inheritdoc cref="Decode" path="/param"/>
    /// <exception cref="ImageDecodeException">The format is unknown, or the data is malformed or unsupported.</exception>
    public static Image DecodeUpright(ReadOnlySpan<byte> data, string? source = null)
    {
        Image image = Decode(data, source);
        return data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 ? image.Orient(ExifOrientation.Read(data)) : image;
    }

    private static string DescribeUnknown(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return "unrecognized image format (the data is empty)";
        }

        var sb = new StringBuilder("unrecognized image format (first bytes:");
        int n = Math.Min(data.Length, 8);
        for (int i = 0; i < n; i++)
        {
            sb.Append(' ').Append(data[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        sb.Append("; expected PNG, JPEG or BMP)");
        return sb.ToString();
    }
}
