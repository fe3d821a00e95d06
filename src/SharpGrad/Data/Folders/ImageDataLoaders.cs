using SharpGrad.Reporting;

namespace SharpGrad.Data;

/// <summary>fastai's <c>ImageDataLoaders</c>: training and validation loaders straight from a folder of images or a CSV of file names and labels.</summary>
public static class ImageDataLoaders
{
    /// <summary>
    /// Loaders over the images under <paramref name="path"/>, labelled by their parent folder, vocab sorted by name.
    /// Split by grandparent folder (<paramref name="train"/> / <paramref name="valid"/>), or at random when <paramref name="validPct"/> is given.
    /// Items are 3-channel float <c>[C, H, W]</c> in 0..1 by default, as fastai's <c>from_folder</c> gives.
    /// </summary>
    /// <param name="path">The dataset folder (e.g. <c>Datasets.Get(Datasets.MnistSample)</c>).</param>
    /// <param name="bs">Batch size.</param>
    /// <param name="train">Grandparent folder name of the training images.</param>
    /// <param name="valid">Grandparent folder name of the validation images.</param>
    /// <param name="validPct">When set, a random split with this fraction for validation instead of the folder split.</param>
    /// <param name="seed">Seed of the random split and of the training shuffle.</param>
    /// <param name="channels">3 (RGB) or 1 (grayscale).</param>
    /// <param name="progress">Where decoding reports; default silent.</param>
    /// <param name="skipBad">Leave out unreadable files with a warning instead of failing on the first.</param>
    /// <param name="itemTfms">
    /// Applied to every decoded image (fastai's <c>item_tfms</c>), e.g. <c>new Resize(224)</c>: images may then have any
    /// size, are decoded when drawn (so a training set gets new random crops every epoch) and are checked once up front.
    /// Without it every image must have the same size.
    /// </param>
    /// <param name="batchTfms">Applied to each batch (fastai's <c>batch_tfms</c>), e.g. <c>[new AugTransforms()]</c>: random on the training set, deterministic parts only on the validation set.</param>
    /// <exception cref="InvalidDataException">No images; an empty class folder; a validation class with no training images; images of several sizes without <paramref name="itemTfms"/>.</exception>
    public static DataLoaders FromFolder(string path, int bs = 64, string train = "train", string valid = "valid", double? validPct = null,
                                         ulong seed = 42, int channels = 3, IProgressReporter? progress = null, bool skipBad = false,
                                         ItemTransform? itemTfms = null, IReadOnlyList<BatchTransform>? batchTfms = null)
    {
        IReadOnlyList<ImageItem> items = ImageFiles.LabelByParent(ImageFiles.Find(path));
        if (items.Count == 0) throw new InvalidDataException($"No images (.png, .jpg, .jpeg, .bmp) under '{path}'.");
        if (validPct is null) CheckClassFolders(path, train, valid);
        Splitter split = validPct is { } pct ? Splitters.Random(pct, seed) : Splitters.Grandparent(train, valid);
        return Build(path, items, split, bs, seed, channels, progress, skipBad, itemTfms, batchTfms,
            validPct is null ? $"no images under '{train}/<label>/' and '{valid}/<label>/' in '{path}'; pass validPct to split at random" : null);
    }

    /// <summary>Every class folder under the train and valid folders must hold images, and every validation class must be a training class.</summary>
    private static void CheckClassFolders(string path, string train, string valid)
    {
        var trainClasses = new HashSet<string>(StringComparer.Ordinal);
        foreach (string split in new[] { train, valid })
        {
            string dir = Path.Combine(path, split);
            if (!Directory.Exists(dir)) continue;
            foreach (string classDir in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            {
                if (!ImageFiles.Find(classDir).Any())
                    throw new InvalidDataException($"Class folder '{classDir}' holds no images (.png, .jpg, .jpeg, .bmp); remove it or add images.");
                string label = Path.GetFileName(classDir);
                if (split == train) trainClasses.Add(label);
                else if (!trainClasses.Contains(label))
                    throw new InvalidDataException($"Validation class '{label}' ('{classDir}') has no training images under '{Path.Combine(path, train)}'; the model could never predict it.");
            }
        }
    }

    /// <summary>
    /// Loaders over the files listed in <paramref name="csvFile"/> under <paramref name="path"/> (header row; file name relative to
    /// <paramref name="path"/> in the first column, label in the second), split at random (fastai's <c>from_csv</c>, e.g. mnist-sample's <c>labels.csv</c>).
    /// </summary>
    public static DataLoaders FromCsv(string path, string csvFile = "labels.csv", int bs = 64, double validPct = 0.2, ulong seed = 42,
                                      int channels = 3, IProgressReporter? progress = null, ItemTransform? itemTfms = null,
                                      IReadOnlyList<BatchTransform>? batchTfms = null)
    {
        string csv = Path.Combine(path, csvFile);
        IReadOnlyList<ImageItem> items = LabelsCsv.Read(csv, path);
        return Build(path, items, Splitters.Random(validPct, seed), bs, seed, channels, progress, skipBad: false, itemTfms, batchTfms, null);
    }

    private static DataLoaders Build(string path, IReadOnlyList<ImageItem> items, Splitter split, int bs, ulong seed, int channels,
                                     IProgressReporter? progress, bool skipBad, ItemTransform? itemTfms, IReadOnlyList<BatchTransform>? batchTfms, string? emptyHint)
    {
        (int[] trainIdx, int[] validIdx) = split(items);
        if (trainIdx.Length == 0 && emptyHint is not null) throw new InvalidDataException($"Split found {emptyHint}.");
        var vocab = trainIdx.Concat(validIdx).Select(i => items[i].Label).Distinct().Order(StringComparer.Ordinal).ToList();
        if (itemTfms is not null)
        {
            ImageFileDataset trainFiles = Lazy(trainIdx.Select(i => items[i]).ToList(), vocab, channels, itemTfms, training: true, seed, progress, skipBad);
            ImageFileDataset validFiles = Lazy(validIdx.Select(i => items[i]).ToList(), vocab, channels, itemTfms, training: false, seed, progress, skipBad);
            return new DataLoaders(
                new DataLoader(trainFiles, bs, shuffle: true, dropLast: true, generator: new Generator(seed), batchTfms: batchTfms, trainingTfms: true, tfmSeed: seed),
                new DataLoader(validFiles, bs, shuffle: false, batchTfms: batchTfms, trainingTfms: false, tfmSeed: seed),
                vocab);
        }
        ImageDataset trainSet = ImageFolderLoader.Load(trainIdx.Select(i => items[i]).ToList(), vocab, channels, progress, skipBad);
        ImageDataset validSet = ImageFolderLoader.Load(validIdx.Select(i => items[i]).ToList(), vocab, channels, progress, skipBad);
        return new DataLoaders(
            new DataLoader(trainSet, bs, shuffle: true, dropLast: true, generator: new Generator(seed), batchTfms: batchTfms, trainingTfms: true, tfmSeed: seed),
            new DataLoader(validSet, bs, shuffle: false, batchTfms: batchTfms, trainingTfms: false, tfmSeed: seed),
            vocab);
    }

    /// <summary>An <see cref="ImageFileDataset"/> over the readable files of <paramref name="items"/>.</summary>
    private static ImageFileDataset Lazy(IReadOnlyList<ImageItem> items, IReadOnlyList<string> vocab, int channels, ItemTransform tfm, bool training,
                                         ulong seed, IProgressReporter? progress, bool skipBad)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grayscale) or 3 (RGB).");
        var index = new Dictionary<string, int>();
        for (int i = 0; i < vocab.Count; i++) index[vocab[i]] = i;
        int[] keep = ImageFileCheck.Readable(items.Select(it => it.Path).ToList(), channels, tfm, progress ?? Reporters.Silent, skipBad);
        return new ImageFileDataset(keep.Select(i => items[i].Path).ToList(), keep.Select(i => (long)index[items[i].Label]).ToArray(), vocab, channels, tfm, training, seed);
    }
}
