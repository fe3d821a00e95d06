using SharpGrad.IO;
using SharpGrad.Tests.Data;
using static SharpGrad.Tests.IO.SafeTensorsFiles;

namespace SharpGrad.Tests.IO;

/// <summary>Save then Load gives back the same tensors: every dtype, 0-d, empty and non-contiguous tensors, metadata.</summary>
public class SafeTensorsRoundTripTests
{
    private static Dictionary<string, Tensor> RoundTrip(Dictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir, "t.safetensors");
        SafeTensors.Save(path, tensors, metadata);
        Dictionary<string, Tensor> back = SafeTensors.Load(path);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), back.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, Tensor t) in tensors) AssertIdentical(t, back[name]);
        return back;
    }

    [Fact]
    public void Float_matrix_round_trips()
    {
        Tensor w = Tensor.Randn([3, 4], new Generator(1));
        Tensor back = RoundTrip(new() { ["w"] = w })["w"];
        Assert.Equal(DType.Float32, back.DType);
        Assert.Equal([3, 4], back.Shape.ToArray());
        Assert.Equal(w.ToArray<float>(), back.ToArray<float>());
        Assert.True(back.IsContiguous);
        Assert.True(back.IsLeaf);
        Assert.False(back.RequiresGradient);
    }

    [Fact]
    public void Every_dtype_round_trips_bit_for_bit()
    {
        float[] floats =
        [
            0f, -0f, 1.5f, float.NaN, BitConverter.Int32BitsToSingle(0x7fc0_0001), BitConverter.Int32BitsToSingle(unchecked((int)0xffc1_2345)),
            float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 0.1f,
        ];
        long[] longs = [0, 1, -1, long.MinValue, long.MaxValue, 1L << 40, -(1L << 53) - 1];
        bool[] bools = [true, false, false, true, true];
        byte[] bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        RoundTrip(new()
        {
            ["f"] = Tensor.From(floats),
            ["i"] = Tensor.From(longs),
            ["b"] = Tensor.From(bools),
            ["u"] = Tensor.From(bytes, [16, 16]),
            ["f3"] = Tensor.Arange(0f, 24f).View(2, 3, 4),
            ["i2"] = Tensor.From(new long[,] { { 1, 2, 3 }, { -4, -5, -6 } }),
            ["b2"] = Tensor.From(new[,] { { true, false }, { false, true } }),
        });
    }

    [Fact]
    public void Zero_dimensional_tensors_keep_the_empty_shape()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["f"] = Tensor.Scalar(3.5f),
            ["i"] = Tensor.Scalar(-7L),
            ["b"] = Tensor.Scalar(true),
            ["u"] = Tensor.From(new byte[] { 200 }, []),
        };
        Dictionary<string, Tensor> back = RoundTrip(tensors);
        Assert.All(back.Values, t => Assert.Equal(0, t.NDim));
        Assert.Equal(3.5f, back["f"].Item());
        Assert.Equal(-7L, back["i"].Item<long>());
        Assert.True(back["b"].Item<bool>());
        Assert.Equal((byte)200, back["u"].Item<byte>());
        Assert.Contains("\"f\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}", HeaderText(Bytes(tensors)));
    }

    [Fact]
    public void Empty_tensors_take_no_data_bytes()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["empty"] = Tensor.Zeros(0, 3),
            ["nothing"] = Tensor.Zeros([4, 0], DType.Int64),
            ["x"] = Tensor.From(1f, 2f),
        };
        Dictionary<string, Tensor> back = RoundTrip(tensors);
        Assert.Equal([0, 3], back["empty"].Shape.ToArray());
        Assert.Equal([4, 0], back["nothing"].Shape.ToArray());
        Assert.Equal(DType.Int64, back["nothing"].DType);
        byte[] file = Bytes(tensors);
        string header = HeaderText(file);
        Assert.Contains("\"nothing\":{\"dtype\":\"I64\",\"shape\":[4,0],\"data_offsets\":[0,0]}", header);
        Assert.Contains("\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}", header);
        Assert.Contains("\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", header);
        Assert.Equal(8 + (file.Length - 8 - 8) / 8 * 8 + 8, file.Length); // header padded to 8, then 8 data bytes

        RoundTrip(new() { ["only"] = Tensor.Zeros(0) });
        RoundTrip(new());
    }

    [Fact]
    public void Non_contiguous_views_are_saved_as_their_contiguous_copy()
    {
        Tensor m = Tensor.Arange(0f, 12f).View(3, 4);
        Tensor cube = Tensor.Arange(0, 24).View(2, 3, 4);
        var views = new Dictionary<string, Tensor>
        {
            ["transpose"] = m.T,
            ["columns"] = m[.., 1..3],
            ["rows"] = m[1..],
            ["permuted"] = cube.Permute(2, 0, 1),
            ["expanded"] = Tensor.From(true, false, true).Unsqueeze(0).Expand(2, 3),
            ["strided_bytes"] = Tensor.From(Enumerable.Range(0, 20).Select(i => (byte)i).ToArray(), [4, 5]).Transpose(0, 1)[1..4],
        };
        Assert.All(views.Where(kv => kv.Key != "rows").Select(kv => kv.Value), v => Assert.False(v.IsContiguous));
        Dictionary<string, Tensor> back = RoundTrip(views);
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, back["transpose"].ToArray<float>());
        Assert.Equal([4, 3], back["transpose"].Shape.ToArray());
        Assert.Equal(new float[] { 1, 2, 5, 6, 9, 10 }, back["columns"].ToArray<float>());
        Assert.Equal([4, 2, 3], back["permuted"].Shape.ToArray());
        Assert.Equal(new[] { true, false, true, true, false, true }, back["expanded"].ToArray<bool>());
        Assert.All(back.Values, t => Assert.True(t.IsContiguous));

        // The file holds exactly what the contiguous copies would give.
        Assert.Equal(Bytes(views.ToDictionary(kv => kv.Key, kv => kv.Value.Clone())), Bytes(views));
    }

    [Fact]
    public void Tensors_that_require_grad_save_without_touching_the_graph()
    {
        Tensor w = Tensor.Randn([2, 3], new Generator(7)).RequiresGrad();
        Tensor back = RoundTrip(new() { ["w"] = w, ["wt"] = w.T })["wt"];
        Assert.True(w.IsLeaf);
        Assert.Null(w.Grad);
        Assert.False(back.RequiresGradient);
    }

    [Fact]
    public void Metadata_round_trips_with_any_text()
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["note"] = "quotes \" backslash \\ slash / tab \t newline \n nul \0 del \u007f",
            ["ünïcödé ✓"] = "日本語 😀",
            [""] = "",
        };
        using var dir = new TempDir();
        string path = Path.Combine(dir, "m.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.From(1f) }, metadata);
        IReadOnlyDictionary<string, string> back = SafeTensors.ReadMetadata(path);
        Assert.Equal(metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal), back.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Single(SafeTensors.Load(path));
    }

    [Fact]
    public void Without_metadata_the_header_has_no_metadata_key()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir, "m.safetensors");
        var tensors = new Dictionary<string, Tensor> { ["x"] = Tensor.From(1f) };
        SafeTensors.Save(path, tensors);
        Assert.Empty(SafeTensors.ReadMetadata(path));
        Assert.DoesNotContain("__metadata__", HeaderText(File.ReadAllBytes(path)));

        // An empty map is written as an empty object, as the official writer writes Some(empty map).
        Assert.StartsWith("{\"__metadata__\":{},\"x\":", HeaderText(Bytes(tensors, new Dictionary<string, string>())));
    }

    [Fact]
    public void Load_returns_the_tensors_in_file_order()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["mask"] = Tensor.From(true),
            ["w"] = Tensor.From(1f),
            ["labels"] = Tensor.From(1L),
            ["pixels"] = Tensor.From((byte)1),
            ["b"] = Tensor.From(2f),
        };
        using var dir = new TempDir();
        string path = Path.Combine(dir, "o.safetensors");
        SafeTensors.Save(path, tensors);
        Assert.Equal(["labels", "b", "w", "pixels", "mask"], SafeTensors.Load(path).Keys);
        Assert.Equal("labels I64 [1]\nb F32 [1]\nw F32 [1]\npixels U8 [1]\nmask BOOL [1]", SafeTensors.Describe(path));
    }

    [Fact]
    public void Describe_lists_name_dtype_and_shape_and_quotes_odd_names()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir, "d.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["0.weight"] = Tensor.Zeros(30, 784),
            ["0.bias"] = Tensor.Zeros(30),
            ["step"] = Tensor.Scalar(3L),
            ["two words"] = Tensor.Zeros([0, 3], DType.UInt8),
        });
        Assert.Equal("step I64 []\n0.bias F32 [30]\n0.weight F32 [30, 784]\n\"two words\" U8 [0, 3]", SafeTensors.Describe(path));
    }

    [Fact]
    public void Streams_round_trip_seekable_or_not()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["big"] = Tensor.Rand([5_000_001], new Generator(3)), // larger than the reader's first allocation when it cannot see the length
            ["ints"] = Tensor.Arange(0, 3_000_000),
            ["mask"] = Tensor.From(true, false),
            ["bytes"] = Tensor.From((byte)9),
        };
        byte[] file = Bytes(tensors, new Dictionary<string, string> { ["k"] = "v" });

        using (var seekable = new MemoryStream(file))
        {
            Dictionary<string, Tensor> back = SafeTensors.Load(seekable);
            foreach ((string name, Tensor t) in tensors) AssertIdentical(t, back[name]);
        }
        Dictionary<string, Tensor> forward = SafeTensors.Load(new ForwardOnlyStream(file));
        foreach ((string name, Tensor t) in tensors) AssertIdentical(t, forward[name]);

        // A stream positioned after other content: the file is what remains.
        using var offset = new MemoryStream();
        offset.Write([1, 2, 3]);
        offset.Write(file);
        offset.Position = 3;
        AssertIdentical(tensors["bytes"], SafeTensors.Load(offset)["bytes"]);
    }

    [Fact]
    public void Header_entries_may_be_listed_in_any_order()
    {
        // The format does not order the header's entries; the data order is given by the offsets alone.
        byte[] data = [.. BitConverter.GetBytes(7L), .. BitConverter.GetBytes(1.5f), 1];
        byte[] file = Raw("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[12,13]},\"__metadata__\":{\"k\":\"v\"},"
            + "\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data);
        Dictionary<string, Tensor> back = SafeTensors.Load(new MemoryStream(file));
        Assert.Equal(["i", "f", "m"], back.Keys);
        Assert.Equal(7L, back["i"].Item<long>());
        Assert.Equal(1.5f, back["f"].Item());
        Assert.True(back["m"].Item<bool>());
    }

    [Fact]
    public void Bool_bytes_other_than_0_and_1_read_as_true()
    {
        byte[] file = Raw("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[4],\"data_offsets\":[0,4]}}", [0, 1, 2, 255]);
        Tensor m = SafeTensors.Load(new MemoryStream(file))["m"];
        Assert.Equal(new[] { false, true, true, true }, m.ToArray<bool>());
        Assert.Equal(new[] { false, true, true, true }, m.ToArray<bool>().Select(b => b == true));
        byte[] again = Bytes(new Dictionary<string, Tensor> { ["m"] = m });
        Assert.Equal(new byte[] { 0, 1, 1, 1 }, again[^4..]);
    }

    [Fact]
    public void Loaded_tensors_have_their_own_storage()
    {
        byte[] file = Bytes(new Dictionary<string, Tensor> { ["a"] = Tensor.From(1f, 2f), ["b"] = Tensor.From(3f, 4f) });
        Dictionary<string, Tensor> back = SafeTensors.Load(new MemoryStream(file));
        Assert.False(back["a"].SharesStorageWith(back["b"]));
        back["a"][0] = 10f;
        Assert.Equal(new float[] { 3, 4 }, back["b"].ToArray<float>());
    }
}
