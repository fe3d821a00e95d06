using System.IO.Compression;
using System.Text;
using SharpGrad.Data.Images;
using SharpGrad.Data.Sources;

namespace SharpGrad.Data;

/// <summary>
/// Builds fastai's image-folder datasets from MNIST's IDX files when their tarballs are out of reach, in fastai's
/// exact layout: mnist-sample has <c>train/{3,7}</c> from MNIST's training set, <c>valid/{3,7}</c> from its test set,
/// and <c>labels.csv</c> (<c>name,label</c>; 0 for a 3, 1 for a 7); mnist-png has <c>training/0..9</c> and <c>testing/0..9</c>.
/// Each file is the lossless PNG of one MNIST image, named by its index in its IDX file.
/// </summary>
internal static class MnistDerived
{
    public static void BuildSample(string staging, FetchContext context)
    {
        MnistData mnist = Load(context);
        var rows = new List<string>();
        Write(staging, context, "train", mnist.TrainImages, mnist.TrainLabels, [3, 7], rows);
        Write(staging, context, "valid", mnist.TestImages, mnist.TestLabels, [3, 7], rows);
        var csv = new StringBuilder("name,label\n");
        foreach (string row in rows) csv.Append(row).Append('\n');
        File.WriteAllText(Path.Combine(staging, "labels.csv"), csv.ToString());
    }

    public static void BuildPng(string staging, FetchContext context)
    {
        MnistData mnist = Load(context);
        int[] digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        Write(staging, context, "training", mnist.TrainImages, mnist.TrainLabels, digits, null);
        Write(staging, context, "testing", mnist.TestImages, mnist.TestLabels, digits, null);
    }

    private static MnistData Load(FetchContext context) =>
        MnistData.Load(DatasetFetcher.Get(DatasetCatalog.Find(Datasets.Mnist), context.Root, context.Progress, context.Cancellation));

    /// <summary>Writes <c>{split}/{digit}/{index}.png</c> for each image whose label is in <paramref name="digits"/>, on all cores; adds <c>labels.csv</c> rows (in index order) when <paramref name="csvRows"/> is given.</summary>
    private static void Write(string root, FetchContext context, string split, Tensor images, Tensor labels, int[] digits, List<string>? csvRows)
    {
        long[] y = labels.ToArray<long>();
        byte[] pixels = images.ToArray<byte>();
        int h = images.Size(1), w = images.Size(2), size = h * w;
        var chosen = Enumerable.Range(0, y.Length).Where(i => digits.Contains((int)y[i])).ToArray();
        foreach (int d in digits) Directory.CreateDirectory(Path.Combine(root, split, d.ToString()));
        using var task = context.Progress.Start($"{context.Dataset}: writing {split} PNGs", chosen.Length);
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, chosen.Length, 256),
            new ParallelOptions { CancellationToken = context.Cancellation },
            range =>
            {
                for (int k = range.Item1; k < range.Item2; k++)
                {
                    int i = chosen[k];
                    var image = new Image(w, h, 1, pixels.AsSpan(i * size, size).ToArray());
                    using var file = new FileStream(Path.Combine(root, split, y[i].ToString(), $"{i}.png"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096);
                    PngEncoder.Encode(image, file, CompressionLevel.SmallestSize);
                }
                task.Advance(range.Item2 - range.Item1);
            });
        task.Complete();
        if (csvRows is null) return;
        int first = digits.Min();
        foreach (int i in chosen) csvRows.Add($"{split}/{y[i]}/{i}.png,{(y[i] == first ? 0 : 1)}");
    }
}
