using System.Text.Json;

namespace SharpGrad.Tests;

/// <summary>One op case from <c>tests/reference/ops.json</c>, written by <c>tests/reference/generate.py</c> with PyTorch.</summary>
public sealed class ReferenceCase
{
    private static readonly Lazy<Dictionary<string, ReferenceCase>> s_all = new(Load);

    public required string Op { get; init; }
    public required string Name { get; init; }
    public required JsonElement Args { get; init; }
    public required Tensor[] Inputs { get; init; }
    public required Tensor Output { get; init; }
    public Tensor? Indices { get; init; }
    public Tensor? GradOutput { get; init; }
    public required Tensor?[] Grads { get; init; }

    public static IReadOnlyDictionary<string, ReferenceCase> All => s_all.Value;

    public static IEnumerable<object[]> Names() => All.Keys.Select(k => new object[] { k });

    private static Dictionary<string, ReferenceCase> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "reference", "ops.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new Dictionary<string, ReferenceCase>();
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var rc = new ReferenceCase
            {
                Op = c.GetProperty("op").GetString()!,
                Name = c.GetProperty("name").GetString()!,
                Args = c.GetProperty("args").Clone(),
                Inputs = c.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToArray(),
                Output = ReadTensor(c.GetProperty("output")),
                Indices = c.TryGetProperty("indices", out var ix) && ix.ValueKind != JsonValueKind.Null ? ReadTensor(ix) : null,
                GradOutput = c.GetProperty("grad_output").ValueKind == JsonValueKind.Null ? null : ReadTensor(c.GetProperty("grad_output")),
                Grads = c.GetProperty("grads").EnumerateArray().Select(g => g.ValueKind == JsonValueKind.Null ? null : ReadTensor(g)).ToArray(),
            };
            result.Add(rc.Name, rc);
        }
        return result;
    }

    private static Tensor ReadTensor(JsonElement e)
    {
        int[] shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        JsonElement data = e.GetProperty("data");
        switch (e.GetProperty("dtype").GetString())
        {
            case "float32": return Tensor.From(data.EnumerateArray().Select(x => x.GetSingle()).ToArray(), shape);
            case "int64": return Tensor.From(data.EnumerateArray().Select(x => x.GetInt64()).ToArray(), shape);
            case "bool":
            {
                long[] v = data.EnumerateArray().Select(x => x.GetBoolean() ? 1L : 0L).ToArray();
                return Tensor.From(v, shape).Bool();
            }
            default: throw new InvalidDataException("Unknown dtype " + e.GetProperty("dtype"));
        }
    }
}
