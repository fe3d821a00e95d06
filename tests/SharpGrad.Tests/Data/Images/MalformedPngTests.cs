using SharpGrad.Data.Images;
using System.Buffers.Binary;
using static SharpGrad.Tests.Data.Images.PngBuilder;

namespace SharpGrad.Tests.Data.Images;

/// <summary>Every malformed input gives an <see cref="ImageDecodeException"/> naming the problem, and nothing else.</summary>
public class MalformedPngTests
{
    private static readonly byte[] Iend = Chunk("IEND", []);

    /// <summary>Asserts that decoding throws exactly <see cref="ImageDecodeException"/> whose message has every fragment.</summary>
    private static ImageDecodeException Fails(byte[] png, params string[] fragments)
    {
        var e = Assert.Throws<ImageDecodeException>(() => PngDecoder.Decode(png));
        Assert.StartsWith("<memory>: ", e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    /// <summary>Decodes, allowing only success or <see cref="ImageDecodeException"/>.</summary>
    private static Image? DecodeOrNull(byte[] png, string what)
    {
        try
        {
            return PngDecoder.Decode(png);
        }
        catch (ImageDecodeException)
        {
            return null;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private static byte[] Raw(int width, int height, int filter = 0) =>
        Enumerable.Range(0, height).SelectMany(y => new[] { (byte)filter }.Concat(Enumerable.Range(0, width).Select(x => (byte)(x + y)))).ToArray();

    private static byte[] GrayPng(byte[] idatData, uint width = 4, uint height = 3, params byte[][] before) =>
        Png([Ihdr(width, height, 8, 0), .. before, Chunk("IDAT", idatData), Iend]);

    public static IEnumerable<object[]> SmallFiles() =>
        [["gray8_5x4"], ["hand_ct3_2bit_17x9_adam7.png"], ["hand_wide_rgb8_131x4_split_idat.png"], ["hand_ct0_16bit_3x5_adam7.png"]];

    private static byte[] Load(string name) => name == "gray8_5x4" ? Gray8(5, 4, out _) : PngAssets.Get(name).ReadBytes();

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void Truncation_at_every_offset_fails_cleanly_until_the_image_data_is_complete(string name)
    {
        byte[] png = Load(name);
        byte[] expected = PngDecoder.Decode(png).Pixels;
        var lastIdat = Chunks(png).Last(c => c.Type == "IDAT");
        int complete = lastIdat.Offset + 12 + lastIdat.Length;
        for (int cut = 0; cut < png.Length; cut++)
        {
            byte[] part = png[..cut];
            if (cut >= complete)
            {
                Assert.Equal(expected, PngDecoder.Decode(part).Pixels); // IEND missing or cut short: lenient, like PIL
                continue;
            }
            var e = Assert.Throws<ImageDecodeException>(() => PngDecoder.Decode(part));
            Assert.True(e.Problem.Contains("truncated") || e.Problem.Contains("ends ") || e.Problem.Contains("too short"), $"cut at {cut}: {e.Message}");
        }
    }

    [Fact]
    public void Truncation_messages_say_where()
    {
        byte[] png = Gray8(5, 4, out _);
        Fails([], "truncated inside its 8-byte signature (0 bytes)");
        Fails(png[..5], "truncated inside its 8-byte signature (5 bytes)");
        Fails(png[..8], "ends after the signature, with no IHDR chunk");
        Fails(png[..12], "chunk header at offset 8 needs 8 bytes, only 4 remain");
        Fails(png[..30], "PNG chunk IHDR at offset 8 is truncated: it needs 17 bytes of data and CRC, only 14 remain");
        Fails(png[..33], "ends at offset 33 without any IDAT chunk");
        Fails(png[..50], "PNG chunk IDAT at offset 33 is truncated");
    }

    [Fact]
    public void Bad_CRCs_are_reported_with_the_chunk_name()
    {
        byte[] png = PngAssets.Get("hand_ct3_2bit_17x9_adam7.png").ReadBytes();
        foreach (var (type, offset, length) in Chunks(png))
        {
            foreach (int at in new[] { offset + 8 + length, offset + 4, offset + 8 }) // the CRC, the type, the first data byte
            {
                if (at == offset + 8 && length == 0) continue;
                var bad = (byte[])png.Clone();
                bad[at] ^= 0x20; // flips letter case in the type, so the type stays valid
                if (type == "IEND")
                {
                    Assert.Equal(PngDecoder.Decode(png).Pixels, PngDecoder.Decode(bad).Pixels); // nothing after IDAT is read
                    continue;
                }
                string name = at == offset + 4 ? (char)(type[0] ^ 0x20) + type[1..] : type;
                var e = Fails(bad, $"PNG chunk {name} at offset {offset} has a bad CRC (stored 0x");
                Assert.Contains("computed 0x", e.Message);
            }
        }
    }

    [Fact]
    public void Bad_signatures()
    {
        byte[] png = Gray8(3, 3, out _);
        Fails([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 74, 70, 73, 70, 0], "not a PNG file (bad signature)");
        Fails([137, 80, 78, 71, 13, 10, 26], "truncated inside its 8-byte signature (7 bytes)");
        Fails([137, 81], "not a PNG file (bad signature)");
        for (int i = 0; i < 8; i++)
        {
            var bad = (byte[])png.Clone();
            bad[i] ^= 1;
            Fails(bad, "not a PNG file (bad signature)");
        }
    }

    [Theory]
    [InlineData(0u, 3u, 8, 0, "PNG width 0 is invalid")]
    [InlineData(3u, 0u, 8, 0, "PNG height 0 is invalid")]
    [InlineData(0x80000000u, 3u, 8, 0, "PNG width 2147483648 is invalid")]
    [InlineData(3u, 0xFFFFFFFFu, 8, 0, "PNG height 4294967295 is invalid")]
    [InlineData(3u, 3u, 8, 5, "PNG colour type 5 is invalid")]
    [InlineData(3u, 3u, 8, 1, "PNG colour type 1 is invalid")]
    [InlineData(3u, 3u, 4, 2, "PNG bit depth 4 is invalid for colour type 2 (allowed: 8, 16)")]
    [InlineData(3u, 3u, 16, 3, "PNG bit depth 16 is invalid for colour type 3 (allowed: 1, 2, 4, 8)")]
    [InlineData(3u, 3u, 3, 0, "PNG bit depth 3 is invalid for colour type 0")]
    [InlineData(3u, 3u, 0, 6, "PNG bit depth 0 is invalid for colour type 6")]
    [InlineData(3u, 3u, 1, 4, "PNG bit depth 1 is invalid for colour type 4")]
    [InlineData(100_000u, 100_000u, 8, 2, "PNG image 100000x100000 with 3 channel(s) is too large (30000000000 bytes; the limit is 268435456)")]
    [InlineData(0x7FFFFFFFu, 0x7FFFFFFFu, 1, 0, "is too large")]
    public void Bad_IHDR_fields(uint width, uint height, int depth, int colorType, string message) =>
        Fails(Png(Chunk("IHDR", IhdrData(width, height, (byte)depth, (byte)colorType)), Chunk("IDAT", Zlib(Raw(3, 3))), Iend), message);

    [Fact]
    public void Bad_IHDR_methods_and_placement()
    {
        byte[] idat = Chunk("IDAT", Zlib(Raw(3, 3)));
        Fails(Png(Chunk("IHDR", IhdrData(3, 3, 8, 0, compression: 1)), idat, Iend), "PNG compression method 1 is unknown");
        Fails(Png(Chunk("IHDR", IhdrData(3, 3, 8, 0, filter: 64)), idat, Iend), "PNG filter method 64 is unknown");
        Fails(Png(Chunk("IHDR", IhdrData(3, 3, 8, 0, interlace: 2)), idat, Iend), "PNG interlace method 2 is unknown");
        Fails(Png(Chunk("IHDR", IhdrData(3, 3, 8, 0)[..12]), idat, Iend), "PNG chunk IHDR has length 12, not 13");
        Fails(Png(Chunk("IHDR", [.. IhdrData(3, 3, 8, 0), 0]), idat, Iend), "PNG chunk IHDR has length 14, not 13");
        Fails(Png(Chunk("tEXt", "a\0b"u8), Ihdr(3, 3, 8, 0), idat, Iend), "PNG file starts with chunk tEXt, not IHDR");
        Fails(Png(Ihdr(3, 3, 8, 0), Ihdr(3, 3, 8, 0), idat, Iend), "second IHDR chunk at offset 33");
        Fails(Png(Ihdr(3, 3, 8, 0), Iend), "reaches IEND at offset 33 without any IDAT chunk");
        Fails(Png(Ihdr(3, 3, 8, 0)), "ends at offset 33 without any IDAT chunk");
    }

    [Fact]
    public void Forged_huge_sizes_are_rejected_before_allocating()
    {
        // 16384 x 16384 gray is exactly at the limit; 31 bytes of IDAT cannot inflate to 268 MB.
        long before = GC.GetAllocatedBytesForCurrentThread();
        Fails(Png(Ihdr(16384, 16384, 8, 0), Chunk("IDAT", Zlib(Raw(3, 3))), Iend),
            "PNG image data is too short:", "cannot hold the 268451840 bytes a 16384x16384 image needs");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void Bad_filter_types_name_the_row()
    {
        byte[] raw = Raw(4, 3);
        raw[2 * 5] = 5;
        Fails(GrayPng(Zlib(raw)), "PNG row 2 has unknown filter type 5 (must be 0 to 4)");
        raw[2 * 5] = 255;
        Fails(GrayPng(Zlib(raw)), "PNG row 2 has unknown filter type 255");

        // 3x3 Adam7: passes 1 (1x1), 4 (1x1), 5 (2x1), 6 (1x2), 7 (3x1) are present; corrupt the first row of pass 6.
        byte[] interlaced = [0, 9, 0, 9, 0, 9, 9, 7, 9, 0, 9, 0, 9, 9, 9];
        Fails(Png(Ihdr(3, 3, 8, 0, interlace: 1), Chunk("IDAT", Zlib(interlaced)), Iend), "PNG row 0 of Adam7 pass 6 has unknown filter type 7");
        interlaced[7] = 0;
        Assert.Equal(Enumerable.Repeat((byte)9, 9), PngDecoder.Decode(Png(Ihdr(3, 3, 8, 0, interlace: 1), Chunk("IDAT", Zlib(interlaced)), Iend)).Pixels);
    }

    [Fact]
    public void Too_little_image_data()
    {
        Fails(GrayPng(Zlib(Raw(4, 2))), "PNG image data is truncated: the IDAT chunks inflate to 10 bytes, but a 4x3 image needs 15");
        Fails(GrayPng(Zlib(Raw(4, 3))[..^9]), "PNG image data");
        Fails(GrayPng([0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), "inflate to 0 bytes"); // an empty zlib stream
        Fails(GrayPng([]), "PNG image data is 0 byte(s), too short for a zlib header");
        Fails(GrayPng([0x78]), "PNG image data is 1 byte(s), too short for a zlib header");
    }

    [Fact]
    public void Bad_zlib_streams()
    {
        byte[] z = Zlib(Raw(4, 3));
        Fails(GrayPng([0x78, 0x9D, .. z[2..]]), "bad zlib header check");
        Fails(GrayPng([0x77, 0x9D, .. z[2..]]), "zlib compression method 7, not 8");
        Fails(GrayPng([0x88, 0x98, .. z[2..]]), "invalid zlib window size code 8");
        Fails(GrayPng([0x78, 0xBB, 0, 0, 0, 1, .. z[2..]]), "preset zlib dictionary");
        Fails(GrayPng([0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]), "PNG image data is not a valid deflate stream");
    }

    [Fact]
    public void Palette_problems()
    {
        byte[] idat = Chunk("IDAT", Zlib(Raw(4, 3)));
        Fails(Png(Ihdr(4, 3, 8, 3), idat, Iend), "PNG palette image (colour type 3) has no PLTE chunk before its IDAT data");
        Fails(Png(Ihdr(4, 3, 8, 3), idat, Chunk("PLTE", new byte[6]), Iend), "no PLTE chunk before its IDAT data");
        Fails(Png(Ihdr(4, 3, 8, 3), Chunk("PLTE", new byte[4]), idat, Iend), "PNG chunk PLTE has length 4, not 3 times 1 to 256 entries");
        Fails(Png(Ihdr(4, 3, 8, 3), Chunk("PLTE", []), idat, Iend), "PNG chunk PLTE has length 0");
        Fails(Png(Ihdr(4, 3, 8, 3), Chunk("PLTE", new byte[771]), idat, Iend), "PNG chunk PLTE has length 771");
        // A PLTE in a gray image is ignored, as PIL does.
        Assert.Equal(3, PngDecoder.Decode(Png(Ihdr(4, 3, 8, 0), Chunk("PLTE", new byte[4]), idat, Iend)).Height);
    }

    [Fact]
    public void Bad_chunk_framing()
    {
        byte[] png = Gray8(4, 3, out _);
        var bad = (byte[])png.Clone();
        bad[33 + 4] = (byte)'@'; // IDAT -> @DAT
        Fails(FixCrcs(bad), "PNG chunk at offset 33 has an invalid type 0x40444154 (expected four ASCII letters)");
        bad = (byte[])png.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(bad.AsSpan(33), 0x80000000);
        Fails(bad, "PNG chunk IDAT at offset 33 has length 2147483648, over the limit of 2147483647");
        BinaryPrimitives.WriteUInt32BigEndian(bad.AsSpan(33), 0x7FFFFFFF);
        Fails(bad, "PNG chunk IDAT at offset 33 is truncated: it needs 2147483651 bytes");
    }

    [Fact]
    public void Lenient_where_PIL_is()
    {
        byte[] png = Gray8(4, 3, out byte[] pixels);
        byte[] noIend = png[..^12];
        Assert.Equal(pixels, PngDecoder.Decode(noIend).Pixels);
        Assert.Equal(pixels, PngDecoder.Decode([.. png, 1, 2, 3]).Pixels);
        Assert.Equal(pixels, PngDecoder.Decode([.. noIend, .. "garbage"u8]).Pixels);
        Assert.Equal(pixels, PngDecoder.Decode([.. noIend, .. Chunk("tEXt", "k\0v"u8, crc: 1), .. Iend]).Pixels);

        byte[] ihdr = png[8..33], idat = png[33..^12];
        // Unknown ancillary and critical chunks before the image data are skipped; so is tRNS.
        Assert.Equal(pixels, PngDecoder.Decode(Png(ihdr, Chunk("zzZz", [1, 2]), Chunk("QQQQ", []), Chunk("tRNS", [0, 1]), idat, Iend)).Pixels);
        // Surplus inflated data is ignored.
        byte[] raw = [.. Raw(4, 3), .. new byte[20]];
        Assert.Equal(4, PngDecoder.Decode(GrayPng(Zlib(raw))).Width);
        // An IDAT after another chunk is not part of the image data (as in PIL): fine if the data was complete...
        Assert.Equal(pixels, PngDecoder.Decode(Png(ihdr, idat, Chunk("tEXt", "k\0v"u8), idat, Iend)).Pixels);
        // ...and an error if not.
        byte[] z = Zlib(Raw(4, 3));
        Fails(Png(ihdr, Chunk("IDAT", z[..5]), Chunk("tEXt", "k\0v"u8), Chunk("IDAT", z[5..]), Iend), "PNG image data");
    }

    [Fact]
    public void Split_and_empty_IDAT_chunks_are_joined()
    {
        byte[] raw = Raw(4, 3);
        byte[] z = Zlib(raw);
        var pieces = new List<byte[]> { Ihdr(4, 3, 8, 0), Chunk("IDAT", []) };
        for (int i = 0; i < z.Length; i++) pieces.Add(Chunk("IDAT", z[i..(i + 1)]));
        pieces.Add(Chunk("IDAT", []));
        pieces.Add(Iend);
        byte[] expected = PngDecoder.Decode(GrayPng(z)).Pixels;
        Assert.Equal(expected, PngDecoder.Decode(Png([.. pieces])).Pixels);
    }

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void Random_corruption_only_ever_gives_ImageDecodeException(string name)
    {
        byte[] png = Load(name);
        var rng = new Random(name.Length);
        for (int trial = 0; trial < 1500; trial++)
        {
            var bad = (byte[])png.Clone();
            int flips = 1 + rng.Next(3);
            for (int k = 0; k < flips; k++) bad[8 + rng.Next(bad.Length - 8)] ^= (byte)(1 << rng.Next(8));
            // Mostly with CRCs repaired, so the corruption reaches the header, zlib and filter checks.
            DecodeOrNull(trial % 4 == 0 ? bad : FixCrcs(bad), $"{name} trial {trial}");
        }
        for (int trial = 0; trial < 300; trial++)
        {
            var junk = new byte[rng.Next(0, 200)];
            rng.NextBytes(junk);
            DecodeOrNull([.. png[..33], .. junk], $"{name} junk {trial}");
        }
    }

    [Fact]
    public void Messages_use_the_source_name()
    {
        var e = Assert.Throws<ImageDecodeException>(() => PngDecoder.Decode([1, 2, 3], "digits/7.png"));
        Assert.Equal("digits/7.png: not a PNG file (bad signature)", e.Message);
        Assert.Equal("digits/7.png", e.SourceName);
        Assert.Equal("not a PNG file (bad signature)", e.Problem);
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Equal("<memory>", Assert.Throws<ImageDecodeException>(() => PngDecoder.Decode([1])).SourceName);
    }
}
