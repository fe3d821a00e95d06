using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>
/// Deterministic mutation fuzzing: corrupted files must decode or throw <see cref="ImageDecodeException"/>,
/// never any other exception, and must not hang.
/// </summary>
public class FuzzTests
{
    public static IEnumerable<object[]> Seeds =>
    [
        ["jpeg_rgb420_q50_33x20.jpg", 1500],
        ["jpeg_gray_q95_17x23.jpg", 1000],
        ["jpeg_prog_rgb420_q75_33x20.jpg", 1500],
        ["jpeg_prog_custom_script_rgb420_27x19.jpg", 1500],
        ["jpeg_restart_blocks_rgb422_37x29.jpg", 1000],
        ["jpeg_rgb411_q80_37x13.jpg", 500],
        ["jpeg_rgb440_q80_23x17.jpg", 500],
        ["bmp_rle8_16x5.bmp", 1000],
        ["bmp_rle4_7x5.bmp", 1000],
        ["bmp_4bit_13x4.bmp", 500],
        ["bmp_32bit_v5_bgra_4x3.bmp", 500],
        ["bmp_16bit_565_v4_topdown_6x3.bmp", 500],
    ];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedInputsOnlyThrowImageDecodeException(string name, int iterations)
    {
        byte[] original = TestAssets.Read(name);
        var rng = new Random(name.Length * 7919 + iterations);
        for (int it = 0; it < iterations; it++)
        {
            byte[] data = (byte[])original.Clone();
            int edits = 1 + rng.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int pos = rng.Next(data.Length);
                switch (rng.Next(4))
                {
                    case 0:
                        data[pos] = (byte)rng.Next(256);
                        break;
                    case 1:
                        data[pos] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 2:
                        data[pos] = rng.Next(2) == 0 ? (byte)0xFF : (byte)0x00;
                        break;
                    default:
                        data = rng.Next(2) == 0 ? data[..pos] : [.. data[..pos], .. data[Math.Min(data.Length, pos + 1 + rng.Next(8))..]];
                        break;
                }

                if (data.Length == 0)
                {
                    break;
                }
            }

            try
            {
                Image img = ImageDecoder.Decode(data, name);
                Assert.Equal((long)img.Width * img.Height * img.Channels, img.Pixels.Length);
            }
            catch (ImageDecodeException)
            {
            }
        }
    }
}
