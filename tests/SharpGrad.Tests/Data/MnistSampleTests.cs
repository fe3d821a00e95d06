using SharpGrad.Data;

namespace SharpGrad.Tests.Data;

/// <summary>mnist-sample in fastai's layout, and chapter 4's pixel-similarity baseline on it, which must give the book's numbers.</summary>
[Collection("Real datasets")]
public class MnistSampleTests
{
    private static readonly string Path0 = Datasets.Get(Datasets.MnistSample);

    private static Tensor Stack(string folder) =>
        Tensor.Stack(ImageFiles.Find(Path.Combine(Path0, folder)).Select(ImageTensor.Load).ToList()).Float() / 255f;

    [Fact]
    public void It_has_fastais_folders_counts_and_labels_csv()
    {
        Assert.Equal(6131, Directory.GetFiles(Path.Combine(Path0, "train", "3")).Length);
        Assert.Equal(6265, Directory.GetFiles(Path.Combine(Path0, "train", "7")).Length);
        Assert.Equal(1010, Directory.GetFiles(Path.Combine(Path0, "valid", "3")).Length);
        Assert.Equal(1028, Directory.GetFiles(Path.Combine(Path0, "valid", "7")).Length);
        string[] csv = File.ReadAllLines(Path.Combine(Path0, "labels.csv"));
        Assert.Equal("name,label", csv[0]);
        Assert.Equal(14434, csv.Length - 1);
        Assert.All(csv.Skip(1), row => Assert.True(File.Exists(Path.Combine(Path0, row.Split(',')[0])), row));
        Assert.All(csv.Skip(1), row => Assert.Equal(row.Contains("/3/") ? "0" : "1", row.Split(',')[1]));
    }

    [Fact]
    public void Pixel_similarity_gives_the_books_accuracies()
    {
        Tensor threes = Stack("train/3"), sevens = Stack("train/7");
        Assert.Equal([6131, 28, 28], threes.Shape.ToArray());
        Tensor mean3 = threes.Mean(0), mean7 = sevens.Mean(0);
        Tensor valid3 = Stack("valid/3"), valid7 = Stack("valid/7");
        Tensor Distance(Tensor a, Tensor b) => (a - b).Abs().Mean([-1, -2]);
        Tensor IsThree(Tensor x) => Distance(x, mean3) < Distance(x, mean7);
        float acc3 = IsThree(valid3).Float().Mean().Item(), acc7 = (1f - IsThree(valid7).Float()).Mean().Item();
        Assert.Equal(0.9168, acc3, 4);
        Assert.Equal(0.9854, acc7, 4);
        Assert.Equal(0.9511, (acc3 + acc7) / 2, 4);
    }

    [Fact]
    public void FromFolder_gives_three_channel_batches_and_the_sorted_vocab()
    {
        DataLoaders dls = ImageDataLoaders.FromFolder(Path0, bs: 64);
        Assert.Equal(["3", "7"], dls.Vocab);
        Assert.Equal(12396, dls.Train.Dataset.Count);
        Assert.Equal(2038, dls.Valid.Dataset.Count);
        Assert.Equal(12396 / 64, dls.Train.Count);
        var (x, y) = dls.Train.First();
        Assert.Equal([64, 3, 28, 28], x.Shape.ToArray());
        Assert.Equal([64], y!.Shape.ToArray());
        Assert.Equal(x[.., 0].ToArray<float>(), x[.., 2].ToArray<float>());
        Assert.True(x.Max().Item() <= 1f && x.Min().Item() >= 0f);
        var (vx, vy) = dls.Valid.First();
        Assert.Equal(0, vy!.ToArray<long>()[0]);
        string first = ((ImageDataset)dls.Valid.Dataset).Files[0];
        Tensor expected = ImageTensor.Load(first).Float() / 255f;
        Assert.Equal(expected.ToArray<float>(), vx[0, 0].ToArray<float>());
    }

    [Fact]
    public void FromCsv_reads_labels_csv_with_a_seeded_random_split()
    {
        DataLoaders dls = ImageDataLoaders.FromCsv(Path0, bs: 64, validPct: 0.2, seed: 1, channels: 1);
        Assert.Equal(["0", "1"], dls.Vocab);
        Assert.Equal(14434 - (int)(0.2 * 14434), dls.Train.Dataset.Count);
        var files = ((ImageDataset)dls.Valid.Dataset).Files;
        Assert.Equal(files, ((ImageDataset)ImageDataLoaders.FromCsv(Path0, validPct: 0.2, seed: 1, channels: 1).Valid.Dataset).Files);
        var labels = ((ImageDataset)dls.Valid.Dataset).Labels;
        for (int i = 0; i < files.Count; i++) Assert.Equal(files[i].Contains("/7/") ? 1L : 0L, labels[i]);
    }
}
