using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>The AVX2 and portable inverse DCTs must agree bit for bit.</summary>
public class IdctTests
{
    [Fact]
    public void SimdAndScalarPathsAgree()
    {
        var rng = new Random(1234);
        var coef = new short[64];
        var quant = new ushort[64];
        var a = new byte[8 * 24];
        var b = new byte[8 * 24];
        for (int trial = 0; trial < 20000; trial++)
        {
            Array.Clear(coef);
            int mode = trial % 4;
            int nonZero = mode == 0 ? 0 : mode == 1 ? 1 + rng.Next(4) : 1 + rng.Next(63);
            coef[0] = (short)rng.Next(-1024, 1024);
            for (int i = 0; i < nonZero; i++)
            {
                int range = mode == 3 ? 2048 : 64;
                coef[rng.Next(64)] = (short)rng.Next(-range, range);
            }

            for (int i = 0; i < 64; i++)
            {
                quant[i] = (ushort)(mode == 3 ? 1 + rng.Next(8) : 1 + rng.Next(120));
            }

            int offset = rng.Next(9);
            Array.Fill(a, (byte)7);
            Array.Fill(b, (byte)7);
            JpegIdct.Transform(coef, quant, a, offset, 24);
            JpegIdct.TransformScalar(coef, quant, b, offset, 24);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void DcOnlyBlockIsFlat()
    {
        var coef = new short[64];
        var quant = new ushort[64];
        Array.Fill(quant, (ushort)16);
        coef[0] = -5; // -80 after dequantization: (-320 + 16) >> 5 = -10 -> 118
        var outBuf = new byte[64];
        JpegIdct.Transform(coef, quant, outBuf, 0, 8);
        Assert.All(outBuf, v => Assert.Equal(118, v));
    }
}
