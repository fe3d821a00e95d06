using System.Globalization;
using System.Text.Json;
using SharpGrad.Data;
using SharpGrad.Learning;

namespace SharpGrad.IO.Onnx;

/// <summary>Exporting a learner's model as ONNX, with what a consumer needs to feed it in the file's metadata.</summary>
public static class OnnxLearnerExport
{
    /// <summary>Metadata keys written with the model (the same as in a <c>.sgl</c> file, plus the normalisation).</summary>
    public const string VocabKey = LearnerFiles.VocabKey, InputKey = LearnerFiles.InputKey, ItemTfmKey = LearnerFiles.ItemTfmKey,
        NormalizeKey = "sharpgrad.normalize", InputDescriptionKey = "sharpgrad.input_description";

    /// <summary>
    /// Exports the learner's model (fastai-style <c>learn.export</c>, as ONNX): traced on two items of the validation set
    /// (or the training set), with the class names, the image size and item transform, and any <see cref="Normalize"/>
    /// batch transform in <c>metadata_props</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">The model uses an op with no ONNX mapping; the message names it and its module.</exception>
    public static void ExportOnnx(this Learner learn, string path, int opset = 17, bool dynamicBatch = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(learn);
        DataLoader loader = learn.Dls.Valid.Dataset.Count > 0 ? learn.Dls.Valid : learn.Dls.Train;
        Tensor sample = loader.Dataset.Collate([.. Enumerable.Range(0, Math.Min(2, loader.Dataset.Count))]).X;
        var metadata = Metadata(learn, loader);
        OnnxExport.Save(learn.Model, sample, path, opset, dynamicBatch, metadata, cancellationToken);
    }

    private static Dictionary<string, string> Metadata(Learner learn, DataLoader loader)
    {
        var meta = new Dictionary<string, string> { [VocabKey] = JsonSerializer.Serialize(learn.Dls.Vocab.ToArray(), MetadataJson.Default.StringArray) };
        string description = "float32 tensor [batch, ...]";
        if (learn.Dls.Train.Dataset is IImageDataset images)
        {
            meta[InputKey] = JsonSerializer.Serialize(new[] { images.Channels, images.Height, images.Width }, MetadataJson.Default.Int32Array);
            if (images.ItemTransform is { } tfm) meta[ItemTfmKey] = tfm.Describe().ToJsonString();
            description = string.Create(CultureInfo.InvariantCulture,
                $"float32 [batch, {images.Channels}, {images.Height}, {images.Width}]: {(images.Channels == 1 ? "grey" : "RGB")} pixels scaled to 0..1");
        }
        if (loader.BatchTfms.OfType<Normalize>().FirstOrDefault() is { } norm)
        {
            meta[NormalizeKey] = JsonSerializer.Serialize(new[] { norm.Mean.ToArray(), norm.Std.ToArray() }, MetadataJson.Default.SingleArrayArray);
            description += string.Create(CultureInfo.InvariantCulture, $", then (x - mean) / std per channel with mean [{string.Join(", ", norm.Mean)}], std [{string.Join(", ", norm.Std)}]");
        }
        meta[InputDescriptionKey] = description;
        return meta;
    }
}
