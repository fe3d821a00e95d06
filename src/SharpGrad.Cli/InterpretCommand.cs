using System.CommandLine;
using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.Plotting;
using SharpGrad.Vision;

namespace SharpGrad.Cli;

/// <summary>
/// <c>sharpgrad interpret MODEL DATASET</c>: fastai's ClassificationInterpretation of an exported learner on a
/// dataset's validation images: the most confused pairs and the per-class report on the console, the confusion matrix
/// and the top losses as PNGs.
/// </summary>
internal static class InterpretCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A learner exported with 'train --out'." };
        var dataset = new Argument<string>("dataset") { Description = "A catalog dataset or a folder of class sub-folders.", DefaultValueFactory = _ => "mnist-sample" };
        var topLosses = new Option<int>("--top-losses") { Description = "How many of the highest-loss images to draw.", DefaultValueFactory = _ => 9 };
        var outDir = new Option<string>("--out") { Description = "Folder for confusion_matrix.png and top_losses.png (created if missing).", DefaultValueFactory = _ => "interpretation" };
        var o = new CommonOptions();
        var command = new Command("interpret", "What an exported learner gets wrong: most confused classes, per-class scores, confusion matrix and top losses.")
            { model, dataset, topLosses, outDir };
        o.AddTo(command);
        command.SetAction(r =>
        {
            if (o.Validate(r) is { } error) return Cli.Fail(error);
            if (r.GetValue(topLosses) < 1) return Cli.Fail($"--top-losses must be at least 1, got {r.GetValue(topLosses)}.");
            return Cli.Run(() =>
            {
                string path = r.GetValue(model)!;
                if (Cli.MissingFile(path, "Model file") is { } missing) return Cli.Fail(missing);
                ExportedModel m = LearnerFiles.LoadLearner(path);
                CommonOptions.Values v = o.Read(r);
                string folder = r.GetValue(outDir)!;
                Directory.CreateDirectory(folder);
                string matrixPng = Path.Combine(folder, "confusion_matrix.png"), lossesPng = Path.Combine(folder, "top_losses.png");
                AtomicFile.CheckWritable(matrixPng);
                TrainingData data = TrainingData.Load(r.GetValue(dataset)!, v.DataDir, v.BatchSize, m.Input?.Channels ?? v.Channels, v.Seed, m.Input?.Transform ?? v.ItemTfms);
                if (!data.Dls.Vocab.SequenceEqual(m.Vocab))
                    return Cli.Fail($"The model's classes [{string.Join(", ", m.Vocab)}] differ from the dataset's [{string.Join(", ", data.Dls.Vocab)}].");
                var outputs = new List<Tensor>();
                var targets = new List<Tensor>();
                using (Tensor.NoGrad())
                    foreach (Batch b in data.Dls.Valid)
                    {
                        outputs.Add(m.Model.Forward(b.X));
                        targets.Add(b.Y!);
                    }
                var interp = ClassificationInterpretation.FromOutputs(Tensor.Cat(outputs), Tensor.Cat(targets), m.Vocab, null, data.Dls.Valid);
                var confused = interp.MostConfused();
                Console.WriteLine(confused.Count == 0 ? "No mistakes on the validation set." : "Most confused (actual -> predicted: count):");
                foreach (var (actual, predicted, count) in confused.Take(10)) Console.WriteLine($"  {actual} -> {predicted}: {count:N0}");
                Console.WriteLine();
                Console.Write(interp.Report());
                interp.PlotConfusionMatrix(matrixPng);
                interp.PlotTopLosses(Math.Min(r.GetValue(topLosses), data.Dls.Valid.Dataset.Count), lossesPng);
                Console.WriteLine($"wrote {Path.GetFullPath(matrixPng)} and {Path.GetFullPath(lossesPng)}");
                return 0;
            });
        });
        return command;
    }
}
