namespace SharpGrad.IO.Onnx;

/// <summary>
/// Imports ONNX models as SharpGrad modules (<see cref="OnnxModel"/>) to predict or fine-tune: opsets 8 to 21, the ops
/// common in exported vision and tabular models (see <see cref="SupportedOps"/>). Malformed or hostile files are
/// refused with a message naming the file and the node or tensor at fault.
/// </summary>
public static class OnnxImport
{
    /// <summary>The ONNX ops the importer runs.</summary>
    public static IReadOnlyCollection<string> SupportedOps => OnnxGraph.SupportedOps;

    /// <summary>Loads the ONNX model at <paramref name="path"/>; external data is read only from files in its folder.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">A malformed file: truncated, a missing value, a cycle, a bad tensor; the message names it.</exception>
    /// <exception cref="NotSupportedException">An op, opset or attribute SharpGrad does not run; the message names the node.</exception>
    public static OnnxModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var proto = OnnxFile.Load(path);
        return new OnnxModel(OnnxGraphReader.Read(proto, path, Path.GetDirectoryName(Path.GetFullPath(path))));
    }

    /// <summary>
    /// Loads an ONNX model exported by <see cref="OnnxLearnerExport.ExportOnnx"/> (or any model with the same
    /// <c>metadata_props</c>) ready to predict, as <see cref="LearnerFiles.LoadLearner"/> does for .sgl files: class names,
    /// image input and item transform from the metadata, and the stored normalisation applied before the graph.
    /// </summary>
    /// <exception cref="InvalidDataException">A malformed file or metadata, or metadata that contradicts the model; the message names the file.</exception>
    public static ExportedModel LoadLearner(string path)
    {
        OnnxModel onnx = Load(path);
        IReadOnlyDictionary<string, string> meta = onnx.Metadata;
        try
        {
            (IReadOnlyList<string> vocab, ImageInput? input) = LearnerFiles.ReadInput(meta);
            NN.Module model = onnx;
            if (meta.TryGetValue(OnnxLearnerExport.NormalizeKey, out string? n))
            {
                float[][] stats = System.Text.Json.JsonSerializer.Deserialize(n, MetadataJson.Default.SingleArrayArray) ?? [];
                if (stats is not [float[] mean, float[] std]) throw new InvalidDataException($"'{OnnxLearnerExport.NormalizeKey}' should be [mean, std], got {n}.");
                model = new NN.Sequential(new NN.Normalization(mean, std), onnx);
            }
            LearnerFiles.CheckConsistent(path, model, vocab, input);
            return new ExportedModel(model, vocab, input, meta);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: the model's metadata is inconsistent: {e.Message}", e);
        }
    }

    /// <summary>Loads an ONNX model from <paramref name="bytes"/> (external data is refused); <paramref name="name"/> names it in errors.</summary>
    public static OnnxModel Load(byte[] bytes, string name = "ONNX model")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new OnnxModel(OnnxGraphReader.Read(OnnxFile.Parse(bytes, name), name, folder: null));
    }
}
