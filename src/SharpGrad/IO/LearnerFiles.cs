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
    internal const string FormatKey = "sharpgrad.format", ArchKey = "sharpgrad.arch", VocabKey = "sharpgrad.vocab", InputKey = "sharpgrad.input",
        ItemTfmKey = "sharpgrad.item_tfm";
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
        input ??= learn.Dls.Train.Dataset is IImageDataset images ? new ImageInput(images.Channels, images.Height, images.Width, images.ItemTransform) : null;
        ExportModel(learn.Model, path, learn.Dls.Vocab, input);
    }

    /// <summary>Writes a model without a learner: weights, architecture, <paramref name="vocab"/> and the image input transform (atomically).</summary>
    /// <param name="model">A model built from SharpGrad's layers (see <see cref="ModuleSpec.Types"/>).</param>
    /// <param name="path">Output file (conventionally <c>.sgl</c>).</param>
    /// <param name="vocab">Class names in label order; empty when the outputs are not classes.</param>
    /// <param name="input">How image files become inputs, or null.</param>
    /// <exception cref="NotSupportedException">The model contains a module that cannot be described; the message names it.</exception>
    /// <exception cref="IOException">The file cannot be written; the message names it.</exception>
    public static void ExportModel(NN.Module model, string path, IReadOnlyList<string> vocab, ImageInput? input = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocab);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [FormatKey] = ExportFormat,
            [ArchKey] = ModuleSpec.Describe(model).ToJsonString(),
            [VocabKey] = JsonSerializer.Serialize(vocab.ToArray(), MetadataJson.Default.StringArray),
        };
        if (input is not null) metadata[InputKey] = JsonSerializer.Serialize(new[] { input.Channels, input.Height, input.Width }, MetadataJson.Default.Int32Array);
        if (input?.Transform is { } tfm) metadata[ItemTfmKey] = tfm.Describe().ToJsonString();
        SafeTensors.Save(path, model.StateDict(), metadata);
    }

    /// <summary>
    /// Refuses a file whose metadata contradicts its weights, before it can mislabel a prediction or blame the user's
    /// image: the stored input shape must pass through the model, and its outputs must match the class list (one
    /// output per class, or one for two classes as chapter 4's binary models have).
    /// </summary>
    internal static void CheckConsistent(string path, NN.Module model, IReadOnlyList<string> vocab, ImageInput? input)
    {
        if (input is null) return;
        model.Eval();
        Tensor output;
        try
        {
            using (Tensor.NoGrad()) output = model.Forward(Tensor.Zeros(1, input.Channels, input.Height, input.Width));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException(
                $"{path}: the file says the model takes {input.Channels}x{input.Height}x{input.Width} images, but its weights do not accept that shape " +
                $"({e.Message}); the file is inconsistent: export it again.", e);
        }
        int outputs = output.Size(-1);
        if (vocab.Count > 0 && outputs != vocab.Count && !(outputs == 1 && vocab.Count == 2))
            throw new InvalidDataException(
                $"{path}: the file lists {vocab.Count} classes [{string.Join(", ", vocab)}] but the model has {outputs} output{(outputs == 1 ? "" : "s")}; " +
                "the file is inconsistent: export it again.");
    }

    /// <summary>The class names and image input stored in a file's metadata (the same keys in .sgl and .onnx files).</summary>
    /// <exception cref="JsonException">A malformed entry.</exception>
    internal static (IReadOnlyList<string> Vocab, ImageInput? Input) ReadInput(IReadOnlyDictionary<string, string> meta)
    {
        var vocab = JsonSerializer.Deserialize(meta.TryGetValue(VocabKey, out string? v) ? v : "[]", MetadataJson.Default.StringArray) ?? [];
        ItemTransform? tfm = meta.TryGetValue(ItemTfmKey, out string? t) ? ItemTransform.FromDescription(JsonNode.Parse(t) ?? throw new InvalidDataException("empty item transform")) : null;
        ImageInput? input = meta.TryGetValue(InputKey, out string? i) && JsonSerializer.Deserialize(i, MetadataJson.Default.Int32Array) is [int c, int h, int w] ? new ImageInput(c, h, w, tfm) : null;
        return (vocab, input);
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
            NN.Module model;
            using (NN.Init.Skip()) model = ModuleSpec.Build(JsonNode.Parse(meta[ArchKey]) ?? throw new InvalidDataException("empty architecture"));
            (IReadOnlyList<string> vocab, ImageInput? input) = ReadInput(meta);
            Dictionary<string, Tensor> state = SafeTensors.Load(path);
            model.LoadStateDict(state);
            CheckConsistent(path, model, vocab, input);
            return new ExportedModel(model, vocab, input, meta);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: the exported learner is inconsistent: {e.Message}", e);
        }
    }
}

/// <summary>System.Text.Json source generation for the exported file's metadata, so export and load need no reflection (native AOT, trimming).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(float[][]))]
internal sealed partial class MetadataJson : System.Text.Json.Serialization.JsonSerializerContext;
