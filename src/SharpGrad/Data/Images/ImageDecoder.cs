namespace SharpGrad.Data.Images;

/// <summary>Temporary: PNG only until the JPEG and BMP decoders land.</summary>
public static class ImageDecoder
{
    /// <summary>Decodes an image file's bytes.</summary>
    public static Image Decode(ReadOnlySpan<byte> data, string? source = null) => PngDecoder.Decode(data, source);
}
