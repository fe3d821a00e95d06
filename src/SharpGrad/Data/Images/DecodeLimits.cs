namespace SharpGrad.Data.Images;

/// <summary>Resource limits shared by the JPEG and BMP decoders.</summary>
internal static class DecodeLimits
{
    /// <summary>Largest width * height * channels an image may have (256 Mi samples).</summary>
    public const long MaxSamples = 1L << 28;
}
