using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Format sniffing and error-message conventions of <see cref="ImageDecoder"/>.</summary>
public class ImageDecoderTests
{
    [Theory]
    [InlineData("jpeg_rgb420_q75_64x64.jpg")]
    [InlineData("jpeg_prog_gray_q75_33x20.jpg")]
    public void DispatchesJpeg(string name)
    {
        byte[] d = TestAssets.Read(name);
        Assert.Equal(JpegDecoder.Decode(d).Pixels, ImageDecoder.Decode(d).Pixels);
    }

    [Theory]
    [InlineData("bmp_24bit_7x4.bmp")]
    [InlineData("bmp_rle8_16x5.bmp")]
    public void DispatchesBmp(string name)
    {
        byte[] d = TestAssets.Read(name);
        Assert.Equal(BmpDecoder.Decode(d).Pixels, ImageDecoder.Decode(d).Pixels);
    }

    [Fact]
    public void DispatchesPngSignatureToThePngDecoder()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
        string msg = TestAssets.DecodeError(() => ImageDecoder.Decode(png, "a.png"));
        Assert.StartsWith("a.png: ", msg);
        Assert.DoesNotContain("unrecognized", msg);
        Assert.DoesNotContain("JPEG", msg);
        Assert.DoesNotContain("BMP", msg);
    }

    [Fact]
    public void UnknownFormatNamesTheFirstBytes()
    {
        string msg = TestAssets.DecodeError(() => ImageDecoder.Decode("GIF89a\x01\x00\x05"u8, "anim.gif"));
        Assert.Equal("anim.gif: unrecognized image format (first bytes: 47 49 46 38 39 61 01 00; expected PNG, JPEG or BMP)", msg);
    }

    [Fact]
    public void EmptyAndTinyInputs()
    {
        Assert.Equal("<memory>: unrecognized image format (the data is empty)", TestAssets.DecodeError(() => ImageDecoder.Decode([])));
        Assert.Contains("first bytes: FF D8", TestAssets.DecodeError(() => ImageDecoder.Decode([0xFF, 0xD8])));
        Assert.Contains("BMP file header is truncated", TestAssets.DecodeError(() => ImageDecoder.Decode("BM"u8)));
        Assert.Contains("JPEG data is truncated", TestAssets.DecodeError(() => ImageDecoder.Decode([0xFF, 0xD8, 0xFF])));
    }

    [Fact]
    public void MessageStartsWithTheSourceName()
    {
        byte[] d = TestAssets.Read("error_arithmetic.jpg");
        Assert.StartsWith("photos/cat.jpg: JPEG ", TestAssets.DecodeError(() => ImageDecoder.Decode(d, "photos/cat.jpg")));
        Assert.StartsWith("<memory>: JPEG ", TestAssets.DecodeError(() => ImageDecoder.Decode(d)));
    }

    [Fact]
    public void ExceptionIsAnIOException()
    {
        Exception e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([1, 2, 3]));
        Assert.IsAssignableFrom<IOException>(e);
    }
}
