using System.Text.Json;
using System.Text.Json.Nodes;
using SharpGrad.Data;
using SharpGrad.Learning;

namespace SharpGrad.IO;

/// <summary>
/// Saving and loading learners as safetensors files: <see cref="Save"/>/<see cref="Load"/> hold the weights only
/// (PyTorch's state-dict names, so they load into the same architecture in PyTorch); <see cref="Export"/> adds the
/// architecture, class names and input transform, so <see cref="LoadLearner"/> can predict in a fresh process.
/// </summary>
public static class LearnerFiles
{
    private const string FormatKey = "sharpgrad.format", ArchKey = "sharpgrad.arch", VocabKey = "sharpgrad.vocab", InputKey = "sharpgrad.input";
    private const string ExportFormat = "learner-v1";

    /// <summary>Writes the model's weights to <paramref name="path"/> (atomically).</summary>
    public static void Save(this Learner learn, string path) =>
        SafeTensors.Save(path, learn.Model.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });

    /// <summary>Loads weights saved by <see cref="Save"/> (or from PyTorch with the same state-dict names) into the model.</summary>
    /// <exception cref="InvalidDataException">Not a safetensors file, or truncated; the message names the file.</exception>
    /// <exception cref="ArgumentException">The weights do not fit this architecture; the message names the tensors.</exception>
    public static void Load(this Learner learn, string path)
    {
        Dictionary<string, Tensor> state = SafeTensors.Load(path);
        try
        {
            learn.Model.LoadStateDict(state);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{path}: these weights do not fit the model: {e.Message}", e);
        }
    }

    /// <summary>Writes weights, architecture, class names and image input transform to <paramref name="path"/> (atomically).</summary>
    /// <param name="learn">The learner.</param>
    /// <param name="path">Output file (conventionally <c>.sgl</c>).</param>
    /// <param name="input">The input transform; by default taken from the training data when it is an image dataset.</param>
    /// <exception cref="NotSupportedException">The model contains a module that cannot be described; the message names it.</exception>
    public static void Export(this Learner learn, string path, ImageInput? input = null)
    {
        input ??= learn.Dls.Train.Dataset is ImageDataset images ? new ImageInput(images.Channels, images.Height, images.Width) : null;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [FormatKey] = ExportFormat,
            [ArchKey] = ModuleSpec.Describe(learn.Model).ToJsonString(),
            [VocabKey] = JsonSerializer.Serialize(learn.Dls.Vocab),
        };
        if (input is not null) metadata[InputKey] = JsonSerializer.Serialize(new[] { input.Channels, input.Height, input.Width });
        SafeTensors.Save(path, learn.Model.StateDict(), metadata);
    }

    /// <summary>Loads a file written by <see cref="Export"/>.</summary>
    /// <exception cref="InvalidDataException">Not an exported learner, corrupt or truncated; the message names the file and the problem.</exception>
    public static ExportedModel LoadLearner(string path)
    {
        IReadOnlyDictionary<string, string> meta = SafeTensors.ReadMetadata(path);
        if (!meta.TryGetValue(FormatKey, out string? format))
            throw new InvalidDataException($"{path}: not an exported SharpGrad learner (no '{FormatKey}' entry); a weights-only file loads with learn.Load(path) into a model built in code.");
        if (format != ExportFormat) throw new InvalidDataException($"{path}: unsupported export format '{format}' (this SharpGrad reads '{ExportFormat}').");
        try
        {
            NN.Module model = ModuleSpec.Build(JsonNode.Parse(meta[ArchKey]) ?? throw new InvalidDataException("empty architecture"));
            var vocab = JsonSerializer.Deserialize<string[]>(meta.TryGetValue(VocabKey, out string? v) ? v : "[]") ?? [];
            ImageInput? input = meta.TryGetValue(InputKey, out string? i) && JsonSerializer.Deserialize<int[]>(i) is [int c, int h, int w] ? new ImageInput(c, h, w) : null;
            Dictionary<string, Tensor> state = SafeTensors.Load(path);
            model.LoadStateDict(state);
            return new ExportedModel(model, vocab, input, meta);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: the exported learner is inconsistent: {e.Message}", e);
        }
    }
}
