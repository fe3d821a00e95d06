using System.Security.Cryptography;
using System.Text.Json;
using SharpGrad.IO;
using SharpGrad.Tests.Data;
using static SharpGrad.Tests.IO.SafeTensorsFiles;

namespace SharpGrad.Tests.IO;

/// <summary>
/// Compatibility with files PyTorch tensors were written to by tests/assets/safetensors/safetensors_reference.py (a
/// reader and writer written from the format's specification and the official library's layout rules): Load reads
/// them exactly, and Save writes the same tensors to byte-identical files.
/// </summary>
public class SafeTensorsPythonReferenceTests
{
    private static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Assets, "expected.json"))).RootElement;

    private static JsonElement Info(string file) => Expected.GetProperty("files").GetProperty(file);

    private static string Asset(string file) => Path.Combine(Assets, file);

    private static string DTypeName(Tensor t) => t.DType switch
    {
        DType.Float32 => "F32",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        _ => "U8",
    };

    /// <summary>Element <paramref name="i"/> of the flat tensor, encoded as expected.json encodes it.</summary>
    private static object Encoded(Tensor flat, int i) => flat.DType switch
    {
        DType.Float32 => (object)BitConverter.SingleToUInt32Bits(flat.ToArray<float>()[i]),
        DType.Int64 => flat.ToArray<long>()[i],
        DType.Bool => flat.ToArray<bool>()[i],
        _ => flat.ToArray<byte>()[i],
    };

    private static object Encoded(JsonElement value, string dtype) => dtype switch
    {
        "F32" => (object)value.GetUInt32(),
        "I64" => value.GetInt64(),
        "BOOL" => value.GetBoolean(),
        _ => value.GetByte(),
    };

    /// <summary>A tensor built from the values expected.json lists, independently of the safetensors file.</summary>
    private static Tensor FromValues(JsonElement info)
    {
        int[] shape = info.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        JsonElement[] values = info.GetProperty("values").EnumerateArray().ToArray();
        return info.GetProperty("dtype").GetString() switch
        {
            "F32" => Tensor.Adopt(values.Select(v => BitConverter.UInt32BitsToSingle(v.GetUInt32())).ToArray(), shape),
            "I64" => Tensor.Adopt(values.Select(v => v.GetInt64()).ToArray(), shape),
            "BOOL" => Tensor.Adopt(values.Select(v => v.GetBoolean()).ToArray(), shape),
            _ => Tensor.Adopt(values.Select(v => v.GetByte()).ToArray(), shape),
        };
    }

    [Theory]
    [InlineData("linear_784x30.safetensors")]
    [InlineData("mixed.safetensors")]
    public void Load_reads_the_reference_files_exactly(string file)
    {
        JsonElement info = Info(file);
        Dictionary<string, Tensor> tensors = SafeTensors.Load(Asset(file));
        Assert.Equal(info.GetProperty("order").EnumerateArray().Select(e => e.GetString()!), tensors.Keys);
        foreach (JsonProperty p in info.GetProperty("tensors").EnumerateObject())
        {
            Tensor t = tensors[p.Name];
            string dtype = p.Value.GetProperty("dtype").GetString()!;
            Assert.Equal(dtype, DTypeName(t));
            Assert.Equal(p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), t.Shape.ToArray());
            Assert.Equal(p.Value.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(ElementBytes(t))));
            Tensor flat = t.Reshape(-1);
            if (p.Value.TryGetProperty("values", out JsonElement values))
                Assert.Equal(values.EnumerateArray().Select(v => Encoded(v, dtype)), Enumerable.Range(0, flat.Numel).Select(i => Encoded(flat, i)));
            foreach (JsonProperty s in p.Value.TryGetProperty("samples", out JsonElement samples) ? samples.EnumerateObject() : [])
                Assert.Equal(Encoded(s.Value, dtype), Encoded(flat, int.Parse(s.Name)));
        }
        var metadata = info.GetProperty("metadata").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString()!);
        Assert.Equal(metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal), SafeTensors.ReadMetadata(Asset(file)).OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void The_linear_layer_state_dict_has_PyTorch_names_and_shapes()
    {
        Dictionary<string, Tensor> state = SafeTensors.Load(Asset("linear_784x30.safetensors"));
        Assert.Equal([30, 784], state["0.weight"].Shape.ToArray());
        Assert.Equal([30], state["0.bias"].Shape.ToArray());
        // nn.Linear initialises uniformly in ±1/sqrt(fan_in).
        float bound = 1f / MathF.Sqrt(784);
        Assert.All(state["0.weight"].ToArray<float>(), w => Assert.InRange(w, -bound, bound));
        Assert.Equal("0.bias F32 [30]\n0.weight F32 [30, 784]", SafeTensors.Describe(Asset("linear_784x30.safetensors")));
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, SafeTensors.ReadMetadata(Asset("linear_784x30.safetensors")));
    }

    [Fact]
    public void Saving_the_loaded_linear_layer_gives_the_reference_bytes()
    {
        string reference = Asset("linear_784x30.safetensors");
        using var dir = new TempDir();
        string path = Path.Combine(dir, "linear.safetensors");
        SafeTensors.Save(path, SafeTensors.Load(reference), SafeTensors.ReadMetadata(reference));
        Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(path));
    }

    [Fact]
    public void Saving_tensors_built_from_the_expected_values_gives_the_reference_bytes()
    {
        JsonElement info = Info("mixed.safetensors");
        // Built in reverse order from the listed values, not from the file, so nothing of the file's layout leaks in.
        var tensors = new Dictionary<string, Tensor>();
        foreach (JsonProperty p in info.GetProperty("tensors").EnumerateObject().Reverse())
            tensors[p.Name] = FromValues(p.Value);

        // The script wrote "pixels" from a permuted (non-contiguous) torch view; do the same here.
        Tensor pixels = Tensor.From(Enumerable.Range(0, 24).Select(i => (byte)(i * 37 % 256)).ToArray(), [4, 3, 2]).Permute(2, 1, 0);
        Assert.False(pixels.IsContiguous);
        AssertIdentical(tensors["pixels"], pixels);
        tensors["pixels"] = pixels;

        var metadata = info.GetProperty("metadata").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString()!);
        using var dir = new TempDir();
        string path = Path.Combine(dir, "mixed.safetensors");
        SafeTensors.Save(path, tensors, metadata);
        Assert.Equal(File.ReadAllBytes(Asset("mixed.safetensors")), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_dtype_SharpGrad_does_not_read_is_named_in_the_error_but_still_described()
    {
        string path = Asset("half.safetensors");
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("F16 is not supported; SharpGrad reads F32, I64, BOOL, U8", e.Message);
        Assert.Equal("f F32 [2]\nh F16 [2]", SafeTensors.Describe(path));
        Assert.Empty(SafeTensors.ReadMetadata(path));
    }

    [Fact]
    public void A_PyTorch_state_dict_loads_into_the_same_architecture_here()
    {
        // nn.Sequential(nn.Linear(784, 30)) saved by PyTorch (safetensors_reference.py) -> Nn.Sequential(Nn.Linear(784, 30)).
        Dictionary<string, Tensor> state = SafeTensors.Load(Asset("linear_784x30.safetensors"));
        var model = SharpGrad.NN.Nn.Sequential(SharpGrad.NN.Nn.Linear(784, 30));
        model.LoadStateDict(state);
        Assert.Equal(state["0.weight"].ToArray<float>(), ((SharpGrad.NN.Linear)model[0]).Weight.ToArray<float>());
        Tensor x = Tensor.Ones(1, 784);
        TensorAssert.Close(x.MatMul(state["0.weight"].T) + state["0.bias"], model.Forward(x), 1e-6f, 1e-6f, "forward with PyTorch's weights");
    }
}
