using Google.Protobuf;
using SharpGrad.IO.Onnx.Proto;
using SharpGrad.NN;

namespace SharpGrad.IO.Onnx;

/// <summary>
/// Writes models as ONNX files for ONNX Runtime, ML.NET and other runtimes, by tracing as <c>torch.onnx.export</c> does:
/// the model runs once (in evaluation mode) on a sample input, and the tensor ops it performs become the graph. Any
/// <see cref="Module"/> exports, a user's own included, as long as its ops have ONNX mappings.
/// </summary>
public static class OnnxExport
{
    /// <summary>The opsets the exporter writes.</summary>
    public const int MinOpset = 13, MaxOpset = 21;

    /// <summary>
    /// Exports <paramref name="model"/> to <paramref name="path"/> (atomically). Parameters and buffers are stored as
    /// initializers under their state-dict names; the graph's input is <c>input</c> and its result <c>output</c>.
    /// </summary>
    /// <param name="model">The model; it is traced in evaluation mode and its mode restored afterwards.</param>
    /// <param name="sampleInput">An input of the shape the model takes (values do not matter): a batch of 2 or more
    /// lets the exporter tell the batch dim apart from dims of size 1.</param>
    /// <param name="path">The output file (conventionally <c>.onnx</c>).</param>
    /// <param name="opset">The ONNX opset to target, 13 to 21.</param>
    /// <param name="dynamicBatch">Whether the first dim is the named dim <c>batch</c> (any size) rather than the sample's.</param>
    /// <param name="metadata">Entries for the model's <c>metadata_props</c> (e.g. class names).</param>
    /// <param name="cancellationToken">Stops the export; nothing is written.</param>
    /// <exception cref="NotSupportedException">The model uses an op with no ONNX mapping; the message names it and the module it ran in.</exception>
    /// <exception cref="IOException">The file cannot be written; the message names it.</exception>
    public static void Save(Module model, Tensor sampleInput, string path, int opset = 17, bool dynamicBatch = true,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.CheckWritable(path);
        ModelProto proto = ToModel(model, sampleInput, opset, dynamicBatch, metadata, cancellationToken);
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    /// <summary>The ONNX model as bytes (see <see cref="Save"/>).</summary>
    public static byte[] ToBytes(Module model, Tensor sampleInput, int opset = 17, bool dynamicBatch = true,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        ToModel(model, sampleInput, opset, dynamicBatch, metadata, cancellationToken).ToByteArray();

    internal static ModelProto ToModel(Module model, Tensor sampleInput, int opset, bool dynamicBatch,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleInput);
        if (opset < MinOpset || opset > MaxOpset)
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"ONNX export writes opsets {MinOpset} to {MaxOpset}.");
        if (sampleInput.NDim == 0)
            throw new ArgumentException($"ONNX export: the sample input must have a batch dim, got a 0-d tensor.", nameof(sampleInput));
        if (dynamicBatch && sampleInput.Sizes[0] < 1)
            throw new ArgumentException($"ONNX export: the sample input of shape {sampleInput.Shape} has an empty batch.", nameof(sampleInput));

        // A fresh leaf, so the input is told apart from any tensor the model holds, even one sharing its memory.
        Tensor input = sampleInput.Contiguous().Detach();
        var tracer = new OnnxTracer(input);
        bool wasTraining = model.IsTraining;
        Tensor output;
        model.Eval();
        try
        {
            using (Tensor.NoGrad())
            using (OpTrace.Begin(tracer))
                output = model.Forward(input);
        }
        finally
        {
            model.Train(wasTraining);
        }
        var builder = new OnnxGraphBuilder(tracer, model, input, opset, dynamicBatch);
        builder.Build(output, cancellationToken);

        var proto = new ModelProto
        {
            IrVersion = OnnxProtos.IrVersion(opset),
            ProducerName = "SharpGrad",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "",
            Graph = builder.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        if (metadata is not null)
            foreach ((string key, string value) in metadata)
                proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }
}
