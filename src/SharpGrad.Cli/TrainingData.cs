using SharpGrad.Data;
using SharpGrad.Reporting;

namespace SharpGrad.Cli;

/// <summary>A dataset name from the catalog or a folder of class sub-folders, loaded as DataLoaders with its class count and input shape.</summary>
internal sealed record TrainingData(string Name, DataLoaders Dls, int Channels, int Height, int Width)
{
    private static readonly string[] FashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public int Classes => Dls.Vocab.Count;

    public int Features => Channels * Height * Width;

    /// <summary>Loads <paramref name="source"/>: an existing folder (train/valid sub-folders, else a random 20% split), or a catalog name.</summary>
    public static TrainingData Load(string source, string? dataDir, int bs, int channels, ulong seed, ItemTransform? itemTfms = null,
                                    IReadOnlyList<BatchTransform>? batchTfms = null)
    {
        if (Directory.Exists(source)) return FromFolder(Path.GetFullPath(source), source, bs, channels, seed, itemTfms, batchTfms);
        DatasetInfo info = Datasets.Info(source);
        string path = Datasets.Get(info.Name, dataDir, Reporters.Default);
        if (info.IsImageFolder)
            return info.Name == Datasets.MnistPng
                ? Folder(info.Name, ImageDataLoaders.FromFolder(path, bs, train: "training", valid: "testing", seed: seed, channels: channels, progress: Reporters.Default,
                                                                itemTfms: itemTfms, batchTfms: batchTfms))
                : FromFolder(path, info.Name, bs, channels, seed, itemTfms, batchTfms);
        if (itemTfms is not null || batchTfms is { Count: > 0 })
            throw new ArgumentException($"--size and --aug apply to image folders; '{info.Name}' is stored as IDX arrays of 28x28 images (try mnist-png or mnist-sample).");
        MnistData idx = MnistData.Load(path);
        Tensor Images(Tensor u8) => (u8.Float() / 255f).Unsqueeze(1);
        string[] vocab = info.Name == Datasets.FashionMnist ? FashionClasses : Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();
        var dls = new DataLoaders(
            new DataLoader(new TensorDataset(Images(idx.TrainImages), idx.TrainLabels), bs, shuffle: true, dropLast: true, generator: new Generator(seed)),
            new DataLoader(new TensorDataset(Images(idx.TestImages), idx.TestLabels), bs),
            vocab);
        return new TrainingData(info.Name, dls, 1, idx.TrainImages.Size(1), idx.TrainImages.Size(2));
    }

    private static TrainingData FromFolder(string path, string name, int bs, int channels, ulong seed, ItemTransform? itemTfms, IReadOnlyList<BatchTransform>? batchTfms)
    {
        bool split = Directory.Exists(Path.Combine(path, "train")) && Directory.Exists(Path.Combine(path, "valid"));
        return Folder(name, ImageDataLoaders.FromFolder(path, bs, validPct: split ? null : 0.2, seed: seed, channels: channels, progress: Reporters.Default,
                                                        itemTfms: itemTfms, batchTfms: batchTfms));
    }

    private static TrainingData Folder(string name, DataLoaders dls)
    {
        var ds = (IImageDataset)dls.Train.Dataset;
        return new TrainingData(name, dls, ds.Channels, ds.Height, ds.Width);
    }
}
