namespace SharpGrad.Data.Images;

/// <summary>
/// Internal signal raised deep inside the JPEG/BMP decoders, where the source name is not known;
/// the public entry points convert it into an <see cref="ImageDecodeException"/>.
/// </summary>
internal sealed class DecodeFailure : Exception
{
    public DecodeFailure(string message)
        : base(message)
    {
    }
}
