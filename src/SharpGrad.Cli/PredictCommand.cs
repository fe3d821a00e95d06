using System.CommandLine;
using System.Globalization;
using SharpGrad.IO;
using SharpGrad.Learning;

namespace SharpGrad.Cli;

/// <summary><c>sharpgrad predict MODEL IMAGE...</c>: the class and probability of each image, from an exported learner.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A learner exported with 'train --out' (.sgl), or an ONNX model exported by SharpGrad (.onnx)." };
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP).", Arity = ArgumentArity.OneOrMore };
        var raw = new Option<bool>("--raw") { Description = "Print the model's raw outputs (logits) for each image, every value exactly (round-trip precision), instead of the class." };
        var command = new Command("predict", "Predict the class of image files with an exported learner.") { model, images, raw };
        command.SetAction(r => Cli.Run(() =>
        {
            string path = r.GetValue(model)!;
            if (Cli.MissingFile(path, "Model file") is { } missing) return Cli.Fail(missing);
            ExportedModel m = IsOnnx(path) ? SharpGrad.IO.Onnx.OnnxImport.LoadLearner(path) : LearnerFiles.LoadLearner(path);
            int failures = 0;
            foreach (string image in r.GetValue(images)!)
            {
                if (Cli.MissingFile(image, "Image") is { } missingImage) { Console.Error.WriteLine(missingImage); failures++; continue; }
                if (r.GetValue(raw))
                {
                    Console.WriteLine($"{image}: {RawOutputs(m, image)}");
                    continue;
                }
                Prediction p = m.Predict(image);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{image}: {p.Label} ({p.Probabilities[p.Index].Item():P1})"));
            }
            return failures == 0 ? 0 : Cli.DataError;
        }));
        return command;
    }

    /// <summary>Whether <paramref name="path"/> holds an ONNX model (by its extension; a .sgl file is safetensors).</summary>
    private static bool IsOnnx(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every output value for one image, space-separated, each printed so that parsing it gives the same float.</summary>
    private static string RawOutputs(ExportedModel m, string image)
    {
        Tensor input = (m.Input ?? throw new InvalidDataException("This model was exported without an image input; it cannot read image files.")).Load(image);
        float[] values;
        using (Tensor.NoGrad()) values = m.Model.Forward(input.Unsqueeze(0)).Contiguous().ToArray<float>();
        return string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
    }
}
