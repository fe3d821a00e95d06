using System.CommandLine;
using SharpGrad.IO;

namespace SharpGrad.Cli;

/// <summary><c>sharpgrad evaluate MODEL DATASET</c>: accuracy of an exported learner on a dataset's validation set.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A learner exported with 'train --out'." };
        var dataset = new Argument<string>("dataset") { Description = "A catalog dataset or a folder of class sub-folders.", DefaultValueFactory = _ => "mnist-sample" };
        var o = new CommonOptions();
        var command = new Command("evaluate", "Accuracy of an exported learner on a dataset's validation images.") { model, dataset };
        o.AddTo(command);
        command.SetAction(r =>
        {
            if (o.Validate(r) is { } error) return Cli.Fail(error);
            return Cli.Run(() =>
            {
                string path = r.GetValue(model)!;
                if (Cli.MissingFile(path, "Model file") is { } missing) return Cli.Fail(missing);
                ExportedModel m = LearnerFiles.LoadLearner(path);
                CommonOptions.Values v = o.Read(r);
                TrainingData data = TrainingData.Load(r.GetValue(dataset)!, v.DataDir, v.BatchSize, m.Input?.Channels ?? v.Channels, v.Seed, m.Input?.Transform ?? v.ItemTfms);
                if (!data.Dls.Vocab.SequenceEqual(m.Vocab))
                    return Cli.Fail($"The model's classes [{string.Join(", ", m.Vocab)}] differ from the dataset's [{string.Join(", ", data.Dls.Vocab)}].");
                long correct = 0, total = 0;
                using (Tensor.NoGrad())
                    foreach (var batch in data.Dls.Valid)
                    {
                        Tensor output = m.Model.Forward(batch.X);
                        Tensor predicted = output.Size(-1) == 1 ? output.Reshape(-1).Gt(0f).Long() : output.Argmax(-1);
                        correct += (long)predicted.Eq(batch.Y!).Float().Sum().Item();
                        total += batch.Count;
                    }
                Console.WriteLine($"{data.Name}: accuracy {(double)correct / total:F4} ({correct:N0} of {total:N0} validation images)");
                return 0;
            });
        });
        return command;
    }
}
