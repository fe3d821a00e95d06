using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpGrad.NN;

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
        _ => throw new NotSupportedException(
            $"Cannot describe a {module.GetType().Name} for export; only Sequential, Linear, ReLU, Sigmoid, Flatten and Dropout can be rebuilt from a file. Save the weights with Save() and rebuild the model in code."),
    };

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
                _ => throw new InvalidDataException($"Unknown module type '{type}' in the model description."),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"Malformed {type} description {spec.ToJsonString()}: {e.Message}", e);
        }
    }

    private static int Int(JsonNode spec, string name) =>
        spec[name]?.GetValue<int>() ?? throw new InvalidDataException($"'{name}' missing in {spec.ToJsonString()}");
}
