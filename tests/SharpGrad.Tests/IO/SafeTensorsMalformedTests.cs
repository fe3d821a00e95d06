using System.Text;
using SharpGrad.IO;
using SharpGrad.Tests.Data;
using static SharpGrad.Tests.IO.SafeTensorsFiles;

namespace SharpGrad.Tests.IO;

/// <summary>Every malformed file is an InvalidDataException whose message names the file and the problem.</summary>
public class SafeTensorsMalformedTests
{
    /// <summary>A well-formed one-tensor header for "a": F32 [2] at [0, 8].</summary>
    private const string A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private static readonly byte[] Eight = new byte[8];

    /// <summary>
    /// Writes <paramref name="file"/>, loads it and returns the message, checking that it names the file and holds
    /// <paramref name="phrases"/>; for problems in the header or layout (not the dtype) ReadMetadata and Describe
    /// must fail the same way.
    /// </summary>
    private static string Rejected(byte[] file, params string[] phrases) => Rejected(file, headerLevel: true, phrases);

    private static string Rejected(byte[] file, bool headerLevel, params string[] phrases)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir, "bad.safetensors");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        foreach (string phrase in phrases) Assert.Contains(phrase, e.Message);
        if (headerLevel)
        {
            Assert.Equal(e.Message, Assert.Throws<InvalidDataException>(() => SafeTensors.ReadMetadata(path)).Message);
            Assert.Equal(e.Message, Assert.Throws<InvalidDataException>(() => SafeTensors.Describe(path)).Message);
        }
        // The stream reader, seekable or not, rejects the same file.
        Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new MemoryStream(file)));
        Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new ForwardOnlyStream(file)));
        return e.Message;
    }

    [Fact]
    public void Files_shorter_than_the_length_prefix()
    {
        Rejected([], "the file is empty");
        Rejected([1, 0, 0, 0, 0, 0, 0], "only 7 bytes long");
    }

    [Fact]
    public void A_header_length_past_the_end_of_the_file()
    {
        Rejected(Raw("{}", headerLength: 1000), "the header length 1000 runs past the end of the file (10 bytes)");
        Rejected(Raw("{" + A + "}", Eight, headerLength: 100), "the header length 100 runs past the end of the file");
    }

    [Fact]
    public void An_absurd_header_length()
    {
        Rejected(Raw("{}", headerLength: 200_000_000), "the header length 200000000 is larger than the 100000000-byte limit");
        Rejected(Raw("{}", headerLength: ulong.MaxValue), $"the header length {ulong.MaxValue} is larger than the 100000000-byte limit");
        Rejected(Encoding.ASCII.GetBytes("<!DOCTYPE html><html></html>"), "larger than the 100000000-byte limit", "not a safetensors file");
    }

    [Fact]
    public void A_header_that_is_not_a_JSON_object()
    {
        Rejected(Raw(""), "the header is empty");
        Rejected(Raw("[1, 2]  "), "the header starts with byte 0x5b, not '{'");
        Rejected(Raw(" {}     "), "the header starts with byte 0x20, not '{'");
    }

    [Fact]
    public void A_header_that_is_not_UTF8()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"a\u00e9\":1}   ");
        header[4] = 0xff; // the second byte of é
        Rejected(Raw(header), "the header is not valid UTF-8 (at byte 3 of the header)");
    }

    [Fact]
    public void A_header_that_is_not_valid_JSON()
    {
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\","), "the header is not valid JSON");
        Rejected(Raw("{" + A + ",}"), "the header is not valid JSON");
        Rejected(Raw("{" + A + "} x", Eight), "the header is not valid JSON");
        Rejected(Raw("{" + A + "}{}", Eight), "the header is not valid JSON");
        Rejected(Raw("{/*c*/}"), "the header is not valid JSON");
        Rejected(Raw("{\"\\ud800\":{}}"), "the header is not valid JSON");
    }

    [Fact]
    public void Missing_fields()
    {
        Rejected(Raw("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", Eight), "tensor \"a\" has no \"dtype\"");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", Eight), "tensor \"a\" has no \"shape\"");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", Eight), "tensor \"a\" has no \"data_offsets\"");
    }

    [Fact]
    public void Fields_of_the_wrong_type()
    {
        Rejected(Raw("{\"a\":[1,2]}"), "tensor \"a\": expected an object with \"dtype\", \"shape\" and \"data_offsets\", found an array");
        Rejected(Raw("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", Eight), "\"dtype\" must be a string such as \"F32\", found the number 32");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", Eight), "\"shape\" must be an array of non-negative integers, found the number -2");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", Eight), "found the number 2.0");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", Eight), "\"shape\" must be an array of non-negative integers, found the string \"2\"");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", Eight), "\"data_offsets\" must be [begin, end], found 1 numbers");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", Eight), "found 3 numbers");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,null]}}", Eight), "\"data_offsets\" must be an array of non-negative integers, found null");
    }

    [Fact]
    public void Fields_the_format_does_not_define_are_ignored()
    {
        byte[] file = Raw("{\"a\":{\"dtype\":\"F32\",\"extra\":{\"x\":[1,{}]},\"shape\":[2],\"data_offsets\":[0,8]}}", Eight);
        Assert.Equal([2], SafeTensors.Load(new MemoryStream(file))["a"].Shape.ToArray());
    }

    [Fact]
    public void Unknown_and_unsupported_dtypes()
    {
        Rejected(Raw("{\"a\":{\"dtype\":\"X99\",\"shape\":[2],\"data_offsets\":[0,8]}}", Eight),
            "tensor \"a\" has dtype \"X99\", which the safetensors format does not define (SharpGrad reads F32, I64, BOOL, U8)");
        Rejected(Raw("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Eight), "dtype \"f32\", which the safetensors format does not define");

        foreach ((string dtype, int bytes) in new[] { ("F16", 4), ("BF16", 4), ("F64", 16), ("I32", 8), ("I8", 2), ("U64", 16), ("F8_E4M3", 2) })
        {
            byte[] file = Raw($"{{\"a\":{{\"dtype\":\"{dtype}\",\"shape\":[2],\"data_offsets\":[0,{bytes}]}}}}", new byte[bytes]);
            Rejected(file, headerLevel: false, $"tensor \"a\": {dtype} is not supported; SharpGrad reads F32, I64, BOOL, U8");
        }
    }

    [Fact]
    public void Shape_and_offsets_that_disagree()
    {
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]),
            "tensor \"a\": dtype F32 and shape [2, 3] need 24 bytes, but data_offsets [0, 20] span 20");
        Rejected(Raw("{\"a\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,0]}}"), "dtype I64 and shape [] need 8 bytes, but data_offsets [0, 0] span 0");
        Rejected(Raw("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,1]}}", new byte[1]), "3 elements of F4 (4 bits each) do not fill whole bytes");
    }

    [Fact]
    public void Offsets_that_end_before_they_begin_or_are_out_of_range()
    {
        Rejected(Raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,0]}}", Eight), "tensor \"a\": data_offsets [8, 0] end before they begin");
        Rejected(Raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,9223372036854775807]}}", Eight), "\"data_offsets\" must be an array of non-negative integers below 2^60");
        Rejected(Raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,18446744073709551616]}}", Eight), "\"data_offsets\" must be an array of non-negative integers");

        // In range for the header, but far past the end of the file.
        string header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1000000000],\"data_offsets\":[0,1000000000]}}";
        string message = Rejected(Raw(header, Eight));
        Assert.Contains($"truncated: expected {8 + header.Length + 1000000000L} bytes (8 + a {header.Length}-byte header + 1000000000 bytes of tensor data), "
            + $"the file has {8 + header.Length + 8}", message);
        Assert.Contains("the data of tensor \"a\" (data_offsets [0, 1000000000]) runs past its end", message);
    }

    [Fact]
    public void Shapes_too_large_for_any_file_or_for_SharpGrad()
    {
        Rejected(Raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,8]}}", Eight),
            "tensor \"a\": shape [1099511627776, 1099511627776] has more elements than any file can hold");

        // A stream cannot be checked against its length up front, so the size check comes before any allocation.
        byte[] file = Raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[3000000000],\"data_offsets\":[0,3000000000]}}", Eight);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new ForwardOnlyStream(file), "huge.safetensors"));
        Assert.Equal("huge.safetensors: tensor \"a\": shape [3000000000] (3000000000 elements) is larger than a SharpGrad tensor can hold (2147483591 elements).", e.Message);
    }

    [Fact]
    public void Overlapping_data()
    {
        Rejected(Raw("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
            "the data of tensor \"b\" (data_offsets [4, 12]) overlaps that of tensor \"a\" ([0, 8])");
        Rejected(Raw("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Eight), "overlaps that of tensor");
        Rejected(Raw("{" + A + ",\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", Eight),
            "the data of tensor \"e\" (data_offsets [4, 4]) overlaps that of tensor \"a\" ([0, 8])");
    }

    [Fact]
    public void Gaps_in_the_data()
    {
        Rejected(Raw("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", new byte[16]),
            "data bytes [8, 12) between tensor \"a\" and tensor \"b\" belong to no tensor; the format requires the data to be covered without gaps");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", Eight), "data bytes [0, 4) before the first tensor belong to no tensor");
        int length = 8 + ("{" + A + "}").Length + 8;
        Rejected(Raw("{" + A + "}", new byte[11]),
            $"trailing data belongs to no tensor: expected {length} bytes, the file has {length + 3} (3 bytes too many)");
        Rejected(Raw("{}", [1]), "trailing data belongs to no tensor: expected 10 bytes, the file has 11 (1 byte too many)");

        // A stream that cannot seek finds out after the last tensor.
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new ForwardOnlyStream(Raw("{" + A + "}", new byte[11])), "s"));
        Assert.Equal($"s: trailing data belongs to no tensor: expected {length} bytes, the file has {length + 3} (3 bytes too many); "
            + "the format requires the data to be covered without gaps.", e.Message);
    }

    [Fact]
    public void Duplicate_names()
    {
        Rejected(Raw("{" + A + "," + A + "}", Eight), "tensor \"a\" appears twice in the header (names must be unique)");
        Rejected(Raw("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Eight), "tensor \"a\": \"dtype\" appears twice");
        Rejected(Raw("{\"__metadata__\":{},\"__metadata__\":{}}"), "\"__metadata__\" appears twice in the header");
        Rejected(Raw("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"), "\"__metadata__\" has the key \"k\" twice");
    }

    [Fact]
    public void Metadata_that_is_not_a_string_map()
    {
        Rejected(Raw("{\"__metadata__\":{\"epoch\":3}}"), "\"__metadata__\" maps \"epoch\" to the number 3; the format allows only string values");
        Rejected(Raw("{\"__metadata__\":{\"nested\":{\"a\":\"b\"}}}"), "\"__metadata__\" maps \"nested\" to an object");
        Rejected(Raw("{\"__metadata__\":[\"a\"]}"), "\"__metadata__\" must be an object of string values, found an array");

        byte[] noMetadata = Raw("{\"__metadata__\":null}   ");
        Assert.Empty(SafeTensors.Load(new MemoryStream(noMetadata)));
    }

    [Fact]
    public void A_truncated_file_says_how_long_it_should_be()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir, "w.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(30, 784), ["b"] = Tensor.Zeros(30) });
        byte[] full = File.ReadAllBytes(path);
        int header = full.Length - 4 * (30 * 784 + 30) - 8;
        string message = Rejected(full[..^100],
            $"truncated: expected {full.Length} bytes (8 + a {header}-byte header + 94200 bytes of tensor data), the file has {full.Length - 100}",
            "the data of tensor \"w\" (data_offsets [120, 94200]) runs past its end");

        // Cut inside the header.
        Rejected(full[..20], $"the header length {header} runs past the end of the file (20 bytes)");

        // A stream that cannot seek finds out while reading.
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new ForwardOnlyStream(full[..^100]), "cut.safetensors"));
        Assert.Equal($"cut.safetensors: truncated: expected {full.Length} bytes, the file has {full.Length - 100}.", e.Message);
        e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new ForwardOnlyStream(full[..20]), "cut.safetensors"));
        Assert.Equal($"cut.safetensors: truncated in the header: expected {8 + header} bytes of prefix and header, the file has 20.", e.Message);
        Assert.NotNull(message);
    }

    [Fact]
    public void Errors_from_streams_name_the_stream()
    {
        byte[] file = Raw("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", new byte[2]);
        Assert.StartsWith("stream: ", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new MemoryStream(file))).Message);
        Assert.StartsWith("weights.bin: ", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new MemoryStream(file), "weights.bin")).Message);
        using var dir = new TempDir();
        string path = Path.Combine(dir, "f.safetensors");
        File.WriteAllBytes(path, file);
        using var fs = File.OpenRead(path);
        Assert.StartsWith(path + ": ", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(fs)).Message);
    }

    [Fact]
    public void A_missing_file_is_FileNotFound()
    {
        using var dir = new TempDir();
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(Path.Combine(dir, "none.safetensors")));
    }
}
