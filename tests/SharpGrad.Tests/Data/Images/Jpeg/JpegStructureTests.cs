using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Marker-level tolerance and limits that libjpeg shares: junk between segments, data after EOI, scan counts.</summary>
public class JpegStructureTests
{
    private const string Baseline = "jpeg_rgb420_q75_64x64.jpg";

    [Fact]
    public void JunkBytesBetweenSegmentsAreSkipped()
    {
        byte[] data = TestAssets.Read(Baseline);
        int dqt = JpegEdit.Find(data, 0xDB);
        byte[] withJunk = [.. data[..dqt], 0x12, 0x34, 0x00, .. data[dqt..]];
        Assert.Equal(JpegDecoder.Decode(data).Pixels, JpegDecoder.Decode(withJunk).Pixels);
    }

    [Fact]
    public void DataAfterEoiIsIgnored()
    {
        byte[] data = TestAssets.Read(Baseline);
        byte[] padded = [.. data, 0xFF, 0xD8, 0x01, 0x02, 0x03];
        Assert.Equal(JpegDecoder.Decode(data).Pixels, JpegDecoder.Decode(padded).Pixels);
    }

    [Fact]
    public void SequentialFileWithoutEoiStillDecodes()
    {
        byte[] data = TestAssets.Read(Baseline);
        Assert.Equal(JpegDecoder.Decode(data).Pixels, JpegDecoder.Decode(data.AsSpan(0, data.Length - 2)).Pixels);
    }

    [Fact]
    public void ProgressiveFileWithoutEoiIsTruncated()
    {
        byte[] data = TestAssets.Read("jpeg_prog_gray_q75_33x20.jpg");
        Assert.Contains("JPEG data is truncated (ends before the EOI marker)", TestAssets.DecodeError(() => JpegDecoder.Decode(data.AsSpan(0, data.Length - 2))));
    }

    [Fact]
    public void ProgressiveAcScanBeforeDcScanIsRejected()
    {
        byte[] data = TestAssets.Read("jpeg_prog_gray_q75_33x20.jpg");
        int sos = JpegEdit.Find(data, 0xDA);
        int len = (data[sos + 2] << 8) | data[sos + 3];
        data[sos + 2 + len - 3] = 1; // Ss
        data[sos + 2 + len - 2] = 5; // Se
        data[sos + 2 + len - 1] = 0; // Ah = Al = 0
        Assert.Contains("AC scan comes before the component's DC scan", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void ScanCountIsCapped()
    {
        // Repeat the DC refinement scan (one raw bit per block, always decodable) 600 times.
        byte[] data = TestAssets.Read("jpeg_prog_gray_q75_33x20.jpg");
        var units = ScanUnits(data);
        var dcRefine = units.First(u => data[u.Sos + 4] == 1 && data[u.Sos + 7] == 0 && (data[u.Sos + 9] >> 4) != 0);
        var builder = new List<byte>(data[..units[0].Start]);
        foreach (var u in units)
        {
            builder.AddRange(data[u.Start..u.End]);
        }

        for (int i = 0; i < 600; i++)
        {
            builder.AddRange(data[dcRefine.Start..dcRefine.End]);
        }

        builder.AddRange([0xFF, 0xD9]);
        Assert.Contains("more than 500 scans", TestAssets.DecodeError(() => JpegDecoder.Decode(builder.ToArray())));
    }

    [Fact]
    public void ScanSplitterReassemblesTheFile()
    {
        // Sanity check of the helper used above.
        byte[] data = TestAssets.Read("jpeg_prog_gray_q75_33x20.jpg");
        var units = ScanUnits(data);
        var builder = new List<byte>(data[..units[0].Start]);
        foreach (var u in units)
        {
            builder.AddRange(data[u.Start..u.End]);
        }

        builder.AddRange([0xFF, 0xD9]);
        Assert.Equal(data, builder.ToArray());
    }

    // Each scan as (start of the DHT segments right before it, its SOS, end of its entropy-coded data).
    private static List<(int Start, int Sos, int End)> ScanUnits(byte[] data)
    {
        var units = new List<(int, int, int)>();
        int i = 2;
        int pending = -1;
        while (i + 4 <= data.Length && data[i + 1] != 0xD9)
        {
            byte m = data[i + 1];
            int len = (data[i + 2] << 8) | data[i + 3];
            if (m == 0xC4)
            {
                pending = pending < 0 ? i : pending;
                i += 2 + len;
            }
            else if (m == 0xDA)
            {
                int p = i + 2 + len;
                while (!(data[p] == 0xFF && data[p + 1] != 0 && (data[p + 1] < 0xD0 || data[p + 1] > 0xD7)))
                {
                    p++;
                }

                units.Add((pending < 0 ? i : pending, i, p));
                pending = -1;
                i = p;
            }
            else
            {
                pending = -1;
                i += 2 + len;
            }
        }

        return units;
    }
}
