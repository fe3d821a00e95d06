using System.Text.Json;

namespace SharpGrad.Tests.Vision;

/// <summary>One case from <c>tests/reference/vision.json</c>, written by <c>tests/reference/generate_vision.py</c> with PyTorch.</summary>
public sealed class VisionCase
{
    private static readonly Lazy<Dictionary<string, VisionCase>> s_all = new(Load);

    public required string Op { get; init; }
    public required string Name { get; init; }
    public required JsonElement Args { get; init; }
    public required Tensor[] Inputs { get; init; }
    public required Tensor Output { get; init; }
    public Tensor? Indices { get; init; }
    public required Tensor GradOutput { get; init; }
    public required Tensor?[] Grads { get; init; }
    public Tensor? RunningMeanAfter { get; init; }
    public Tensor? RunningVarAfter { get; init; }

    public static IReadOnlyDictionary<string, VisionCase> All => s_all.Value;

    private static Dictionary<string, VisionCase> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "reference", "vision.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new Dictionary<string, VisionCase>();
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            Tensor? Optional(string key) => c.TryGetProperty(key, out var e) && e.ValueKind != JsonValueKind.Null ? ReadTensor(e) : null;
            var vc = new VisionCase
            {
                Op = c.GetProperty("op").GetString()!,
                Name = c.GetProperty("name").GetString()!,
                Args = c.GetProperty("args").Clone(),
                Inputs = c.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToArray(),
                Output = ReadTensor(c.GetProperty("output")),
                Indices = Optional("indices"),
                GradOutput = ReadTensor(c.GetProperty("grad_output")),
                Grads = c.GetProperty("grads").EnumerateArray().Select(g => g.ValueKind == JsonValueKind.Null ? null : ReadTensor(g)).ToArray(),
                RunningMeanAfter = Optional("running_mean_after"),
                RunningVarAfter = Optional("running_var_after"),
            };
            result.Add(vc.Name, vc);
        }
        return result;
    }

    private static Tensor ReadTensor(JsonElement e)
    {
        int[] shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        JsonElement data = e.GetProperty("data");
        return e.GetProperty("dtype").GetString() switch
        {
            "float32" => Tensor.From(data.EnumerateArray().Select(x => x.GetSingle()).ToArray(), shape),
            "int64" => Tensor.From(data.EnumerateArray().Select(x => x.GetInt64()).ToArray(), shape),
            string other => throw new InvalidDataException("Unknown dtype " + other),
            null => throw new InvalidDataException("Missing dtype"),
        };
    }
}
