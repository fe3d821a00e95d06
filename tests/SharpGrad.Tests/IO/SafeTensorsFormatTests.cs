using System.Buffers.Binary;
using System.Text;
using SharpGrad.IO;
using static SharpGrad.Tests.IO.SafeTensorsFiles;

namespace SharpGrad.Tests.IO;

/// <summary>
/// The exact bytes Save writes: the layout the safetensors specification defines and the official writer's choices
/// (tensor order, compact JSON, escapes, padding), on small cases worked out by hand.
/// </summary>
public class SafeTensorsFormatTests
{
    private static byte[] Expected(string header, params float[] data)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + 4 * data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + h.Length + 4 * i), data[i]);
        return bytes;
    }

    [Fact]
    public void A_single_tensor_is_length_header_then_data()
    {
        // The header is exactly 64 bytes, so it needs no padding.
        byte[] actual = Bytes(new Dictionary<string, Tensor> { ["attn.0"] = Tensor.Arange(0f, 6f).View(1, 2, 3) });
        byte[] expected = Expected("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", 0, 1, 2, 3, 4, 5);
        Assert.Equal(64, BinaryPrimitives.ReadInt64LittleEndian(expected));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_header_is_padded_with_spaces_to_a_multiple_of_8()
    {
        byte[] actual = Bytes(new Dictionary<string, Tensor> { ["attn0"] = Tensor.Arange(0f, 6f).View(1, 1, 2, 3) });
        byte[] expected = Expected("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", 0, 1, 2, 3, 4, 5);
        Assert.Equal(72, BinaryPrimitives.ReadInt64LittleEndian(expected));
        Assert.Equal(expected, actual);

        for (int length = 1; length <= 17; length++)
        {
            byte[] file = Bytes(new Dictionary<string, Tensor> { [new string('n', length)] = Tensor.From(1L) });
            long n = BinaryPrimitives.ReadInt64LittleEndian(file);
            Assert.Equal(0, n % 8);
            Assert.Equal(8 + n + 8, file.Length);
            Assert.Equal(1L, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan((int)(8 + n))));
        }
    }

    [Fact]
    public void No_tensors_make_an_empty_object()
    {
        Assert.Equal(new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 32, 32, 32, 32, 32, 32 }, Bytes(new Dictionary<string, Tensor>()));
        Assert.Equal(Expected("{\"__metadata__\":{\"framework\":\"pt\"}}     "),
            Bytes(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" }));
    }

    [Fact]
    public void Tensors_are_ordered_by_dtype_alignment_then_name()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.From(1f),
            ["c"] = Tensor.From(true),
            ["a"] = Tensor.From(2f),
            ["m"] = Tensor.From((byte)3),
            ["Z"] = Tensor.From(4f),
            ["z"] = Tensor.From(5L),
            ["é"] = Tensor.From(6f),
        };
        string header = HeaderText(Bytes(tensors));
        Assert.Equal(
            "{\"z\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}," +
            "\"Z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}," +
            "\"é\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]}," +
            "\"m\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[24,25]}," +
            "\"c\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[25,26]}}", header);
    }

    [Fact]
    public void Names_sort_by_their_UTF8_bytes_not_UTF16()
    {
        // U+FF61 is EF BD A1 in UTF-8 and U+1F600 is F0 9F 98 80: byte order puts U+FF61 first, while UTF-16 order
        // (0xFF61 against the surrogate 0xD83D) would put the emoji first.
        string halfwidth = "\uFF61", emoji = "\U0001F600";
        Assert.True(string.CompareOrdinal(emoji, halfwidth) < 0);
        string header = HeaderText(Bytes(new Dictionary<string, Tensor> { [emoji] = Tensor.From(1f), [halfwidth] = Tensor.From(2f) }));
        Assert.True(header.IndexOf(halfwidth, StringComparison.Ordinal) < header.IndexOf(emoji, StringComparison.Ordinal));
    }

    [Fact]
    public void Metadata_comes_first_with_its_keys_sorted_and_strings_escaped_as_serde_json_does()
    {
        var metadata = new Dictionary<string, string>
        {
            ["z"] = "last",
            ["a"] = "quote \" backslash \\ slash / \b\f\n\r\t \u0001\u001f \u007f é ✓ 😀",
        };
        string header = HeaderText(Bytes(new Dictionary<string, Tensor> { ["t\"\n"] = Tensor.From(1L) }, metadata));
        Assert.Equal(
            "{\"__metadata__\":{\"a\":\"quote \\\" backslash \\\\ slash / \\b\\f\\n\\r\\t \\u0001\\u001f \u007f é ✓ 😀\",\"z\":\"last\"}," +
            "\"t\\\"\\n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", header);
    }

    [Fact]
    public void Data_is_little_endian_and_row_major()
    {
        byte[] file = Bytes(new Dictionary<string, Tensor>
        {
            ["i"] = Tensor.From(new long[,] { { 1, 2 }, { 3, -1 } }),
            ["f"] = Tensor.From(new float[,] { { 1f }, { -2f } }),
        });
        int n = (int)BinaryPrimitives.ReadInt64LittleEndian(file);
        ReadOnlySpan<byte> data = file.AsSpan(8 + n);
        Assert.Equal(4 * 8 + 2 * 4, data.Length);
        Assert.Equal(new long[] { 1, 2, 3, -1 }, Enumerable.Range(0, 4).Select(k => BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8 + n + 8 * k))));
        Assert.Equal(new byte[] { 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0 }, data[32..].ToArray());
    }

    [Fact]
    public void The_same_tensors_always_give_the_same_bytes()
    {
        var a = new Dictionary<string, Tensor> { ["x"] = Tensor.From(1f), ["y"] = Tensor.From(2L), ["w"] = Tensor.From(true) };
        var b = new Dictionary<string, Tensor> { ["w"] = Tensor.From(true), ["x"] = Tensor.From(1f), ["y"] = Tensor.From(2L) };
        var m1 = new Dictionary<string, string> { ["p"] = "1", ["q"] = "2" };
        var m2 = new Dictionary<string, string> { ["q"] = "2", ["p"] = "1" };
        Assert.Equal(Bytes(a, m1), Bytes(b, m2));
        Assert.Equal(Bytes(a, m1), Bytes(new SortedDictionary<string, Tensor>(a), new SortedList<string, string>(m2)));
    }

    [Fact]
    public void Invalid_names_and_metadata_are_argument_errors()
    {
        Assert.Throws<ArgumentException>(() => Bytes(new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.From(1f) }));
        Assert.Throws<ArgumentException>(() => Bytes(new Dictionary<string, Tensor> { ["x"] = null! }));
        var twice = new List<KeyValuePair<string, Tensor>> { new("a", Tensor.From(1f)), new("a", Tensor.From(2f)) };
        Assert.Throws<ArgumentException>(() => Bytes(new TwoOfTheSameName(twice)));
        Assert.Throws<ArgumentException>(() => Bytes(new Dictionary<string, Tensor> { ["bad\uD800"] = Tensor.From(1f) }));
        Assert.Throws<ArgumentException>(() => Bytes(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["k"] = null! }));
        Assert.Throws<ArgumentException>(() => Bytes(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["k"] = "\uDC00" }));
        Assert.Throws<ArgumentException>(() => Bytes(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["\uDC00"] = "v" }));
    }

    /// <summary>A dictionary-like view that yields a name twice, which no real dictionary can.</summary>
    private sealed class TwoOfTheSameName(List<KeyValuePair<string, Tensor>> items) : IReadOnlyDictionary<string, Tensor>
    {
        public Tensor this[string key] => items.First(kv => kv.Key == key).Value;
        public IEnumerable<string> Keys => items.Select(kv => kv.Key);
        public IEnumerable<Tensor> Values => items.Select(kv => kv.Value);
        public int Count => items.Count;
        public bool ContainsKey(string key) => items.Any(kv => kv.Key == key);
        public bool TryGetValue(string key, out Tensor value)
        {
            value = ContainsKey(key) ? this[key] : null!;
            return ContainsKey(key);
        }
        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => items.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
