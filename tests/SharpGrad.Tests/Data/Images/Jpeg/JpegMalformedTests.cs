using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images.Jpeg;

/// <summary>Malformed and unsupported JPEG input must always end in <see cref="ImageDecodeException"/>.</summary>
public class JpegMalformedTests
{
    private const string Baseline = "jpeg_rgb420_q75_64x64.jpg";

    public static IEnumerable<object[]> TruncationFiles =>
    [
        ["jpeg_gray_q50_17x23.jpg"],
        ["jpeg_rgb420_q50_33x20.jpg"],
        ["jpeg_prog_rgb420_q75_33x20.jpg"],
        ["jpeg_prog_custom_script_rgb420_27x19.jpg"],
        ["jpeg_restart_blocks_rgb422_37x29.jpg"],
        ["jpeg_prog_restart_rgb420_37x29.jpg"],
        ["jpeg_multiscan_sequential_rgb420_27x19.jpg"],
        ["jpeg_no_dht_rgb420_q75_24x16.jpg"],
    ];

    [Theory]
    [MemberData(nameof(TruncationFiles))]
    public void TruncationAtEveryOffsetFailsCleanly(string name)
    {
        byte[] data = TestAssets.Read(name);
        byte[] full = JpegDecoder.Decode(data).Pixels;
        int firstData = JpegEdit.FirstScanData(data);
        int failures = 0;
        for (int cut = 0; cut < data.Length; cut++)
        {
            try
            {
                Image img = JpegDecoder.Decode(data.AsSpan(0, cut), name);

                // Only a cut that loses nothing but the EOI marker may decode, and then it must be complete.
                Assert.True(cut >= data.Length - 2, $"cut at {cut} of {data.Length} decoded");
                Assert.Equal(full, img.Pixels);
            }
            catch (ImageDecodeException e)
            {
                Assert.StartsWith(name + ": ", e.Message);
                failures++;
            }
        }

        Assert.True(failures >= data.Length - 2);
        Assert.True(firstData > 0);
    }

    [Fact]
    public void TruncatedScanDataMentionsTheScan()
    {
        byte[] data = TestAssets.Read(Baseline);
        int mid = (JpegEdit.FirstScanData(data) + data.Length) / 2;
        string msg = TestAssets.DecodeError(() => JpegDecoder.Decode(data.AsSpan(0, mid), "photo.jpg"));
        Assert.Equal("photo.jpg: JPEG entropy-coded data ends early (truncated file or unexpected marker inside a scan)", msg);
    }

    [Fact]
    public void MissingSoi()
    {
        byte[] data = TestAssets.Read(Baseline);
        Assert.Contains("missing SOI", TestAssets.DecodeError(() => JpegDecoder.Decode(data.AsSpan(2))));
        Assert.Contains("missing SOI", TestAssets.DecodeError(() => JpegDecoder.Decode([])));
    }

    [Fact]
    public void MissingQuantizationTable()
    {
        byte[] data = JpegEdit.RemoveAll(TestAssets.Read(Baseline), 0xDB);
        Assert.Equal("<memory>: JPEG quantization table 0 is not defined (component 1)", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void MissingHuffmanTableOutsideTheStandardSlots()
    {
        // Point the first scan component at DC table 3 / AC table 3, which nothing defines.
        byte[] data = JpegEdit.RemoveAll(TestAssets.Read(Baseline), 0xC4);
        int sos = JpegEdit.Find(data, 0xDA);
        data[sos + 6] = 0x33;
        Assert.Equal("x.jpg: JPEG DC Huffman table 3 is not defined", TestAssets.DecodeError(() => JpegDecoder.Decode(data, "x.jpg")));
    }

    [Fact]
    public void HuffmanTableSelectorOutOfRange()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sos = JpegEdit.Find(data, 0xDA);
        data[sos + 6] = 0x70;
        Assert.Contains("DC Huffman table 7 (only 0-3 exist)", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void OversubscribedHuffmanTable()
    {
        byte[] data = TestAssets.Read(Baseline);
        int dht = JpegEdit.Find(data, 0xC4);
        data[dht + 5] = 1; // lengths {1, 0, 5, ...}: one 1-bit code leaves room for only four 3-bit codes
        data[dht + 6] = 0;
        Assert.Contains("Huffman table 0 is malformed", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void ScanBeforeFrame()
    {
        byte[] data = JpegEdit.RemoveAll(TestAssets.Read(Baseline), 0xC0);
        Assert.Contains("scan (SOS) comes before the frame header", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Theory]
    [InlineData(0x02, "unknown marker 0xFF02")]
    [InlineData(0xC3, "lossless mode (SOF3) is not supported")]
    [InlineData(0xC5, "hierarchical (differential) mode")]
    [InlineData(0xC9, "arithmetic coding (SOF9")]
    [InlineData(0xCA, "arithmetic coding (SOF10")]
    [InlineData(0xCB, "arithmetic coding (SOF11")]
    [InlineData(0xCD, "hierarchical arithmetic coding (SOF13)")]
    [InlineData(0xF7, "JPEG-LS")]
    [InlineData(0xD8, "second SOI")]
    public void CorruptedOrUnsupportedFrameMarker(byte code, string expected)
    {
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        data[sof + 1] = code;
        Assert.Contains(expected, TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void TwelveBitPrecision()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        data[sof + 4] = 12;
        Assert.Contains("12-bit sample precision is not supported", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void ZeroWidth()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        Assert.Contains("width is 0", TestAssets.DecodeError(() => JpegDecoder.Decode(JpegEdit.With(data, sof + 7, 0, 0))));
    }

    [Fact]
    public void ZeroHeightNeedsDnl()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        Assert.Contains("DNL", TestAssets.DecodeError(() => JpegDecoder.Decode(JpegEdit.With(data, sof + 5, 0, 0))));
    }

    [Fact]
    public void AbsurdDimensionsExceedTheLimit()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        string msg = TestAssets.DecodeError(() => JpegDecoder.Decode(JpegEdit.With(data, sof + 5, 0xFF, 0xFF, 0xFF, 0xFF)));
        Assert.Contains("65535x65535x3 exceed the decoder limit", msg);
    }

    [Fact]
    public void LargeDimensionsImplausibleForTheDataAreRejectedBeforeAllocating()
    {
        // 15000 x 5000 x 3 is under the sample cap, but a few kB cannot hold that many blocks.
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        string msg = TestAssets.DecodeError(() => JpegDecoder.Decode(JpegEdit.With(data, sof + 5, 0x13, 0x88, 0x3A, 0x98)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("implausible", msg);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(0x00, "invalid sampling factors 0x0")]
    [InlineData(0x51, "invalid sampling factors 5x1")]
    public void InvalidSamplingFactors(byte hv, string expected)
    {
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        data[sof + 11] = hv;
        Assert.Contains(expected, TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void FractionalSamplingIsRejected()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        data[sof + 11] = 0x31; // Y 3x1 with chroma 1x1 is fine, so make chroma 2x1
        data[sof + 14] = 0x21;
        Assert.Contains("fractional upsampling is not supported", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void TooManyBlocksPerMcu()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sof = JpegEdit.Find(data, 0xC0);
        data[sof + 11] = 0x44; // 16 luma blocks + 2 chroma blocks per MCU
        Assert.Contains("blocks per MCU (at most 10 allowed)", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void ScanReferencesUnknownComponent()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sos = JpegEdit.Find(data, 0xDA);
        data[sos + 5] = 9;
        Assert.Contains("unknown component id 9", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void BadSegmentLength()
    {
        byte[] data = TestAssets.Read(Baseline);
        int dqt = JpegEdit.Find(data, 0xDB);
        Assert.Contains("invalid length 1", TestAssets.DecodeError(() => JpegDecoder.Decode(JpegEdit.With(data, dqt + 2, 0, 1))));
        Assert.Contains("truncated inside the DQT", TestAssets.DecodeError(() => JpegDecoder.Decode(JpegEdit.With(data, dqt + 2, 0xFF, 0xF0))));
    }

    [Fact]
    public void InvalidProgressionParameters()
    {
        byte[] data = TestAssets.Read("jpeg_prog_rgb420_q75_33x20.jpg");
        int sos = JpegEdit.Find(data, 0xDA);
        int len = (data[sos + 2] << 8) | data[sos + 3];
        data[sos + 2 + len - 2] = 5; // DC scan with Se = 5
        Assert.Contains("progressive scan parameters are invalid", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void RestartMarkerOutOfSequence()
    {
        byte[] data = TestAssets.Read("jpeg_restart_blocks_rgb422_37x29.jpg");
        int start = JpegEdit.FirstScanData(data);
        int rst = -1;
        for (int i = start; i + 1 < data.Length; i++)
        {
            if (data[i] == 0xFF && data[i + 1] == 0xD1)
            {
                rst = i;
                break;
            }
        }

        Assert.True(rst > 0);
        data[rst + 1] = 0xD5;
        Assert.Contains("restart marker out of sequence (expected RST1, found RST5)", TestAssets.DecodeError(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void MissingRestartMarker()
    {
        byte[] data = TestAssets.Read("jpeg_restart_gray_25x19.jpg");
        int start = JpegEdit.FirstScanData(data);
        for (int i = start; i + 1 < data.Length; i++)
        {
            if (data[i] == 0xFF && data[i + 1] == 0xD0)
            {
                // Replace the marker with a stuffed 0xFF data byte; the interval now runs into the next one.
                data[i + 1] = 0x00;
                break;
            }
        }

        Assert.IsType<ImageDecodeException>(Record.Exception(() => JpegDecoder.Decode(data)));
    }

    [Fact]
    public void NoScans()
    {
        byte[] data = TestAssets.Read(Baseline);
        int sos = JpegEdit.Find(data, 0xDA);
        byte[] cut = [.. data[..sos], 0xFF, 0xD9];
        Assert.Contains("no scans (SOS) before EOI", TestAssets.DecodeError(() => JpegDecoder.Decode(cut)));
        Assert.Contains("no frame header (SOF) before EOI", TestAssets.DecodeError(() => JpegDecoder.Decode([0xFF, 0xD8, 0xFF, 0xD9])));
    }

    [Theory]
    [InlineData("error_arithmetic.jpg", "arithmetic coding (SOF9, extended sequential) is not supported")]
    [InlineData("error_arithmetic_progressive.jpg", "arithmetic coding (SOF10, progressive) is not supported")]
    public void UnsupportedVariantAssets(string name, string expected)
    {
        string msg = TestAssets.DecodeError(() => ImageDecoder.Decode(TestAssets.Read(name), name));
        Assert.StartsWith(name + ": JPEG ", msg);
        Assert.Contains(expected, msg);
    }

    [Fact]
    public void StandardHuffmanTablesAreUsedWhenDhtIsAbsent()
    {
        // PIL (libjpeg-turbo) decodes Motion-JPEG style files that rely on the Annex K tables.
        Image img = JpegDecoder.Decode(TestAssets.Read("jpeg_no_dht_rgb420_q75_24x16.jpg"));
        Assert.Equal(24, img.Width);
    }
}
