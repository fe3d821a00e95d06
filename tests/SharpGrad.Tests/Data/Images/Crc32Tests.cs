using SharpGrad.Data.Images;
using System.Text;

namespace SharpGrad.Tests.Data.Images;

public class Crc32Tests
{
    [Fact]
    public void Matches_the_standard_check_values()
    {
        Assert.Equal(0u, Crc32.Compute([]));
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xAE426082u, Crc32.Compute(Encoding.ASCII.GetBytes("IEND"))); // every PNG ends with these bytes
        Assert.Equal(0x414FA339u, Crc32.Compute(Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog")));
    }

    [Fact]
    public void Appending_in_pieces_equals_one_pass_for_every_length_and_split()
    {
        var data = new byte[100];
        new Random(5).NextBytes(data);
        for (int n = 0; n <= data.Length; n++)
        {
            uint whole = Crc32.Compute(data.AsSpan(0, n));
            Assert.Equal(Bitwise(data.AsSpan(0, n)), whole);
            for (int split = 0; split <= n; split += 7)
                Assert.Equal(whole, Crc32.Append(Crc32.Compute(data.AsSpan(0, split)), data.AsSpan(split, n - split)));
        }
    }

    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }
}
