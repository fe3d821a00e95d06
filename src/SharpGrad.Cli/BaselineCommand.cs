using System.CommandLine;
using SharpGrad.Data;

namespace SharpGrad.Cli;

/// <summary>
/// <c>sharpgrad baseline DATASET</c>: chapter 4's pixel-similarity baseline. The "ideal" image of each class is the
/// mean of its training images; a validation image gets the class whose ideal is closest by mean absolute difference.
/// </summary>
internal static class BaselineCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "A catalog dataset or a folder of class sub-folders.", DefaultValueFactory = _ => "mnist-sample" };
        var o = new CommonOptions();
        var command = new Command("baseline", "Chapter 4's pixel-similarity baseline: nearest class-mean image.") { dataset };
        o.AddTo(command);
        command.SetAction(r =>
        {
            if (o.Validate(r) is { } error) return Cli.Fail(error);
            return Cli.Run(() =>
            {
                CommonOptions.Values v = o.Read(r);
                TrainingData data = TrainingData.Load(r.GetValue(dataset)!, v.DataDir, 1024, v.Channels, v.Seed, v.ItemTfms);
                (double[] perClass, double overall) = Run(data.Dls, data.Classes);
                for (int c = 0; c < perClass.Length; c++) Console.WriteLine($"{data.Dls.Vocab[c],12}: {perClass[c]:F4}");
                Console.WriteLine($"{"mean",12}: {overall:F4}");
                return 0;
            });
        });
        return command;
    }

    /// <summary>Per-class validation accuracy and its mean (the book's (accuracy_3s + accuracy_7s) / 2).</summary>
    internal static (double[] PerClass, double Mean) Run(DataLoaders dls, int classes)
    {
        using var _ = Tensor.NoGrad();
        Tensor? sums = null;
        var counts = new long[classes];
        foreach (Batch b in new DataLoader(dls.Train.Dataset, 1024)) // every training item, in order
        {
            Tensor oneHot = b.Y!.OneHot(classes).Float();                       // [B, C]
            Tensor batchSums = oneHot.T.MatMul(b.X.Flatten(1));                // [C, features]
            sums = sums is null ? batchSums : sums + batchSums;
            foreach (long y in b.Y!.ToArray<long>()) counts[y]++;
        }
        Tensor means = sums! / Tensor.From(counts).Float().Unsqueeze(1);    // the "ideal" image of each class
        var correct = new long[classes];
        var seen = new long[classes];
        foreach (Batch b in dls.Valid)
        {
            Tensor x = b.X.Flatten(1);                                          // [B, features]
            Tensor distance = (x.Unsqueeze(1) - means.Unsqueeze(0)).Abs().Mean(-1); // [B, C]
            long[] predicted = (-distance).Argmax(-1).ToArray<long>();       // the closest ideal
            long[] labels = b.Y!.ToArray<long>();
            for (int i = 0; i < labels.Length; i++)
            {
                seen[labels[i]]++;
                if (predicted[i] == labels[i]) correct[labels[i]]++;
            }
        }
        double[] perClass = Enumerable.Range(0, classes).Select(c => seen[c] == 0 ? double.NaN : (double)correct[c] / seen[c]).ToArray();
        return (perClass, perClass.Where(a => !double.IsNaN(a)).Average());
    }
}
