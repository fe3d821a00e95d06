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
        var model = new Argument<string>("model") { Description = "A learner exported with 'train --out'." };
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict", "Predict the class of image files with an exported learner.") { model, images };
        command.SetAction(r => Cli.Run(() =>
        {
            string path = r.GetValue(model)!;
            if (!File.Exists(path)) return Cli.Fail($"Model file '{path}' does not exist.");
            ExportedModel m = LearnerFiles.LoadLearner(path);
            int failures = 0;
            foreach (string image in r.GetValue(images)!)
            {
                if (!File.Exists(image)) { Console.Error.WriteLine($"{image}: no such file"); failures++; continue; }
                Prediction p = m.Predict(image);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{image}: {p.Label} ({p.Probabilities[p.Index].Item():P1})"));
            }
            return failures == 0 ? 0 : Cli.DataError;
        }));
        return command;
    }
}
