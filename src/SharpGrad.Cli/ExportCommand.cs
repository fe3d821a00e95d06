using System.CommandLine;
using SharpGrad.IO;
using SharpGrad.IO.Onnx;

namespace SharpGrad.Cli;

/// <summary><c>sharpgrad export MODEL.sgl --onnx MODEL.onnx</c>: an exported learner as an ONNX model for ONNX Runtime and ML.NET.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A learner exported with 'train --out' (.sgl)." };
        var onnx = new Option<string>("--onnx") { Description = "Write the model as ONNX to this file.", Required = true };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset to target ({OnnxExport.MinOpset}-{OnnxExport.MaxOpset}).", DefaultValueFactory = _ => 17 };
        var staticBatch = new Option<bool>("--static-batch") { Description = "Fix the batch size at 1 instead of a dynamic 'batch' dim." };
        opset.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v < OnnxExport.MinOpset || v > OnnxExport.MaxOpset) r.AddError($"--opset must be between {OnnxExport.MinOpset} and {OnnxExport.MaxOpset}, got {v}.");
        });
        var command = new Command("export", "Convert an exported learner to ONNX (class names and image input kept in the model's metadata).") { model, onnx, opset, staticBatch };
        command.SetAction(r => Cli.Run(() =>
        {
            string path = r.GetValue(model)!, target = r.GetValue(onnx)!;
            if (Cli.MissingFile(path, "Model file") is { } missing) return Cli.Fail(missing);
            AtomicFile.CheckWritable(target);
            ExportedModel m = LearnerFiles.LoadLearner(path);
            if (m.Input is not { } input)
                throw new InvalidDataException($"{path}: the learner was exported without an image input, so the input shape to trace with is unknown; export it from code with OnnxExport.Save(model, sampleInput, path).");
            bool dynamic = !r.GetValue(staticBatch);
            Tensor sample = Tensor.Rand([dynamic ? 2 : 1, input.Channels, input.Height, input.Width], new Generator(0));
            var metadata = m.Metadata.Where(kv => kv.Key is LearnerFiles.VocabKey or LearnerFiles.InputKey or LearnerFiles.ItemTfmKey)
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            metadata[OnnxLearnerExport.InputDescriptionKey] = $"float32 [batch, {input.Channels}, {input.Height}, {input.Width}]: {(input.Channels == 1 ? "grey" : "RGB")} pixels scaled to 0..1";
            OnnxExport.Save(m.Model, sample, target, r.GetValue(opset), dynamic, metadata);
            Console.WriteLine($"Wrote {target} (opset {r.GetValue(opset)}, {new FileInfo(target).Length / 1024.0:N0} KB); run it with ONNX Runtime, or 'sharpgrad predict {target} IMAGE'.");
            return 0;
        }));
        return command;
    }
}
