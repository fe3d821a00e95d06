using SharpGrad.Data.Images;
using System.Buffers.Binary;

namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Malformed and unsupported BMP input must always end in <see cref="ImageDecodeException"/>.</summary>
public class BmpMalformedTests
{
    public static IEnumerable<object[]> TruncationFiles =>
    [
        ["bmp_8bit_8x4.bmp"],
        ["bmp_4bit_13x4.bmp"],
        ["bmp_24bit_7x4.bmp"],
        ["bmp_32bit_v5_bgra_4x3.bmp"],
        ["bmp_16bit_565_6x3.bmp"],
        ["bmp_8bit_os2_7x3.bmp"],
        ["bmp_rle8_16x5.bmp"],
        ["bmp_rle4_7x5.bmp"],
    ];

    [Theory]
    [MemberData(nameof(TruncationFiles))]
    public void TruncationAtEveryOffsetFailsCleanly(string name)
    {
        byte[] data = TestAssets.Read(name);
        byte[] full = BmpDecoder.Decode(data).Pixels;
        int failures = 0;
        for (int cut = 0; cut < data.Length; cut++)
        {
            try
            {
                // A cut may only succeed when it removes nothing the image needs (row padding, end markers).
                Image img = BmpDecoder.Decode(data.AsSpan(0, cut), name);
                Assert.Equal(full, img.Pixels);
            }
            catch (ImageDecodeException e)
            {
                Assert.StartsWith(name + ": ", e.Message);
                failures++;
            }
        }

        Assert.True(failures >= data.Length - 4, $"only {failures} of {data.Length} cuts failed");
    }

    private static byte[] Sample() => TestAssets.Read("bmp_24bit_7x4.bmp");

    [Fact]
    public void NotBmp() =>
        Assert.Contains("missing 'BM' signature", TestAssets.DecodeError(() => BmpDecoder.Decode("GIF89a"u8)));

    [Theory]
    [InlineData(0, 4, "invalid dimensions 0x4")]
    [InlineData(7, 0, "invalid dimensions 7x0")]
    [InlineData(-7, 4, "invalid dimensions -7x4")]
    public void BadDimensions(int w, int h, string expected)
    {
        byte[] d = Sample();
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(22), h);
        Assert.Contains(expected, TestAssets.DecodeError(() => BmpDecoder.Decode(d)));
    }

    [Fact]
    public void AbsurdDimensionsExceedTheLimit()
    {
        byte[] d = Sample();
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(18), 1_000_000);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(22), -1_000_000);
        Assert.Contains("exceed the decoder limit", TestAssets.DecodeError(() => BmpDecoder.Decode(d)));
    }

    [Fact]
    public void LargeDimensionsWithoutThePixelDataAreRejectedBeforeAllocating()
    {
        byte[] d = Sample();
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(18), 8000);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(22), 8000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        string msg = TestAssets.DecodeError(() => BmpDecoder.Decode(d));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("pixel data is truncated", msg);
    }

    [Fact]
    public void UnsupportedHeaderSize()
    {
        byte[] d = Sample();
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(14), 44);
        Assert.Contains("header size 44 is not supported", TestAssets.DecodeError(() => BmpDecoder.Decode(d)));
    }

    [Theory]
    [InlineData(2, 0, "bit depth 2 is not supported")]
    [InlineData(24, 1, "compression 1 cannot be used with 24-bit pixels")]
    [InlineData(24, 4, "embedded JPEG")]
    [InlineData(24, 5, "embedded PNG")]
    [InlineData(24, 6, "BI_ALPHABITFIELDS")]
    [InlineData(24, 9, "compression 9 is not supported")]
    public void UnsupportedFormats(short bits, int compression, string expected)
    {
        byte[] d = Sample();
        BinaryPrimitives.WriteInt16LittleEndian(d.AsSpan(28), bits);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(30), compression);
        Assert.Contains(expected, TestAssets.DecodeError(() => BmpDecoder.Decode(d)));
    }

    [Fact]
    public void NonContiguousBitfieldMask()
    {
        byte[] bmp = BmpBuilder.Build(1, 1, 16, [0, 0, 0, 0], compression: 3, masks: [0xF00F, 0x7E0, 0x1F]);
        Assert.Contains("mask 0x0000F00F is not contiguous", TestAssets.DecodeError(() => BmpDecoder.Decode(bmp)));
    }

    [Fact]
    public void PaletteLargerThanTheFile()
    {
        byte[] bmp = BmpBuilder.Build(2, 1, 8, [0, 1, 0, 0], BmpBuilder.Palette(2), colorsUsed: 60000);
        Assert.Contains("palette is truncated", TestAssets.DecodeError(() => BmpDecoder.Decode(bmp)));
        byte[] huge = BmpBuilder.Build(2, 1, 8, [0, 1, 0, 0], BmpBuilder.Palette(2), colorsUsed: 70000);
        Assert.Contains("palette size 70000 is not supported", TestAssets.DecodeError(() => BmpDecoder.Decode(huge)));
    }

    [Fact]
    public void PixelOffsetBeyondTheFile()
    {
        byte[] d = Sample();
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(10), 1 << 30);
        Assert.Contains("offset 1073741824 is beyond the end of the file", TestAssets.DecodeError(() => BmpDecoder.Decode(d)));
    }

    [Fact]
    public void RleWithoutEndOfBitmapIsTruncated()
    {
        byte[] bmp = BmpBuilder.Build(4, 3, 8, [4, 1, 0, 0], BmpBuilder.Palette(4), compression: 1);
        Assert.Contains("RLE data is truncated at row 1", TestAssets.DecodeError(() => BmpDecoder.Decode(bmp, "a.bmp")));
    }
}
