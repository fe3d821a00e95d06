using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Hand-made BMP cases whose expected output follows the BMP specification.</summary>
public class BmpBehaviourTests
{
    [Fact]
    public void Rle8DeltaAndEndOfLineLeaveIndexZero()
    {
        // 4x3, bottom-up. File row 0: 2 x index 5, delta (+1, +1) -> file row 1, x 3; 1 x index 6; EOL;
        // file row 2: absolute run 7 8 9 (+ pad byte), end of line, end of bitmap.
        byte[] rle = [2, 5, 0, 2, 1, 1, 1, 6, 0, 0, 0, 3, 7, 8, 9, 0, 0, 0, 0, 1];
        byte[] bmp = BmpBuilder.Build(4, 3, 8, rle, BmpBuilder.Palette(16), compression: 1);
        Image img = BmpDecoder.Decode(bmp);
        byte[] indices = new byte[12];
        int[][] fileRows = [[5, 5, 0, 0], [0, 0, 0, 6], [7, 8, 9, 0]];
        for (int fy = 0; fy < 3; fy++)
        {
            for (int x = 0; x < 4; x++)
            {
                indices[((2 - fy) * 4) + x] = (byte)fileRows[fy][x];
            }
        }

        Assert.Equal(3, img.Channels);
        var pal = BmpBuilder.Palette(16);
        for (int i = 0; i < 12; i++)
        {
            var (r, g, b) = pal[indices[i]];
            Assert.Equal([r, g, b], img.Pixels.AsSpan(i * 3, 3).ToArray());
        }
    }

    [Fact]
    public void Rle4OddAbsoluteRunIsDecodedPerSpecification()
    {
        // 5x1: absolute run of 5 nibbles (3 bytes + 1 pad byte), then end of bitmap.
        byte[] rle = [0, 5, 0x12, 0x34, 0x50, 0, 0, 1];
        Image img = BmpDecoder.Decode(BmpBuilder.Build(5, 1, 4, rle, BmpBuilder.Palette(16), compression: 2));
        var pal = BmpBuilder.Palette(16);
        for (int x = 0; x < 5; x++)
        {
            Assert.Equal(pal[x + 1].R, img.Pixels[3 * x]);
        }
    }

    [Fact]
    public void RleEndOfBitmapBeforeTheLastRowIsRejectedLikePil()
    {
        byte[] rle = [3, 5, 0, 1];
        string msg = TestAssets.DecodeError(() => BmpDecoder.Decode(BmpBuilder.Build(4, 2, 8, rle, BmpBuilder.Palette(8), compression: 1)));
        Assert.Contains("end-of-bitmap marker at row 0 of 2 leaves the image incomplete", msg);
    }

    [Fact]
    public void RleDeltaMayCoverTheRestOfTheImage()
    {
        // 4x2: 3 x index 5, then delta (+1, +1) jumps past the last pixel: complete, the rest is index 0.
        byte[] rle = [3, 5, 0, 2, 1, 1, 0, 1];
        Image img = BmpDecoder.Decode(BmpBuilder.Build(4, 2, 8, rle, BmpBuilder.Palette(8), compression: 1));
        var pal = BmpBuilder.Palette(8);
        byte[] expectedIdx = [0, 0, 0, 0, 5, 5, 5, 0]; // top row is file row 1
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(pal[expectedIdx[i]].G, img.Pixels[(3 * i) + 1]);
        }
    }

    [Fact]
    public void FourBitIdentityRampIsGrayWithIndexValues()
    {
        var ramp = Enumerable.Range(0, 16).Select(i => ((byte)i, (byte)i, (byte)i)).ToArray();
        byte[] pixels = [0x0F, 0x3A, 0x70, 0x00]; // 5 pixels: 0 F 3 A 7, padded to 4 bytes
        Image img = BmpDecoder.Decode(BmpBuilder.Build(5, 1, 4, pixels, ramp));
        Assert.Equal(1, img.Channels);
        Assert.Equal([0, 15, 3, 10, 7], img.Pixels);
    }

    [Fact]
    public void BitfieldsWithWideMasksScaleToEightBits()
    {
        // 32-bit with 10-bit channels (R in bits 20-29, G 10-19, B 0-9).
        uint px = (1023u << 20) | (512u << 10) | 0u;
        byte[] data = BitConverter.GetBytes(px);
        Image img = BmpDecoder.Decode(BmpBuilder.Build(1, 1, 32, data, compression: 3, masks: [0x3FF00000, 0xFFC00, 0x3FF]));
        Assert.Equal([255, 127, 0], img.Pixels);
    }
}
