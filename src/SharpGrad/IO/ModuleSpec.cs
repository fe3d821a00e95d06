using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.IO;

/// <summary>
/// Describes a model built from the built-in modules as JSON (<c>{"type":"Linear","in":784,"out":30,"bias":true}</c>,
/// Sequential with its children) and rebuilds it, so an exported learner needs no code to load.
/// </summary>
public static class ModuleSpec
{
    /// <summary>The JSON description of <paramref name="module"/>.</summary>
    /// <exception cref="NotSupportedException">A module type that cannot be described (a custom module); the message names it.</exception>
    public static JsonObject Describe(Module module) => module switch
    {
        Sequential s => new JsonObject { ["type"] = "Sequential", ["layers"] = new JsonArray(s.Layers.Select(l => (JsonNode)Describe(l)).ToArray()) },
        Linear l => new JsonObject { ["type"] = "Linear", ["in"] = l.InFeatures, ["out"] = l.OutFeatures, ["bias"] = l.Bias is not null },
        ReLU => new JsonObject { ["type"] = "ReLU" },
        Sigmoid => new JsonObject { ["type"] = "Sigmoid" },
        Flatten f => new JsonObject { ["type"] = "Flatten", ["start"] = f.StartDim, ["end"] = f.EndDim },
        Dropout d => new JsonObject { ["type"] = "Dropout", ["p"] = d.P },
        Conv2d c => new JsonObject
        {
            ["type"] = "Conv2d", ["in"] = c.InChannels, ["out"] = c.OutChannels, ["kernel"] = Pair(c.KernelSize, false), ["stride"] = Pair(c.Stride, false),
            ["padding"] = Pair(c.Padding, false), ["dilation"] = Pair(c.Dilation, false), ["groups"] = c.Groups, ["bias"] = c.Bias is not null,
        },
        BatchNorm b => new JsonObject
        {
            ["type"] = b.GetType().Name, ["features"] = b.NumFeatures, ["eps"] = b.Eps, ["momentum"] = b.Momentum,
            ["affine"] = b.Affine, ["track_running_stats"] = b.TrackRunningStats,
        },
        MaxPool2d p => new JsonObject
        {
            ["type"] = "MaxPool2d", ["kernel"] = Pair(p.KernelSize, p.SizesAsInts), ["stride"] = Pair(p.Stride, p.SizesAsInts), ["padding"] = Pair(p.Padding, p.SizesAsInts),
        },
        AvgPool2d p => new JsonObject
        {
            ["type"] = "AvgPool2d", ["kernel"] = Pair(p.KernelSize, p.SizesAsInts), ["stride"] = Pair(p.Stride, p.SizesAsInts), ["padding"] = Pair(p.Padding, p.SizesAsInts),
            ["count_include_pad"] = p.CountIncludePad,
        },
        AdaptiveAvgPool2d p => new JsonObject { ["type"] = "AdaptiveAvgPool2d", ["size"] = Pair(p.OutputSize, p.SizeAsInt) },
        AdaptiveMaxPool2d p => new JsonObject { ["type"] = "AdaptiveMaxPool2d", ["size"] = Pair(p.OutputSize, p.SizeAsInt) },
        AdaptiveConcatPool2d p => new JsonObject { ["type"] = "AdaptiveConcatPool2d", ["size"] = p.Size },
        BasicBlock b => new JsonObject { ["type"] = "BasicBlock", ["in"] = b.InPlanes, ["planes"] = b.Planes, ["stride"] = b.Stride },
        ResNet r => new JsonObject
        {
            ["type"] = "ResNet", ["blocks"] = new JsonArray(r.Blocks.Select(n => (JsonNode)n).ToArray()), ["classes"] = r.NumClasses, ["in"] = r.InChannels,
            ["normalize"] = r.Normalization is null ? null : Describe(r.Normalization),
        },
        Normalization n => new JsonObject { ["type"] = "Normalization", ["channels"] = n.Channels },
        Onnx.OnnxModel => throw new NotSupportedException(
            "Cannot describe an OnnxModel (an imported ONNX graph) in a .sgl file; export it back to ONNX instead (learn.ExportOnnx or OnnxExport.Save)."),
        _ => throw new NotSupportedException(
            $"Cannot describe a {module.GetType().Name} for export; a file can rebuild only SharpGrad's own layers ({string.Join(", ", Types)}) " +
            "and Sequentials of them. Save the weights with learn.Save() and rebuild the model in code."),
    };

    /// <summary>The module types <see cref="Describe"/> and <see cref="Build"/> know, by name.</summary>
    public static IReadOnlyList<string> Types { get; } =
    [
        "Sequential", "Linear", "ReLU", "Sigmoid", "Flatten", "Dropout", "Conv2d", "BatchNorm1d", "BatchNorm2d", "MaxPool2d", "AvgPool2d",
        "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AdaptiveConcatPool2d", "BasicBlock", "ResNet", "Normalization",
    ];

    /// <summary>Throws the <see cref="Describe"/> error when <paramref name="module"/> or any descendant cannot be described, so a caller can refuse before training.</summary>
    /// <exception cref="NotSupportedException">The message names the first module type that cannot be exported.</exception>
    public static void CheckExportable(Module module) => Describe(module);

    /// <summary>A size as one number when it was given as one int, else as [height, width].</summary>
    private static JsonNode Pair((int H, int W) v, bool asInt) => asInt ? JsonValue.Create(v.H) : new JsonArray(v.H, v.W);

    /// <summary>Builds the module described by <paramref name="spec"/> (weights freshly initialised).</summary>
    /// <exception cref="InvalidDataException">The description is malformed or names an unknown type.</exception>
    public static Module Build(JsonNode spec)
    {
        string type = spec["type"]?.GetValue<string>() ?? throw new InvalidDataException($"Module description without a type: {spec.ToJsonString()}");
        try
        {
            return type switch
            {
                "Sequential" => new Sequential((spec["layers"]?.AsArray() ?? throw new InvalidDataException("Sequential without layers")).Select(l => Build(l!)).ToArray()),
                "Linear" => new Linear(Int(spec, "in"), Int(spec, "out"), spec["bias"]?.GetValue<bool>() ?? true),
                "ReLU" => new ReLU(),
                "Sigmoid" => new Sigmoid(),
                "Flatten" => new Flatten(Int(spec, "start"), Int(spec, "end")),
                "Dropout" => new Dropout(spec["p"]?.GetValue<float>() ?? 0.5f),
                "Conv2d" => new Conv2d(Int(spec, "in"), Int(spec, "out"), Pair(spec, "kernel"), Pair(spec, "stride"), Pair(spec, "padding"), Pair(spec, "dilation"),
                    Int(spec, "groups"), spec["bias"]?.GetValue<bool>() ?? true),
                "BatchNorm1d" => new BatchNorm1d(Int(spec, "features"), Float(spec, "eps"), Float(spec, "momentum"), Bool(spec, "affine"), Bool(spec, "track_running_stats")),
                "BatchNorm2d" => new BatchNorm2d(Int(spec, "features"), Float(spec, "eps"), Float(spec, "momentum"), Bool(spec, "affine"), Bool(spec, "track_running_stats")),
                "MaxPool2d" => IsInt(spec, "kernel")
                    ? new MaxPool2d(Int(spec, "kernel"), Int(spec, "stride"), Int(spec, "padding"))
                    : new MaxPool2d(Pair(spec, "kernel"), Pair(spec, "stride"), Pair(spec, "padding")),
                "AvgPool2d" => IsInt(spec, "kernel")
                    ? new AvgPool2d(Int(spec, "kernel"), Int(spec, "stride"), Int(spec, "padding"), Bool(spec, "count_include_pad"))
                    : new AvgPool2d(Pair(spec, "kernel"), Pair(spec, "stride"), Pair(spec, "padding"), Bool(spec, "count_include_pad")),
                "AdaptiveAvgPool2d" => IsInt(spec, "size") ? new AdaptiveAvgPool2d(Int(spec, "size")) : new AdaptiveAvgPool2d(Pair(spec, "size")),
                "AdaptiveMaxPool2d" => IsInt(spec, "size") ? new AdaptiveMaxPool2d(Int(spec, "size")) : new AdaptiveMaxPool2d(Pair(spec, "size")),
                "AdaptiveConcatPool2d" => new AdaptiveConcatPool2d(Int(spec, "size")),
                "BasicBlock" => new BasicBlock(Int(spec, "in"), Int(spec, "planes"), Int(spec, "stride")),
                "ResNet" => new ResNet(IntList(spec, "blocks"), Int(spec, "classes"), Int(spec, "in"),
                    normalization: spec["normalize"] is JsonNode norm ? (Normalization)Build(norm) : null),
                // The values are buffers, loaded with the weights; the description only sizes them.
                "Normalization" => new Normalization(new float[Int(spec, "channels")], Enumerable.Repeat(1f, Int(spec, "channels")).ToArray()),
                _ => throw new InvalidDataException($"Unknown module type '{type}' in the model description."),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"Malformed {type} description {spec.ToJsonString()}: {e.Message}", e);
        }
    }

    private static int Int(JsonNode spec, string name) =>
        spec[name]?.GetValue<int>() ?? throw new InvalidDataException($"'{name}' missing in {spec.ToJsonString()}");

    private static int[] IntList(JsonNode spec, string name) =>
        (spec[name]?.AsArray() ?? throw new InvalidDataException($"'{name}' missing in {spec.ToJsonString()}")).Select(n => n!.GetValue<int>()).ToArray();

    private static float Float(JsonNode spec, string name) =>
        spec[name]?.GetValue<float>() ?? throw new InvalidDataException($"'{name}' missing in {spec.ToJsonString()}");

    private static bool Bool(JsonNode spec, string name) =>
        spec[name]?.GetValue<bool>() ?? throw new InvalidDataException($"'{name}' missing in {spec.ToJsonString()}");

    private static bool IsInt(JsonNode spec, string name) => spec[name] is JsonValue;

    /// <summary>A size written as one number (square) or as [height, width].</summary>
    private static (int, int) Pair(JsonNode spec, string name)
    {
        JsonNode node = spec[name] ?? throw new InvalidDataException($"'{name}' missing in {spec.ToJsonString()}");
        if (node is JsonValue) return (node.GetValue<int>(), node.GetValue<int>());
        JsonArray a = node.AsArray();
        if (a.Count != 2) throw new InvalidDataException($"'{name}' must be a number or [height, width] in {spec.ToJsonString()}");
        return (a[0]!.GetValue<int>(), a[1]!.GetValue<int>());
    }
}
